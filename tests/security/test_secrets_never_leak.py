"""A distinctive token planted in every secret Keel holds never shows up anywhere a person or a
log collector can read it: log lines (every logger at DEBUG, SQL with its parameters included),
command output, API responses, admin pages, dashboard pages, or any column of any table.

Secrets planted: the GitHub and PagerDuty tokens and webhook secrets entered in the admin
(stored encrypted), the Jira token and e-mail named by environment variables (`token_env`,
`email_env`), a token typed into the admin form, the SMTP password of `EMAIL_URL`, and the
`SECRET_KEY` / `KEEL_ENCRYPTION_KEY` settings. The scenario syncs all three sources from the
simulator with transient failures (500, 502, 429 and Retry-After: waited out), then with hard
ones (401, 403, an HTML login page, a 404 service) and with rejected tokens, receives signed
and forged webhooks, fails to send the digests, and opens every page — all inside one log
capture. The API token is planted too: Keel stores only its hash and its first 15 characters.
"""

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from knox.crypto import hash_token

from apps.accounts.models import ApiToken
from apps.ingestion.models import SyncRun
from apps.ingestion.webhooks import signature_hex
from apps.organization.models import (
    JiraProject,
    Organization,
    PagerDutyService,
    Repo,
    Source,
    Team,
)
from integrations.simulator import FaultRule, Simulator, generate_github_world
from integrations.simulator.jira import JiraProvider, generate_jira_world
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld
from tests.security.routes import all_routes, api_routes

PLANT = "KEEL-PLANTED-SECRET-7f3a9c"
SECRETS = {
    name: f"{PLANT}-{name}"
    for name in (
        "github-token",
        "github-hook",
        "pagerduty-token",
        "pagerduty-hook",
        "jira-token",
        "admin-form-token",
        "smtp-password",
        "secret-key",
        "encryption-key",
        "api-token",
    )
}
JIRA_EMAIL = "keel-bot@acme.test"
pytestmark = pytest.mark.django_db  # also makes pytest-django create the test database
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class Leaks:
    """Everything the scenario produced that a person or a collector could read."""

    log_lines: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)  # management command stdout / stderr
    pages: dict[str, str] = field(default_factory=dict)  # "<kind> <url>" -> body
    upstream_auth: list[str] = field(default_factory=list)  # Authorization headers received


class _Collect(logging.Handler):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.lines = lines
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # the traceback of exc_info included


@pytest.fixture(scope="module")
def leaks(django_db_setup, django_db_blocker) -> Iterator[Leaks]:
    """Run the scenario once for the module, with every logger at DEBUG; rolled back after."""
    found = Leaks()
    handler = _Collect(found.log_lines)
    names = list(logging.root.manager.loggerDict)
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in names)]
    levels = {lg: lg.level for lg in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": 9,
        "EMAIL_HOST_USER": "keel",
        "EMAIL_HOST_PASSWORD": SECRETS["smtp-password"],
        "EMAIL_TIMEOUT": 5,
    }
    try:
        with (
            django_db_blocker.unblock(),
            transaction.atomic(),
            override_settings(
                SECRET_KEY=SECRETS["secret-key"],
                KEEL_ENCRYPTION_KEY=SECRETS["encryption-key"],
                **mail,
            ),
            pytest.MonkeyPatch.context() as env,
        ):
            env.setenv("KEEL_PLANTED_JIRA_TOKEN", SECRETS["jira-token"])
            env.setenv("KEEL_PLANTED_JIRA_EMAIL", JIRA_EMAIL)
            connection.force_debug_cursor = True  # django.db.backends logs SQL + parameters
            try:
                _scenario(found, env)
            finally:
                connection.force_debug_cursor = False
            yield found
            transaction.set_rollback(True)
    finally:
        logging.getLogger().removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)


def _simulator() -> Simulator:
    world = generate_github_world(
        seed=4,
        repos=2,
        pulls=30,
        issues=10,
        releases=4,
        owner="acme",
        start=START,
        end=END,
        tags_per_repo=2,
        deployments_per_repo=2,
    )
    jira = generate_jira_world(seed=5, projects=("API",), issues=30, start=START, end=END)
    pagerduty = PagerDutyWorld()
    pagerduty.add_service("PSVC1", "api")
    simulator = Simulator(github=world, token=SECRETS["github-token"])
    simulator.add_provider(JiraProvider(jira, email=JIRA_EMAIL, token=SECRETS["jira-token"]))
    simulator.add_provider(PagerDutyProvider(pagerduty, token=SECRETS["pagerduty-token"]))
    return simulator


