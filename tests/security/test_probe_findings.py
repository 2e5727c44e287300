"""What a black-box probe found in the data paths: CSV formula injection, a line break in the
organisation's name, `javascript:` links from upstream data, credentials in a base URL, and
people and cost-import paths readable by any token."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from rest_framework.test import APIClient

from apps.core.errors import ConfigError
from apps.dashboard.records import records_table
from apps.digests.services import digests_send
from apps.organization.models import Identity, Organization, Person, Source, Team
from apps.organization.services import config_apply_file
from apps.organization.validators import check_base_url
from tests.metrics.factories import MetricRowFactory


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def users(db) -> dict:
    objects = get_user_model().objects
    alpha, beta = Team.objects.create(slug="alpha"), Team.objects.create(slug="beta")
    lead = objects.create_user("lead", "lead@acme.test", "pw")
    alpha.managers.add(lead)
    ann = Person.objects.create(email="ann@acme.test", team=alpha)
    Identity.objects.create(person=ann, provider="github", external_id="ann-gh")
    Person.objects.create(email="bob@acme.test", team=beta)
    return {
        "root": objects.create_superuser("root", "root@acme.test", "pw"),
        "lead": lead,
        "viewer": objects.create_user("viewer", "viewer@acme.test", "pw"),
    }


def test_csv_export_neutralises_formulas_from_config_ids(users) -> None:
    Organization.objects.create(name="Acme")
    for key in ('=HYPERLINK("https://evil.test","x")', "+1", "@SUM(A1)", "-2", "ok"):
        MetricRowFactory(metric="uptime", scope="service", scope_key=key, value=-0.5)
    body = b"".join(_api(users["root"]).get("/api/v1/metrics/?format=csv").streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    keys = sorted(row["scope_key"] for row in rows)
    assert keys == ["'+1", "'-2", """'=HYPERLINK("https://evil.test","x")""", "'@SUM(A1)", "ok"]
    assert {row["value"] for row in rows} == {"-0.5"}  # numbers stay numbers


def test_a_line_break_in_the_organisation_name_is_refused_and_never_breaks_a_digest(
    users, tmp_path
) -> None:
    config = tmp_path / "keel.yaml"
    config.write_text('organization: {name: "Acme\\nBcc: victim@evil.test", timezone: UTC}\n')
    with pytest.raises(ConfigError, match="organization.name: .*one line"):
        config_apply_file(path=config)
    Organization.objects.create(name="Acme\r\nBcc: victim@evil.test")  # stored before the check
    from datetime import date

    assert digests_send(month=date(2026, 10, 1)) == {"sent": 2, "failed": 0, "skipped": 0}
    (org,) = [m for m in mail.outbox if m.to == ["root@acme.test"]]
    assert org.subject.startswith("Acme Bcc: victim@evil.test — October 2026 digest")
    assert not any(m.bcc for m in mail.outbox)


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//x"]
)
def test_a_records_url_that_is_not_http_never_becomes_a_link(url) -> None:
    table = records_table([{"ref": "v1", "url": url}, {"ref": "v2", "url": "https://github.com/a"}])
    assert table.rows[0][1] == "" and table.rows[0][2] == ""
    assert table.rows[1][1:] == ("https://github.com/a", "GitHub")


@pytest.mark.parametrize(
    "url", ["https://user:ghp_pass@api.github.com", "https://ghp_token@api.github.com"]
)
def test_a_base_url_with_credentials_is_refused_without_echoing_them(url) -> None:
    with pytest.raises(ValueError) as error:
        check_base_url(url)
    assert "user name or password" in str(error.value) and "ghp_" not in str(error.value)


def test_a_stored_base_url_with_credentials_is_shown_without_them(users) -> None:
    Source.objects.create(name="gh", kind="github", base_url="https://u:ghp_pass@ghe.acme.test")
    body = _api(users["root"]).get("/api/v1/sources/gh/").json()
    assert body["base_url"] == "https://ghe.acme.test"
    from django.test import Client

    admin = Client()
    admin.force_login(users["root"])
    assert "ghp_pass" not in admin.get("/admin/organization/source/").content.decode()


def test_people_are_readable_only_by_those_who_may_see_them(users) -> None:
    def emails(who: str) -> list[str]:
        return [p["email"] for p in _api(users[who]).get("/api/v1/people/").json()["results"]]

    assert emails("root") == ["ann@acme.test", "bob@acme.test"]
    assert emails("lead") == ["ann@acme.test"]
    assert emails("viewer") == []
    assert _api(users["viewer"]).get("/api/v1/people/ann@acme.test/").status_code == 404


def test_cost_imports_are_for_admins_only(users) -> None:
    assert _api(users["root"]).get("/api/v1/cost-imports/").status_code == 200
    for who in ("lead", "viewer"):
        response = _api(users[who]).get("/api/v1/cost-imports/")
        assert response.status_code == 403 and response.json() == {"detail": "admins only"}
