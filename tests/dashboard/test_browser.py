"""End-to-end: Debian's Chromium (never a downloaded browser) drives a live server holding the
demo organisation built by the real demo code (simulator → sync → compute).

Screenshots of each page go to $KEEL_SCREENSHOT_DIR when set (scripts/screenshots.py uses
docs/screenshots), else to a temporary directory.
"""

import os
import re
from pathlib import Path

import pytest

from apps.dashboard.selectors import today_local
from apps.metrics.display import value_text
from apps.metrics.models import MetricRow
from apps.organization.models import Person, Team

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's Chromium at /usr/bin/chromium "
        "(apt-get install chromium); browsers are never downloaded",
    ),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-pw-1"


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch) -> None:
    """Playwright's sync API keeps an event loop in this thread, so the ORM calls of the test
    need Django's async-safety check off; monkeypatch restores the environment afterwards
    (a leaked variable would fail `check --deploy` in a later test)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def demo(transactional_db):
    from apps.demo.services import demo_build

    result = demo_build()
    try:
        yield result
    finally:
        result.simulator.stop()


@pytest.fixture
def browser():
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("KEEL_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
# The WCAG 2.1 A and AA rules and axe's best practices (https://github.com/dequelabs/axe-core/
# blob/develop/doc/API.md#options-parameter); a page passes with no serious or critical finding.
AXE_RUN = (
    "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
)


def axe_findings(page) -> list[str]:
    """The serious and critical axe-core findings of the page as it is now (axe-core is loaded
    from tests/vendor, never from a CDN): "rule: selector (impact)" each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(AXE_RUN)
    return [
        f"{v['id']}: {node['target']} ({v['impact']})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/teams/platform/")  # redirected to the login page, then back
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/teams/platform/")


def latest_complete(metric: str, scope: str = "org", key: str = "") -> MetricRow:
    return (
        MetricRow.objects.filter(
            metric=metric,
            scope=scope,
            scope_key=key,
            granularity="month",
            period_end__lte=today_local(),
        )
        .order_by("-period_start")
        .first()
    )


