"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): what the unit economics models need
(docs/metrics.md#unit-economics) — customers onboarding through the whole 18 months, a cost that
grows with them, a usage series, engineering costs, and one release after which compute cost
jumps for three weeks.

- **Customers**: twenty, one starting about every four weeks from the first day of the month
  17 months back, each live when its onboarding ticket (`API-9xxx` or `PAY-9xxx`, a Task in the
  simulated Jira) is resolved: Weibull(1.4, 40 days) after its start, seeded; those whose
  go-live is still ahead stay onboarding.
- **Usage**: `requests` per month ≈ 1.5 M per customer live times an activity level that
  wanders ±20 % a month, written to `var/demo-usage.csv`.
- **Cost** (apps.demo.costs asks `cost_scales`): every daily line × (1 + customers live)^0.45 ×
  (requests / 1.5 M)^0.2 / 4, and compute × 1.35 for the 21 days from COST_JUMP_DAYS ago (a
  release that made compute dearer, fixed three weeks later). The cost growth model should
  find an elasticity to customers near 0.45 and to requests near 0.2.
- **Engineering cost**: platform 95,000 and payments 80,000 a month; the platform and payments
  cost lines are tagged with the `api` and `web` PagerDuty services (apps.demo.costs).

Anchored to months (not days), so the generated files change once a month, not every day.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings

from integrations.simulator.jira.world import TYPES, make_issue

CUSTOMERS = (
    "initech", "hooli", "soylent", "tyrell", "cyberdyne", "massive", "wonka", "stark",
    "oscorp", "gringotts", "vandelay", "pied-piper", "dunder", "nakatomi", "aperture",
    "monarch", "duff", "krusty", "prestige", "sterling",
)  # fmt: skip
ENGINEERING = {"platform": 95_000, "payments": 80_000}
SERVICE_TAGS = {"platform": "api", "payments": "web"}
COST_JUMP_DAYS, COST_JUMP_LENGTH, COST_JUMP = 75, 21, 1.35
ELASTICITY, REQUESTS_ELASTICITY = 0.45, 0.2
ISSUE_BASE = 9000


@dataclass(frozen=True)
class DemoCustomer:
    key: str
    team: str
    project: str
    start: date
    live: datetime  # may lie after today: still onboarding then


def origin(today: datetime) -> date:
    """The first day of the month 17 months before today's: the demo's first month."""
    index = today.year * 12 + today.month - 1 - 17
    return date(index // 12, index % 12 + 1, 1)


def demo_customers(*, today: datetime) -> list[DemoCustomer]:
    """The twenty customers of the module docstring (seeded: the same for a given month)."""
    rng = np.random.default_rng(19)
    first = origin(today)
    out = []
    for i, key in enumerate(CUSTOMERS):
        team, project = ("platform", "API") if i % 2 == 0 else ("payments", "PAY")
        start = first + timedelta(days=int(26 * i + rng.integers(0, 7)))
        days = 40.0 * rng.weibull(1.4) + 3.0
        live = datetime(start.year, start.month, start.day, 10, tzinfo=UTC) + timedelta(days=days)
        out.append(DemoCustomer(key, team, project, start, live))
    return out


def customers_live(day: date, customers: list[DemoCustomer]) -> int:
    """Demo customers live by the end of `day`."""
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    return sum(c.live < end for c in customers)


def requests_by_month(*, today: datetime) -> dict[date, float]:
    """Requests per month from the demo's first month to today's: ≈ 1.5 M per customer live at
    the month's end (one for the demo's own traffic), times an activity level that wanders
    ±20 % a month (seeded), so requests and customers do not move in lockstep."""
    customers = demo_customers(today=today)
    rng = np.random.default_rng(23)
    out, month, activity = {}, origin(today), 0.0
    while month <= today.date():
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        activity += rng.normal(0, 0.2)
        live = customers_live(following - timedelta(days=1), customers)
        out[month] = 1_500_000 * (1 + live) * math.exp(activity)
        month = following
    return out


def cost_scales(first: date, last: date, *, today: datetime) -> dict[tuple[date, str], float]:
    """What apps.demo.costs multiplies a line of each day in [first, last] by, per service
    category ("*" for every category, "Compute" where the compute jump applies):
    (1 + customers live)^0.45 × (requests of the month / 1.5 M)^0.2 / 4."""
    customers = demo_customers(today=today)
    requests = requests_by_month(today=today)
    jump = (today - timedelta(days=COST_JUMP_DAYS)).date()
    out: dict[tuple[date, str], float] = {}
    day = first
    while day <= last:
        volume = requests.get(day.replace(day=1), 1_500_000) / 1_500_000
        scale = (1 + customers_live(day, customers)) ** ELASTICITY * volume**REQUESTS_ELASTICITY / 4
        out[(day, "*")] = scale
        if jump <= day < jump + timedelta(days=COST_JUMP_LENGTH):
            out[(day, "Compute")] = scale * COST_JUMP
        day += timedelta(days=1)
    return out


def onboarding_issues(*, today: datetime, reporter: str) -> list[dict]:
    """One onboarding ticket per demo customer (a Task, unassigned), resolved at its go-live
    when that is before `today`: added to the simulated Jira by apps.demo.jira."""
    task = next(t for t in TYPES if t[1] == "Task")
    issues = []
    for n, c in enumerate(demo_customers(today=today)):
        created = datetime(c.start.year, c.start.month, c.start.day, 9, tzinfo=UTC)
        issues.append(
            make_issue(
                issue_id=990_000 + n,
                key=f"{c.project}-{ISSUE_BASE + n}",
                project=c.project,
                kind=task,
                created=created,
                resolved=c.live if c.live < today else None,
                priority="Medium",
                assignee=None,
                reporter=reporter,
                points=None,
                labels=["onboarding"],
                offset_hours=2,
            )
        )
    return issues


def usage_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-usage.csv"


def usage_write(*, today: datetime) -> Path:
    """The complete months of `requests_by_month` as the `month,value` CSV the config's `usage`
    names."""
    lines = ["month,value"]
    for month, value in requests_by_month(today=today).items():
        if (month.year, month.month) < (today.year, today.month):
            lines.append(f"{month:%Y-%m},{value:.0f}")
    path = usage_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the customers, the engineering costs and the usage series (after the PagerDuty and
    cost extensions, whose `customers` and `costs` sections this extends)."""
    today = datetime.now(UTC)
    config.setdefault("customers", [])
    for n, c in enumerate(demo_customers(today=today)):
        config["customers"].append(
            {
                "key": c.key,
                "name": c.key.replace("-", " ").title(),
                "team": c.team,
                "onboarding_start": c.start.isoformat(),
                "jira_issue": f"{c.project}-{ISSUE_BASE + n}",
            }
        )
    config.setdefault("costs", {})["engineering"] = dict(ENGINEERING)
    path = usage_write(today=today)
    config["usage"] = [{"name": "requests", "unit": "requests", "path": str(path)}]
