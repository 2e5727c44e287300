"""End-to-end: Debian's Chromium (never a downloaded browser) drives a live server holding the
demo organisation built by the real demo code (simulator → sync → compute).

Screenshots of each page go to $KEEL_SCREENSHOT_DIR when set (scripts/screenshots.py uses
docs/screenshots), else to a temporary directory. The last test walks each of the dashboard's
reading fixes as its reader meets it (one check per fix, named for what a manager saw before).
"""

import os
import re
from pathlib import Path

import pytest

from apps.dashboard.selectors import today_local
from apps.metrics.display import value_text
from apps.metrics.models import MetricRow
from apps.metrics.registry import all_definitions
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


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organisation, built once for every journey of the module (they only read it),
    each team manager's password set to PASSWORD. The database is flushed after the module's
    last test, as a transactional test flushes it after itself."""
    from django.core.management import call_command

    from apps.demo.services import demo_build

    with django_db_blocker.unblock():
        result = demo_build()
        for team in Team.objects.all():
            for manager in team.managers.all():
                manager.set_password(PASSWORD)
                manager.save()
        try:
            yield result
        finally:
            result.simulator.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def server(demo, django_db_blocker):
    """A live server of the module's own over the demo. pytest-django's `live_server` would make
    every test transactional, flushing the demo after each test and building it again."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        live = LiveServer("localhost")
        live._live_server_modified_settings.enable()
        try:
            yield live
        finally:
            live._live_server_modified_settings.disable()
            live.stop()


@pytest.fixture(autouse=True)
def _database(db):
    """Each test reads the demo inside its own transaction (rolled back after it); what the live
    server must see is written by the module's fixtures, committed."""


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


def test_manager_journey(demo, server, browser, shots) -> None:
    base = server.url
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


def test_manager_sees_own_engineers_only(demo, server, browser, shots) -> None:
    base = server.url
    platform, payments = Team.objects.get(slug="platform"), Team.objects.get(slug="payments")
    manager = platform.managers.get()
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


def test_every_page_passes_axe_and_fits_a_phone(demo, server, browser) -> None:
    """No page has a serious or critical axe-core finding, on a desktop or on a 390 px phone,
    and no page scrolls sideways on the phone (tables scroll inside their own box)."""
    base = server.url
    month = latest_complete("uptime").period_start.isoformat()
    engineer = Person.objects.filter(team__slug="platform").order_by("email").first().email
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 844})
        login(page, base, demo.username, demo.password)
        for path in PAGES:
            page.goto(base + path.format(month=month, engineer=engineer))
            for chart in page.locator("[data-figure]").all():
                page.wait_for_function(
                    "el => el.getAttribute('data-ready') === 'true'", arg=chart.element_handle()
                )
            assert axe_findings(page) == [], (width, path)
            if width == 390:
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.close()


