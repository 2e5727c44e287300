"""Synthetic organisations with a known truth, for the tests and benchmarks of the unit
economics models (docs/metrics.md#unit-economics): a cost process with a set elasticity to
customers, and an onboarding process with Weibull durations. Pure and seeded."""

import math
from datetime import date

import numpy as np
import pandas as pd

TRUE_ELASTICITY = 0.6


def synthetic_drivers(
    *,
    seed: int,
    months: int = 24,
    elasticity: float = TRUE_ELASTICITY,
    fixed: float = 2_000.0,
    noise: float = 0.08,
    first: date = date(2024, 1, 1),
) -> pd.DataFrame:
    """A drivers frame (apps.economics.growth) of `months` complete months: customers grow from
    about 10 to 60 with jitter, releases are Poisson(20) and

        cost = fixed · customers^elasticity · exp(ε),  ε ~ Normal(0, noise²)

    so the true elasticity is `elasticity`, `fixed` the cost at one customer, and releases have
    no effect (their true coefficient is 0)."""
    rng = np.random.default_rng(seed)
    trend = np.linspace(10, 60, months)
    customers = np.maximum(1, np.round(trend * rng.uniform(0.85, 1.15, months)))
    releases = rng.poisson(20, months).clip(min=1).astype(float)
    cost = fixed * customers**elasticity * np.exp(rng.normal(0.0, noise, months))
    starts = pd.period_range(pd.Period(first, "M"), periods=months, freq="M")
    return pd.DataFrame(
        {
            "period_start": [p.start_time.date() for p in starts],
            "complete": True,
            "cost": cost,
            "customers": customers,
            "releases": releases,
        }
    )


def weibull_onboarding(
    *, seed: int, customers: int = 300, shape: float = 1.5, scale_days: float = 60.0
) -> tuple[pd.DataFrame, float]:
    """Customers starting uniformly over two years from 2024-01-01 with Weibull(shape,
    scale_days) onboarding durations, and the true median duration
    scale · ln(2)^(1/shape). Columns key, team (""), start, live_at (UTC; the true go-live,
    which a period's end censors when it lies after it)."""
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp("2024-01-01", tz="UTC")
    start = origin + pd.to_timedelta(rng.uniform(0, 730, customers), unit="D")
    duration = pd.to_timedelta(scale_days * rng.weibull(shape, customers), unit="D")
    frame = pd.DataFrame(
        {
            "key": [f"c{i:04d}" for i in range(customers)],
            "team": "",
            "start": start,
            "live_at": start + duration,
        }
    )
    return frame, scale_days * math.log(2) ** (1 / shape)
