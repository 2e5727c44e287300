"""In Chromium, each of the dashboard's reading fixes as its reader meets it, on the demo
organisation (one build for every step: each step is its own check, named for what a manager
would have seen before the fix).

Shares the browser, login and axe helpers of tests/dashboard/test_browser.py.
"""

import re

import pytest

from apps.metrics.registry import all_definitions
from apps.organization.models import Person, Team
from tests.dashboard.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    _orm_beside_playwright,
    browser,
    demo,
    login,
)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"
    ),
]

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


def test_each_reading_fix_in_the_browser(demo, live_server, browser) -> None:  # noqa: F811
    base = live_server.url
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
