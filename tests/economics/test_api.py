"""The unit economics API: the cost model with its diagnostics, release costs, onboarding; bad
input is a 400 naming the parameter, and nobody signed out sees anything."""

import pytest
from rest_framework.test import APIClient

from tests.economics.conftest import ELASTICITY
from tests.metrics.factories import UserFactory


@pytest.fixture
def viewer(db):
    client = APIClient()
    client.force_authenticate(UserFactory(username="viewer"))
    return client


def test_cost_model_of_a_month_with_its_diagnostics(growth_org, viewer):
    body = viewer.get("/api/v1/economics/cost-model/", {"month": "2026-02-01"}).json()
    assert (body["status"], body["months_fitted"], body["drivers"]) == ("fit", 14, ["customers"])
    assert body["left_out"] == {"releases": "the same in every month"}  # two every month
    assert body["elasticity_low_90"] <= ELASTICITY <= body["elasticity_high_90"]
    assert body["split"]["marginal"] + body["split"]["fixed"] == pytest.approx(body["cost"])
    assert body["split"]["marginal"] == pytest.approx(body["elasticity"] * body["cost"])
    assert [p["customers_x"] for p in body["projections"]] == [2.0, 10.0]
    two, ten = body["projections"]
    assert two["low_90"] < two["cost"] < two["high_90"] < ten["cost"]
    assert len(body["points"]) == 14 and body["points"][0]["month"] == "2025-01-01"
    assert 0.9 < body["r_squared"] <= 1.0


def test_cost_model_says_why_there_is_no_fit(growth_org, viewer):
    body = viewer.get("/api/v1/economics/cost-model/", {"month": "2025-06-01"}).json()
    assert body == {
        "scope": "org",
        "scope_key": "",
        "month": "2025-06-01",
        "status": "no_fit",
        "reason": "needs 8 complete months with cost and customers live; 6 so far",
        "months_fitted": 6,
    }
    team = viewer.get(
        "/api/v1/economics/cost-model/",
        {"scope": "team", "scope_key": "platform", "month": "2026-02-01"},
    ).json()
    assert team["status"] == "fit"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-02-15"}, "month"),
        ({"month": "February"}, "month"),
        ({"month": "0001-01-01"}, "month"),
        ({"month": "9999-12-01"}, "month"),
        ({"scope": "galaxy"}, "scope"),
        ({"scope": "team", "scope_key": "nobody"}, "scope_key"),
        ({"scope": "org", "scope_key": "platform"}, "scope_key"),
    ],
)
def test_cost_model_rejects_bad_input(growth_org, viewer, params, field):
    answer = viewer.get("/api/v1/economics/cost-model/", params)
    assert answer.status_code == 400
    assert field in answer.json()


def test_onboarding_curve_and_forecasts(growth_org, viewer):
    body = viewer.get("/api/v1/economics/onboarding/").json()
    assert (body["customers"], body["live"]) == (20, 19)
    assert body["median_days"] == 52.0  # 25 + 3·9: the tenth of twenty go-lives
    assert body["curve"][0] == {
        "days": 0.0,
        "onboarding": 1.0,
        "low": 1.0,
        "high": 1.0,
        "at_risk": 20.0,
    }
    assert body["curve"][-1]["onboarding"] == pytest.approx(1 / 20)
    (late,) = body["forecasts"]
    # c19 has waited far longer than any customer took: no date the data can support
    assert (late["customer"], late["median"], late["high_80"]) == ("c19", None, None)
    assert viewer.get("/api/v1/economics/onboarding/", {"team": "nope"}).status_code == 400


def test_release_costs_list_each_release_and_unit(growth_org, viewer):
    body = viewer.get(
        "/api/v1/economics/release-costs/", {"start": "2025-06-01", "end": "2025-07-01"}
    ).json()
    assert body["count"] == 2  # v5.3 and v5.17, cost per customer
    first = body["results"][0]
    assert (first["release"], first["unit"], first["repo"]) == (
        "v5.17",
        "cost per customer",
        "acme/api",
    )
    assert first["status"] == "" and first["outside"] in (True, False)
    flagged = viewer.get("/api/v1/economics/release-costs/", {"outside": "true"}).json()
    assert all(r["outside"] for r in flagged["results"])


def test_signed_out_sees_nothing(db):
    for path in ("cost-model", "release-costs", "onboarding"):
        assert APIClient().get(f"/api/v1/economics/{path}/").status_code in (401, 403)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_release_costs_refuse_dates_keel_cannot_place(growth_org, viewer, day):
    answer = viewer.get("/api/v1/economics/release-costs/", {"start": day})
    assert answer.status_code == 400
    assert "outside the dates Keel handles" in answer.json()["start"][0]
