"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): a generated FOCUS export for the demo teams.

One FOCUS 1.0 CSV per month of the last 18 months under `var/demo-costs/`, daily lines per team and
service category: tagged `team: platform|payments`, an untagged share, and untagged lines of account
999900001111, which the config maps to payments (docs/metrics.md#cost-metrics, allocation).
Deterministic (seeded), so re-running the demo imports nothing new except the current month.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings

from apps.demo import economics
from apps.ingestion.cost_files import cost_exports_scan

EXPORT_NAME = "demo-aws"
MAPPED_ACCOUNT = "999900001111"
# (category, service, daily base cost in USD per team)
SERVICES = (
    ("Compute", "Amazon Elastic Compute Cloud", 120.0),
    ("Storage", "Amazon S3", 30.0),
    ("Networking", "Amazon CloudFront", 12.0),
    ("Databases", "Amazon RDS", 45.0),
)
OWNERS = (  # the team lines name the PagerDuty service they run (unit economics)
    ('{"team": "platform", "service": "api"}', "111100002222"),
    ('{"team": "payments", "service": "web"}', "111100003333"),
    ("{}", "111100004444"),
    ("{}", MAPPED_ACCOUNT),
)


def export_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-costs"


def _month_frame(
    first: date, last: date, rng: np.random.Generator, scales: dict[tuple[date, str], float]
) -> pd.DataFrame:
    rows = []
    for day in pd.date_range(first, last, freq="D", tz="UTC"):
        for tags, account in OWNERS:
            share = 1.0 if tags != "{}" else 0.2
            for category, service, base in SERVICES:
                scale = scales.get((day.date(), category), scales[(day.date(), "*")])
                cost = round(base * share * scale * rng.uniform(0.8, 1.2), 4)
                rows.append((day, day + timedelta(days=1), cost, category, service, account, tags))
    frame = pd.DataFrame(
        rows,
        columns=[
            "ChargePeriodStart",
            "ChargePeriodEnd",
            "EffectiveCost",
            "ServiceCategory",
            "ServiceName",
            "SubAccountId",
            "Tags",
        ],
    )
    return frame.assign(
        BilledCost=frame["EffectiveCost"],
        BillingCurrency="USD",
        ResourceId="",
        ChargeCategory="Usage",
        ProviderName="AWS",
    )


def demo_export_write(*, today: datetime, months: int = 18) -> list[Path]:
    """Write the monthly files (up to yesterday) and return their paths."""
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    last_day = (today - timedelta(days=1)).date()
    paths = []
    for period in pd.period_range(end=pd.Period(last_day, "M"), periods=months, freq="M"):
        first = period.start_time.date()
        last = min(period.end_time.date(), last_day)
        rng = np.random.default_rng(period.ordinal)  # same month → same bytes
        path = folder / f"focus-{period}.csv"
        scales = economics.cost_scales(first, last, today=today)
        frame = _month_frame(first, last, rng, scales)
        for column in ("ChargePeriodStart", "ChargePeriodEnd"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        text = frame.to_csv(index=False)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return paths


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the `costs` section: USD, tag keys, the mapped account and the generated export."""
    demo_export_write(today=datetime.now(UTC))
    config["costs"] = {
        "currency": "USD",
        "team_tag_keys": ["team", "user:team"],
        "accounts": {MAPPED_ACCOUNT: "payments"},
        "exports": [{"name": EXPORT_NAME, "format": "focus", "path": str(export_dir())}],
    }


def after_sync(*, echo: Callable[[str], None] | None = None) -> None:
    """Import the generated export through the same scan the beat task runs."""
    imports = cost_exports_scan()
    if echo:
        echo(f"costs: {len(imports)} file(s), {sum(r.rows for r in imports)} lines")