def _sources(base_url: str, repos: list[str]) -> None:
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    github = Source.objects.create(
        name="gh",
        kind="github",
        base_url=base_url,
        token=SECRETS["github-token"],
        webhook_secret=SECRETS["github-hook"],
    )
    for full_name in repos:
        Repo.objects.create(source=github, full_name=full_name, team=team)
    jira = Source.objects.create(
        name="jira",
        kind="jira",
        base_url=base_url,
        token_env="KEEL_PLANTED_JIRA_TOKEN",
        email_env="KEEL_PLANTED_JIRA_EMAIL",
    )
    JiraProject.objects.create(source=jira, key="API", team=team)
    pagerduty = Source.objects.create(
        name="pd",
        kind="pagerduty",
        base_url=base_url,
        token=SECRETS["pagerduty-token"],
        webhook_secret=SECRETS["pagerduty-hook"],
    )
    for service_id in ("PSVC1", "PGONE"):  # PGONE does not exist upstream: a 404 scope error
        PagerDutyService.objects.create(source=pagerduty, service_id=service_id, team=team)
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    # An API token whose value is planted (as api_token_create makes them, but not random).
    ApiToken(
        digest=hash_token(SECRETS["api-token"]), token_key=SECRETS["api-token"][:15], user=root
    ).save()
    team.managers.add(root)


def _sync(found: Leaks) -> None:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("sync", "--no-compute", stdout=out, stderr=err)
    except CommandError as exc:
        found.output.append(str(exc))
    found.output += [out.getvalue(), err.getvalue()]


def _scenario(found: Leaks, env: pytest.MonkeyPatch) -> None:
    with _simulator() as simulator:
        _sources(simulator.base_url, [r.full_name for r in simulator.github.world.repos])
        faults = simulator.faults
        # Transient: retried or waited out, the runs succeed.
        for rule in (
            FaultRule(path=r"/pulls\?", status=500),
            FaultRule(path=r"/issues", status=502),
            FaultRule(path=r"/releases", status=429, retry_after=1),
            FaultRule(path=r"/rest/api/3/search", status=429, retry_after=1),
            FaultRule(path=r"/incidents", status=502),
        ):
            faults.add(rule)
        _sync(found)
        # Hard failures: rejected, forbidden, an HTML login page instead of JSON.
        faults.add(FaultRule(path=r"/repos/", status=401, times=-1))
        faults.add(FaultRule(path=r"/rest/api/3/", kind="html", times=-1))
        faults.add(FaultRule(path=r"/incidents", status=403, times=-1))
        _sync(found)
        faults.clear()
        # Wrong tokens: the upstream says 401 itself.
        github = Source.objects.get(name="gh")
        github.token = f"{SECRETS['github-token']}-wrong"
        github.save()
        env.setenv("KEEL_PLANTED_JIRA_TOKEN", f"{SECRETS['jira-token']}-wrong")
        _sync(found)
        found.upstream_auth = [
            value
            for record in simulator.requests
            for key, value in record.headers.items()
            if key.lower() == "authorization"
        ]
    _webhooks(found)
    _digests(found)
    _pages(found)


def _webhooks(found: Leaks) -> None:
    client = Client()
    body = b'{"repository": {"full_name": "acme/api"}, "zen": "hi"}'
    for n, secret in enumerate((SECRETS["github-hook"], "forged")):
        signature = f"sha256={signature_hex(secret, body)}"
        response = client.post(
            "/webhooks/github/",
            data=body,
            content_type="application/json",
            headers={
                "X-Hub-Signature-256": signature,
                "X-GitHub-Delivery": f"d-{n}",
                "X-GitHub-Event": "ping",
            },
        )
        found.pages[f"webhook github {secret[:6]}"] = response.content.decode()
    body = b'{"event": {"id": "E1", "data": {"service": {"id": "PSVC1"}}}}'
    for secret in (SECRETS["pagerduty-hook"], "forged"):
        signature = f"v1={signature_hex(secret, body)}"
        response = client.post(
            "/webhooks/pagerduty/",
            data=body,
            content_type="application/json",
            headers={"X-PagerDuty-Signature": signature},
        )
        found.pages[f"webhook pagerduty {secret[:6]}"] = response.content.decode()


def _digests(found: Leaks) -> None:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("send_digests", "--month", "2026-05", stdout=out, stderr=err)
    except Exception as exc:  # noqa: BLE001 - the failure's text is what is checked
        found.output.append(f"{type(exc).__name__}: {exc}")
    found.output += [out.getvalue(), err.getvalue()]


def _fill(template: str) -> str:
    values = {
        "slug": "platform",
        "email": "root@acme.test",
        "name": "gh",
        "key": "none",
        "metric": "release_frequency",
        "id": "1",
        "token_key": "keel_0123456789",
        "version": "x",
        "path": "",
        "service_id": PagerDutyService.objects.order_by("id").first().service_id,
    }
    url = template.format(**values)
    if "{metric}/records" in template:
        url += "?scope=org&granularity=month&period_start=2026-03-01"
    return url


def _pages(found: Leaks) -> None:
    root = get_user_model().objects.get(username="root")
    browser = Client()
    browser.force_login(root)
    api = Client(headers={"Authorization": f"Token {SECRETS['api-token']}"})
    for template in api_routes():
        url = _fill(template)
        found.pages[f"api {url}"] = api.get(url).content.decode()
    for template, _ in all_routes():
        if template.startswith(("/api/", "/admin/", "/webhooks/", "/logout")):
            continue
        url = _fill(template)
        found.pages[f"page {url}"] = browser.get(url).content.decode(errors="replace")
    _admin_pages(found, browser)


