"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): a simulated PagerDuty account with three
services and 18 months of incidents, the config's PagerDuty source and three customers.

Customers: `globex` and `umbrella` go live by their first successful `prod-<customer>`
deployment (the demo GitHub world deploys to `production`, `staging` and `prod-<customer>` for
globex, initech, umbrella, hooli); `wayne` waits for an environment no repo deploys to, so it
stays onboarding.
"""

import secrets
from datetime import UTC, datetime, timedelta

from integrations.simulator.pagerduty import PagerDutyProvider, generate_pagerduty_world

TOKEN_ENV = "KEEL_DEMO_PAGERDUTY_TOKEN"
SERVICES = {
    "PAPI001": ("api", "platform", 0.999),
    "PWEB001": ("web", None, 0.995),
    "PJOB001": ("jobs", None, None),
}
_state: dict[str, object] = {}


def providers(*, today: datetime) -> list[PagerDutyProvider]:
    """The simulated PagerDuty account (540 days ending today, 900 incidents)."""
    end = today.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    world = generate_pagerduty_world(
        seed=11,
        services={sid: name for sid, (name, _, _) in SERVICES.items()},
        incidents=900,
        start=end - timedelta(days=540),
        end=end,
        open_share=0.005,
        high_share=0.3,
    )
    _state["token"] = secrets.token_hex(16)
    _state["start"] = end - timedelta(days=540)
    return [PagerDutyProvider(world, token=str(_state["token"]))]


def environment() -> dict[str, str]:
    return {TOKEN_ENV: str(_state["token"])}


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the PagerDuty source, the incident settings and the customers to the demo config."""
    teams = [t["slug"] for t in config["teams"]]
    services = []
    for sid, (name, team, slo) in SERVICES.items():
        entry: dict = {"id": sid, "team": team or teams[-1], "name": name}
        if slo is not None:
            entry["slo"] = slo
        services.append(entry)
    services[0]["team"] = teams[0]
    config["sources"].append(
        {
            "name": "pagerduty",
            "kind": "pagerduty",
            "base_url": base_url,
            "token_env": TOKEN_ENV,
            "services": services,
        }
    )
    config["incidents"] = {"outage_urgencies": ["high"]}
    start = _state["start"].date()  # type: ignore[attr-defined]
    config["customers"] = [
        {
            "key": "globex",
            "name": "Globex",
            "team": teams[0],
            "onboarding_start": start.isoformat(),
            "environment": "^prod-globex$",
        },
        {
            "key": "umbrella",
            "name": "Umbrella",
            "team": teams[-1],
            "onboarding_start": (start + timedelta(days=60)).isoformat(),
            "environment": "^prod-umbrella$",
        },
        {
            "key": "wayne",
            "name": "Wayne Enterprises",
            "team": teams[0],
            "onboarding_start": (start + timedelta(days=400)).isoformat(),
            "environment": "^prod-wayne$",
        },
    ]
