"""Goals in the digest (docs/digests.md#goals): each headline with a goal says met or missed."""

from apps.digests.services import digests_send
from apps.organization.models import Goal, Team
from tests.digests.conftest import OCT
from tests.digests.test_send import parts


def test_digest_lines_say_whether_the_goal_was_met(org, smtp):
    Goal.objects.create(metric="release_frequency", target=10.0)
    Goal.objects.create(metric="release_frequency", team=Team.objects.get(slug="alpha"), target=8)
    digests_send(month=OCT)

    (ann,) = smtp.to("ann@acme.test")
    text, html, _ = parts(ann)
    # alpha's own goal: at least 8; October 9 → met.
    assert "ANOMALY; goal ≥ 8 releases: met" in text
    assert "goal ≥ 8 releases: met" in html
    (bob,) = smtp.to("bob@acme.test")
    # beta has no goal of its own: the organisation's (at least 10); October 2 → missed.
    assert "goal ≥ 10 releases: missed" in parts(bob)[0]
    (root,) = smtp.to("root@acme.test")
    # The org: October 11 ≥ 10 → met.
    assert "goal ≥ 10 releases: met" in parts(root)[0]