def _admin_pages(found: Leaks, browser: Client) -> None:
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        found.pages[f"admin {name}"] = browser.get(reverse(f"{name}_changelist")).content.decode()
        for pk in model._default_manager.values_list("pk", flat=True)[:5]:
            page = browser.get(reverse(f"{name}_change", args=[pk]))
            found.pages[f"admin {name} {pk}"] = page.content.decode()
    # A token typed into the admin, on a form that fails validation and is shown again.
    github = Source.objects.get(name="gh")
    response = browser.post(
        reverse("admin:organization_source_change", args=[github.pk]),
        {
            "name": "gh",
            "kind": "github",
            "base_url": "not a url",
            "new_token": SECRETS["admin-form-token"],
            "new_webhook_secret": SECRETS["admin-form-token"],
        },
    )
    assert response.status_code == 200 and b"errornote" in response.content
    found.pages["admin source form with errors"] = response.content.decode()
    # ...and saved through the admin: the change history records the field, not the value.
    inlines = {
        f"{prefix}-{key}": "0"
        for prefix in ("repos", "jira_projects", "pagerduty_services")
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    response = browser.post(
        reverse("admin:organization_source_add"),
        {
            "name": "gh-admin",
            "kind": "github",
            "base_url": "https://api.github.com",
            "new_token": SECRETS["admin-form-token"],
            "new_webhook_secret": SECRETS["admin-form-token"],
            **inlines,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    added = Source.objects.get(name="gh-admin")
    assert added.token == SECRETS["admin-form-token"]
    for view in ("change", "history"):
        url = reverse(f"admin:organization_source_{view}", args=[added.pk])
        found.pages[f"admin added source {view}"] = browser.get(url).content.decode()


# --- the checks ------------------------------------------------------------------------------


def test_the_planted_secrets_were_really_used(leaks: Leaks) -> None:
    # Otherwise "never shown" would prove nothing: the syncs sent the planted tokens upstream.
    sent = "\n".join(leaks.upstream_auth)
    assert f"Bearer {SECRETS['github-token']}" in sent
    assert f"Token token={SECRETS['pagerduty-token']}" in sent
    assert sent.count("Basic ") > 3  # Jira: e-mail and token from the environment
    assert '"pong"' in leaks.pages["webhook github KEEL-P"]  # verified with the planted secret
    assert "missing or invalid signature" in leaks.pages["webhook github forged"]
    assert '"queued"' in leaks.pages["webhook pagerduty KEEL-P"]
    assert "missing or invalid signature" in leaks.pages["webhook pagerduty forged"]
    failed = SyncRun.objects.filter(status="failed").values_list("source__name", flat=True)
    assert sorted(set(failed)) == ["gh", "jira", "pd"]  # their errors are on the pages below


def test_no_log_line_holds_a_secret(leaks: Leaks) -> None:
    assert len(leaks.log_lines) > 100  # SQL, urllib3, sync and request logs were captured
    assert any("django.db.backends" in line for line in leaks.log_lines)
    assert any("urllib3" in line and "/repos/" in line for line in leaks.log_lines)
    assert any("token rejected" in line for line in leaks.log_lines)
    leaked = [line[:300] for line in leaks.log_lines if PLANT in line]
    assert leaked == []


def test_no_command_output_holds_a_secret(leaks: Leaks) -> None:
    text = "\n".join(leaks.output)
    assert "token rejected" in text
    assert PLANT not in text


def test_no_api_response_holds_a_secret(leaks: Leaks) -> None:
    api = {url: body for url, body in leaks.pages.items() if url.startswith("api ")}
    assert '"token_set":true' in api["api /api/v1/sources/"]
    assert "token rejected" in api["api /api/v1/sync-runs/"]
    assert [url for url, body in api.items() if PLANT in body] == []


def test_no_admin_or_dashboard_page_holds_a_secret(leaks: Leaks) -> None:
    pages = {url: body for url, body in leaks.pages.items() if not url.startswith("api ")}
    assert "token rejected" in pages["admin admin:ingestion_syncrun"]
    assert "token rejected" in pages["page /sources/"]
    assert len([url for url in pages if url.startswith("admin ")]) > 20
    assert [url for url, body in pages.items() if PLANT in body] == []


def test_no_table_holds_a_secret_in_plain_text(leaks: Leaks) -> None:
    rows_scanned, found = 0, []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                rows_scanned += 1
                text = " ".join(_text(v) for v in row)
                if PLANT in text:
                    found.append((table, text[:200]))
        cursor.execute("SELECT token FROM organization_source WHERE name = 'gh'")
        assert cursor.fetchone()[0].startswith("gAAAAA")  # a Fernet token
    assert rows_scanned > 100
    assert found == []


def _text(value) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