# A signed zero as Keel must never print it ("−0 releases", "-0.0"): a minus sign, zeros, and no
# other digit after them. Dates ("2026-01-05") do not match: a digit follows their "-0".
SIGNED_ZERO = re.compile(r"(?<![\d.,])[−-]0(?:\.0+)?(?![\d.,])")


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.1 relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS `rgb(...)` colours."""
    la, lb = (_luminance(tuple(int(v) for v in re.findall(r"\d+", c)[:3])) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _charts_ready(page) -> None:
    for chart in page.locator("[data-figure]").all():
        page.wait_for_function(
            "el => el.getAttribute('data-ready') === 'true'", arg=chart.element_handle()
        )


def test_each_reading_fix_in_the_browser(demo, server, browser) -> None:
    base = server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    login(page, base, demo.username, demo.password)
    definitions = {d.name: d for d in all_definitions()}

    # 1. The running month was drawn like a finished one. Now the chart ends in a dotted
    # segment to a hollow point labelled "to date", and the page compares it with the same days
    # of the month before.
    page.goto(f"{base}/metrics/release_frequency/")
    _charts_ready(page)
    names = page.evaluate("document.getElementById('chart').data.map(t => t.name || '')")
    running = [n for n in names if n.endswith("(to date)")]
    assert running, names
    symbol = page.evaluate(
        "document.getElementById('chart').data.find(t => (t.name || '').endsWith('(to date)'))"
        ".marker.symbol"
    )
    assert symbol == "circle-open"
    card = page.locator("section[data-to-date]")
    assert "same days of the month before" in card.inner_text()

    # 2. A change did not say whether it was good: every coloured delta now carries the word,
    # and the word follows the metric's direction.
    page.goto(f"{base}/")
    judged = page.locator("[data-metric] .delta[data-verdict]:not([data-verdict=''])")
    assert judged.count() > 0
    for i in range(judged.count()):
        delta = judged.nth(i)
        verdict = delta.get_attribute("data-verdict")
        metric = delta.locator("xpath=ancestor::article[@data-metric]").get_attribute("data-metric")
        arrow = delta.locator(".arrow").inner_text()
        assert delta.locator(".verdict-word").inner_text() == verdict
        rose = arrow == "▲"
        better = definitions[metric].better
        expected = "better" if rose == (better == "up") else "worse"
        if arrow not in ("▲", "▼"):
            expected = "unchanged"
        assert verdict == expected, (metric, arrow, verdict)

    # 3. "At risk" had no threshold, and the team's own numbers were nowhere: the tile names the
    # threshold, the team page lists each member with the stored churn risk.
    page.goto(f"{base}/teams/platform/")
    threshold = page.locator('[data-metric="engineers_at_risk"] [data-threshold]').inner_text()
    assert threshold == "Engineers whose churn risk is 0.50 or more"
    rows = page.locator(".members-table tbody tr")
    team = Team.objects.get(slug="platform")
    assert rows.count() == Person.objects.filter(team=team).count()
    at_risk = page.locator(".members-table tbody tr[data-at-risk]")
    for i in range(at_risk.count()):
        score = float(at_risk.nth(i).locator("td.num").first.inner_text().split()[0])
        assert score >= 0.5

    # 5. Developer language: no metric key or key turned into words ("Mttr hours") anywhere a
    # manager reads, and services by their PagerDuty names, not their ids.
    page.goto(f"{base}/")
    text = page.locator("main").inner_text()
    for name in (n for n in definitions if "_" in n):
        assert name not in text, name
    assert "Mttr" not in text and "new customer days" not in text
    # Each tile's title is the catalog's, the one place labels come from.
    for tile in page.locator("article[data-metric]").all():
        name = tile.get_attribute("data-metric")
        assert tile.locator("h3").inner_text() == definitions[name].title_long, name
    services = page.locator('nav[aria-label="Services"] a').all_inner_texts()
    assert services and not any(re.fullmatch(r"P[A-Z0-9]{5,}", s) for s in services)

    # 6. Navigation: the chosen window survives a change of team; the whole tile is a link;
    # the "Before" date says it is exclusive.
    page.goto(f"{base}/?view=t30")
    page.locator('nav[aria-label="Teams"] a').first.click()
    page.wait_for_url(re.compile(r"/teams/[^/]+/\?.*view=t30"))
    page.goto(f"{base}/")
    # A click on the number (not the title) opens the metric: the title's link covers the tile.
    number = page.locator('[data-metric="uptime"] [data-value]')
    number.scroll_into_view_if_needed()
    box = number.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/metrics/uptime/"))
    page.fill('input[name="start"]', "2025-01-01")
    page.fill('input[name="end"]', "2026-01-01")
    page.click("form.range button[type=submit]")
    page.wait_for_url(re.compile(r"start=2025-01-01"))
    page.click('nav[aria-label="Granularity"] a:has-text("Week")')
    page.wait_for_url(re.compile(r"granularity=week"))
    assert "start=2025-01-01" in page.url and "end=2026-01-01" in page.url
    assert "exclusive" in page.locator("#range-help").inner_text()
    first_week = page.locator("table.rows tbody th").all_inner_texts()
    assert first_week and min(first_week) >= "2024-12-30" and max(first_week) < "2026-01-01"

    # 8. Broken states. An impossible range says what is wrong, in words.
    page.goto(f"{base}/metrics/uptime/?start=2026-05-01&end=2026-01-01")
    alert = page.locator('[role="alert"]').inner_text()
    assert "cannot be shown" in alert
    body = page.locator("main").inner_text()
    assert "__all__" not in body and "Unit: ." not in body and "Scope: ." not in body
    # The error budget's axis keeps its minus signs, and its title clears the tick labels.
    page.goto(f"{base}/metrics/error_budget_remaining/")
    _charts_ready(page)
    low = page.evaluate("document.getElementById('chart')._fullLayout.yaxis.range[0]")
    ticks = page.locator("#chart .ytick text").all_text_contents()
    assert low < 0  # the demo's regression burst overspends a service's budget
    assert any(t.startswith(("−", "-")) for t in ticks), ticks
    title = page.locator("#chart .g-ytitle text").bounding_box()
    for tick in page.locator("#chart .ytick text").all():
        box = tick.bounding_box()
        assert box["x"] >= title["x"] + title["width"] or box["x"] + box["width"] <= title["x"]
    # No signed zero on the pages a manager opens first.
    for path in ("/", "/teams/platform/", "/metrics/release_frequency/"):
        page.goto(base + path)
        assert SIGNED_ZERO.findall(page.locator("main").inner_text()) == [], path

    # 9. Accessibility that axe does not see: the focus ring stands out (3:1) from the white page;
    # an anomaly says so in words, not by colour alone.
    page.goto(f"{base}/")
    page.locator(".tile-link").first.focus()
    ring = page.evaluate("getComputedStyle(document.activeElement.closest('.tile')).outlineColor")
    assert _contrast(ring, "rgb(255, 255, 255)") >= 3.0, ring
    for tile in page.locator("article.tile.is-anomaly").all():
        assert "Anomaly" in tile.inner_text()
    # Sparklines read out the metric in words with its unit, never an internal name.
    for spark in page.locator("svg.spark").all():
        label = spark.get_attribute("aria-label")
        assert label and not re.search(r"\b[a-z]+_[a-z_]+\b", label), label

    # On a phone the chart's toolbar does not cover the chart, and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/metrics/uptime/")
    _charts_ready(page)
    assert (
        page.locator("#chart .modebar").count() == 0
        or not page.locator("#chart .modebar").is_visible()
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
