"""The Unit economics and customers pages: each model said in words with its plots, bad input
a 400 that says why, and a login required."""

import re

import pytest
from django.test import Client

from apps.economics.reports import cost_model_report
from tests.metrics.factories import UserFactory


@pytest.fixture
def browser(db):
    client = Client()
    client.force_login(UserFactory(username="viewer"))
    return client


def test_economics_page_says_the_model_in_words(growth_org, browser):
    page = browser.get("/economics/", {"month": "2026-02"})
    assert page.status_code == 200
    html = page.content.decode()
    model = cost_model_report(month=page.context["month"])
    assert f"Elasticity {model['elasticity']:.2f}" in html
    assert "Over the last 14 months, 1% more customers came with" in html
    assert "Cost per customer falls as customers grow: economies of scale." in html
    assert "Fixed vs marginal" in html and "Residuals" in html
    assert "releases left out: the same in every month" in html
    assert len(re.findall(r'data-figure="', html)) == 4  # split, fit, residuals, projections
    assert "No bug-fix share or downtime yet to value." in html  # no Jira, GitHub issues, PD
    assert "Half of the customers are live after <strong>52.0 days</strong>" in html


def test_economics_page_without_enough_months_says_why(growth_org, browser):
    html = browser.get("/economics/", {"month": "2025-05"}).content.decode()
    assert (
        "No estimate for May 2025: needs 8 complete months with cost and customers live; 5 so far."
        in html
    )


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/economics/", {"month": "May"}, "month &#x27;May&#x27;: expected YYYY-MM, e.g. 2026-10"),
        (
            "/economics/",
            {"month": "0001-01"},
            "month: 0001-01-01 is outside the dates Keel handles (1900-01-01 to 2199-12-31)",
        ),
        ("/economics/", {"team": "nobody"}, "unknown team &#x27;nobody&#x27;"),
        ("/customers/", {"team": "nobody"}, "unknown team &#x27;nobody&#x27;"),
    ],
)
def test_bad_input_is_a_400_that_says_why(growth_org, browser, path, params, message):
    page = browser.get(path, params)
    assert page.status_code == 400
    assert message in page.content.decode()


def test_customers_page_draws_the_curve_and_forecasts(growth_org, browser):
    html = browser.get("/customers/").content.decode()
    assert "Half of the customers are live after <strong>52.0 days</strong>" in html
    assert "(20 customers: 19 live, 1 onboarding)" in html
    assert "later than any customer took so far" in html  # c19, waiting far longer than any
    assert html.count("<tr>") >= 21  # every customer listed


def test_pages_need_a_login(db):
    for path in ("/economics/", "/customers/"):
        assert Client().get(path).status_code == 302