def test_manager_journey(demo, live_server, browser, shots) -> None:
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, base, demo.username, demo.password)
    page.screenshot(path=shots / "team.png", full_page=True)

    # A tile: the latest complete month of release_frequency, as the database has it.
    page.goto(f"{base}/")
    row = latest_complete("release_frequency")
    shown = page.locator('[data-metric="release_frequency"] [data-value]').inner_text()
    assert shown == value_text(row.value, unit="releases", currency="USD")
    # A null explains itself: the demo's customers page has none in most months, and when the
    # median is null its tile shows the row's note instead.
    onboarding = latest_complete("time_to_new_customer_days")
    tile = page.locator('[data-metric="time_to_new_customer_days"]')
    if onboarding.value is None:
        assert tile.locator("[data-why]").inner_text() == onboarding.note
        assert onboarding.note == "no customer went live in period"
    else:
        assert tile.locator("[data-value]").inner_text() == value_text(
            onboarding.value, unit="days", currency="USD"
        )
    page.screenshot(path=shots / "organisation.png", full_page=True)

    # The metric page: hover the latest complete month's point, read the value in the label.
    page.click('[data-metric="uptime"] h3 a')
    page.wait_for_selector('#chart[data-ready="true"]')
    uptime = latest_complete("uptime")
    months = list(
        MetricRow.objects.filter(
            metric="uptime",
            scope="org",
            granularity="month",
            period_start__gte=uptime.period_start.replace(year=uptime.period_start.year - 2),
        )
        .order_by("period_start")
        .values_list("period_start", flat=True)
    )
    shown_months = page.locator("table.rows tbody th").all_inner_texts()
    index = sorted(shown_months).index(uptime.period_start.isoformat())
    assert uptime.period_start in months
    point = page.locator("#chart .scatterlayer .trace").first.locator(".points path").nth(index)
    box = point.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    label = page.locator("#chart .hoverlayer .hovertext").first
    label.wait_for()
    assert f"{uptime.value * 100:.2f}%" in label.text_content()
    page.screenshot(path=shots / "metric.png", full_page=False)

    # Clicking the point opens the records behind it, linked to PagerDuty.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf"period_start={uptime.period_start.isoformat()}"))
    records = page.locator("#records table.records tbody tr")
    assert records.count() == uptime.sample_size
    link = page.locator("#records a", has_text="open in PagerDuty").first
    assert link.get_attribute("href").startswith("https://acme.pagerduty.com/incidents/")
    page.screenshot(path=shots / "metric-records.png", full_page=True)
    # Every incident by its title, linked; all of them as CSV.
    titled = page.locator('#records td a[target="_blank"]').first
    assert titled.inner_text() and titled.inner_text() != "open in PagerDuty"
    csv = page.request.get(base + page.locator("#records a", has_text="CSV").get_attribute("href"))
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text().strip().splitlines()) == uptime.sample_size + 1

    # The data-quality badge leads to the gaps; an admin's "Map" opens the identity form.
    page.goto(f"{base}/")
    page.click("[data-dq-badge] a")
    page.wait_for_url(f"{base}/data-quality/")
    first = page.locator("#unmatched tbody tr").first
    assert int(first.locator("td.num").inner_text()) > 0
    page.screenshot(path=shots / "data-quality.png", full_page=True)
    first.locator("a", has_text="Map").click()
    page.wait_for_url(re.compile(r"/admin/organization/identity/add/"))
    assert page.locator("#id_external_id").input_value()

    # A service by its PagerDuty name; the teams side by side.
    page.goto(f"{base}/")
    page.locator('nav[aria-label="Services"] a').first.click()
    page.wait_for_url(re.compile(r"/services/P"))
    assert page.locator('[data-metric="error_budget_remaining"]').count() == 1
    page.screenshot(path=shots / "service.png", full_page=True)
    page.goto(f"{base}/compare/?metric=bug_fix_share")
    page.wait_for_selector('[data-figure][data-ready="true"]')
    assert page.locator("table.compare tbody tr").count() == Team.objects.count()
    page.screenshot(path=shots / "compare.png", full_page=True)

    # Where changes wait: from the DORA group, the stage medians of each month stacked, one
    # sentence on the latest complete month, each median linked to its records.
    page.goto(f"{base}/")
    page.click("[data-flow-link]")
    page.wait_for_url(f"{base}/flow/")
    page.wait_for_selector('[data-figure][data-ready="true"]')
    lead = latest_complete("lead_time_for_changes_hours")
    row = page.locator(f'tr[data-period="{lead.period_start.isoformat()}"]')
    assert row.locator("[data-changes]").inner_text() == str(lead.sample_size)
    assert "the longest stage was" in page.locator("[data-flow-sentence]").inner_text()
    page.screenshot(path=shots / "flow.png", full_page=True)
    # A click on a bar segment (deploy time, the fourth) opens the changes behind it.
    months = page.locator("table.flow-table tbody tr").count()
    index = months - 1 - row.evaluate("r => r.sectionRowIndex")  # the table is newest first
    bar = page.locator("#chart .barlayer .trace").nth(3).locator(".point").nth(index)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(rf"/metrics/deploy_hours/.*period_start={lead.period_start}"))
    assert page.locator("#records table.records tbody tr").count() == min(lead.sample_size, 200)

    page.goto(f"{base}/sources/")
    assert page.locator("button", has_text="Sync now").count() >= 3
    page.screenshot(path=shots / "sources.png", full_page=True)

    # Unit economics: every chart drawn, the model said in words; the customers' curve.
    page.goto(f"{base}/economics/")
    figures = page.locator("[data-figure]")
    assert figures.count() >= 4
    for i in range(figures.count()):
        page.wait_for_function(
            "el => el.getAttribute('data-ready') === 'true'", arg=figures.nth(i).element_handle()
        )
    assert "1% more customers came with" in page.locator("#growth").inner_text()
    page.screenshot(path=shots / "economics.png", full_page=True)
    page.goto(f"{base}/customers/")
    page.wait_for_selector('[data-figure][data-ready="true"]')
    assert "Half of the customers are live after" in page.locator("main").inner_text()
    page.screenshot(path=shots / "customers.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/economics/")
    page.wait_for_selector('[data-figure][data-ready="true"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing overflows
    page.screenshot(path=shots / "economics-phone.png", full_page=True)
    page.goto(f"{base}/flow/")
    page.wait_for_selector('[data-figure][data-ready="true"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=shots / "flow-phone.png", full_page=True)
    page.goto(f"{base}/")
    page.screenshot(path=shots / "organisation-phone.png")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.close()


def test_manager_sees_own_engineers_only(demo, live_server, browser, shots) -> None:
    base = live_server.url
    platform, payments = Team.objects.get(slug="platform"), Team.objects.get(slug="payments")
    manager = platform.managers.get()
    manager.set_password(PASSWORD)
    manager.save()
    # Of the manager's own engineers, the one most at risk (the screenshot shows a score).
    mine = max(
        Person.objects.filter(team=platform).order_by("email"),
        key=lambda p: latest_complete("churn_risk", "engineer", p.email).value or -1,
    )
    theirs = Person.objects.filter(team=payments).order_by("email").first()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, base, manager.username, PASSWORD)

    point = latest_complete("churn_risk", "engineer", theirs.email).period_start
    # Refused by every URL: the page, the metric page, its records, the API's records.
    for url in (
        f"/engineers/{theirs.email}/",
        f"/metrics/churn_risk/?scope=engineer&scope_key={theirs.email}",
        f"/metrics/churn_risk/?scope=engineer&scope_key={theirs.email}&period_start={point}",
    ):
        response = page.goto(base + url)
        assert response.status == 404, url
        assert theirs.email not in page.content()
    api = page.request.get(
        f"{base}/api/v1/metrics/churn_risk/records/?scope=engineer"
        f"&scope_key={theirs.email}&granularity=month&period_start={point}"
    )
    assert api.status == 403

    response = page.goto(f"{base}/engineers/{mine.email}/")
    assert response.status == 200
    assert page.locator('[data-metric="churn_risk"]').count() == 1
    page.screenshot(path=shots / "engineer.png", full_page=True)
    page.close()


PAGES = (
    "/",
    "/?view=mtd",
    "/?view=t30",
    "/teams/platform/",
    "/metrics/uptime/",
    "/metrics/incidents/?period_start={month}#records",
    "/metrics/cost/?period_start={month}#records",
    "/metrics/error_budget_remaining/",
    "/services/PAPI001/",
    "/compare/?metric=bug_fix_share",
    "/flow/",
    "/data-quality/",
    "/sources/",
    "/economics/",
    "/customers/",
    "/engineers/{engineer}/",
    "/metrics/uptime/?start=2026-05-01&end=2026-01-01",
)


def test_every_page_passes_axe_and_fits_a_phone(demo, live_server, browser) -> None:
    """No page has a serious or critical axe-core finding, on a desktop or on a 390 px phone,
    and no page scrolls sideways on the phone (tables scroll inside their own box)."""
    base = live_server.url
    month = latest_complete("uptime").period_start.isoformat()
    engineer = Person.objects.filter(team__slug="platform").order_by("email").first().email
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 844})
        login(page, base, demo.username, demo.password)
        for path in PAGES:
            page.goto(base + path.format(month=month, engineer=engineer))
            page.wait_for_load_state("networkidle")
            for chart in page.locator("[data-figure]").all():
                page.wait_for_function(
                    "el => el.getAttribute('data-ready') === 'true'", arg=chart.element_handle()
                )
            assert axe_findings(page) == [], (width, path)
            if width == 390:
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.close()
