"""What the DORA metrics read, added to the scale organisation's generated GitHub world.

The simulator's generator makes no reverts and no hotfixes; without them the DORA family
(apps/dora, docs/metrics.md#dora-metrics) would only judge releases by outages. After the world
is generated (and before the `hourly` phase adds its hour), each repo's merged human PRs are
walked in merge order with a random generator seeded by the plan's seed and the repo's index,
so the same world comes out every time:
- `REVERT_SHARE` of them become a revert of one of the 1-5 PRs merged just before them in the
  same repo, titled and described as GitHub's revert button does (`Revert "<title>"`,
  "Reverts owner/name#N" and git's "This reverts commit <merge sha>.",
  https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/incorporating-changes-from-a-pull-request/reverting-a-pull-request);
- `HOTFIX_SHARE` of the others get the `hotfix` label (dora.hotfix_labels' default).
Commits, reviews and files of every PR come from the simulator (integrations/simulator/github/
detail.py) through the GraphQL PR reader the sync uses; outages are blamed on the repo each
PagerDuty service is named after (its `repos` in the config, benchmarks/scale/config.py).
"""

from __future__ import annotations

import random

from integrations.simulator.github.objects import sync_twin

REVERT_SHARE = 0.02
HOTFIX_SHARE = 0.03
HOTFIX_LABEL = "hotfix"


def dora_shape(world, seed: int) -> dict[str, int]:
    """Turn some merged PRs of every repo of `world` into reverts and hotfixes (in place);
    returns {"reverts": n, "hotfixes": n}."""
    out = {"reverts": 0, "hotfixes": 0}
    for index, repo in enumerate(world.repos):
        rng = random.Random(seed * 1000 + index)
        merged = sorted(
            (
                pull
                for pull in repo.pulls
                if pull.get("merged_at") and pull["user"].get("type") != "Bot"
            ),
            key=lambda pull: (pull["merged_at"], pull["number"]),
        )
        for position, pull in enumerate(merged):
            roll = rng.random()
            if roll < REVERT_SHARE and position > 0:
                target = merged[max(0, position - rng.randint(1, 5))]
                pull["title"] = f'Revert "{target["title"]}"'
                pull["body"] = (
                    f"Reverts {repo.full_name}#{target['number']}\r\n\r\n"
                    f"This reverts commit {target['merge_commit_sha']}."
                )
                out["reverts"] += 1
            elif roll < REVERT_SHARE + HOTFIX_SHARE:
                pull["labels"] = [*pull["labels"], repo.label(HOTFIX_LABEL)]
                out["hotfixes"] += 1
            else:
                continue
            twin = repo.issue(pull["number"])
            if twin is not None:
                sync_twin(twin, pull)
    return out
