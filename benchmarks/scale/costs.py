"""The scale organisation's FOCUS 1.0 export: one CSV per billing month, daily lines per
cloud resource, `plan.count("cost_lines")` lines over the three years (written in a child
process, so its memory is not the import's).

Each resource belongs to one PagerDuty service (resource r to service r mod 80) and so to that
service's team. 70 % of resources are tagged `{"team", "service", "env"}`, 8 % carry the team
under `user:team`, 12 % are untagged in their team's account (the config maps it to the team)
and 10 % are untagged in a shared account (unallocated), as in apps/demo/costs.py. Costs are
lognormal per resource, vary ±20 % a day and grow 40 % over the three years. Deterministic:
month m's file depends only on the plan's seed and m.
"""

from __future__ import annotations

import json
import multiprocessing
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from scale import config as c
from scale import plan as p

CATEGORIES = (
    ("Compute", "Amazon Elastic Compute Cloud", "i"),
    ("Storage", "Amazon Simple Storage Service", "bucket"),
    ("Databases", "Amazon Relational Database Service", "db"),
    ("Networking", "Amazon CloudFront", "dist"),
    ("Analytics", "Amazon Athena", "wg"),
)
_TAGGING = (0.70, 0.08, 0.12, 0.10)  # team tag, user:team tag, team account, shared account


def _resources(plan: p.Plan, count: int) -> pd.DataFrame:
    """Fixed attributes of resources 0..count-1: tags, account, category, base daily cost."""
    rng = np.random.default_rng(plan.seed)
    services = p.services()
    team_index = {slug: i for i, (slug, _) in enumerate(p.TEAMS)}
    style = rng.choice(4, size=count, p=_TAGGING)
    category = rng.choice(len(CATEGORIES), size=count, p=(0.45, 0.2, 0.2, 0.1, 0.05))
    tags, accounts = [], []
    for r in range(count):
        _, name, team, _ = services[r % len(services)]
        key = ("team", "user:team")[style[r]] if style[r] < 2 else None
        tags.append(json.dumps({key: team, "service": name, "env": "prod"}) if key else "{}")
        accounts.append(c.SHARED_ACCOUNT if style[r] == 3 else c.team_account(team_index[team]))
    return pd.DataFrame(
        {
            "Tags": tags,
            "SubAccountId": accounts,
            "ServiceCategory": [CATEGORIES[k][0] for k in category],
            "ServiceName": [CATEGORIES[k][1] for k in category],
            "ResourceId": [f"{CATEGORIES[k][2]}-{r:08x}" for r, k in enumerate(category)],
            "base": rng.lognormal(2.5, 1.0, size=count),
        }
    )


def _lines_per_day(total: int, days: int) -> np.ndarray:
    edges = (np.arange(days + 1, dtype=np.int64) * total) // days
    return np.diff(edges)


def _month_frame(
    plan: p.Plan, resources: pd.DataFrame, first: int, per_day: np.ndarray, month: pd.Period
) -> pd.DataFrame:
    rng = np.random.default_rng([plan.seed, month.ordinal])
    day = np.repeat(np.arange(first, first + len(per_day)), per_day)
    resource = np.concatenate([np.arange(n) for n in per_day])
    frame = resources.iloc[resource].reset_index(drop=True)
    growth = 1 + 0.4 * day / p.YEARS_DAYS
    cost = (frame["base"].to_numpy() * rng.uniform(0.8, 1.2, len(day)) * growth).round(6)
    starts = pd.Timestamp(plan.start) + pd.to_timedelta(day, unit="D")
    return frame.drop(columns="base").assign(
        ChargePeriodStart=starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ChargePeriodEnd=(starts + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        BilledCost=(cost * 1.08).round(6),
        EffectiveCost=cost,
        BillingCurrency="USD",
        ChargeCategory="Usage",
        ProviderName="AWS",
    )


def export_write(plan: p.Plan, folder: Path) -> list[Path]:
    """Write the monthly files (replacing any earlier ones) and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("focus-*.csv"):
        old.unlink()
    per_day = _lines_per_day(plan.count("cost_lines"), p.YEARS_DAYS)
    resources = _resources(plan, int(per_day.max()))
    days = pd.date_range(plan.start.replace(tzinfo=None), periods=p.YEARS_DAYS, freq="D")
    months = days.to_period("M")
    paths = []
    for month in months.unique():
        where = np.flatnonzero(months == month)
        frame = _month_frame(plan, resources, int(where[0]), per_day[where], month)
        path = folder / f"focus-{month}.csv"
        frame.to_csv(path, index=False)
        paths.append(path)
    return paths


def export_write_in_child(plan: p.Plan, folder: Path) -> None:
    """`export_write` in a forked child (its memory is not counted in the import's RSS)."""
    child = multiprocessing.get_context("fork").Process(target=export_write, args=(plan, folder))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"writing the FOCUS export failed (exit code {child.exitcode})")
