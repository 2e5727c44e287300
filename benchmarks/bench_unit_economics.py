"""Unit economics models against synthetic organisations with a known truth
(docs/performance.md#unit-economics, docs/metrics.md#unit-economics).

1. Cost growth model: cost = 2,000 · customers^0.6 · exp(ε), ε ~ N(0, 0.08²), 24 months, releases
   with no effect. How often does the 90 % interval of the elasticity cover 0.6? (200 seeded
   organisations, the figure the tests and docs quote, then 2,000 for a tighter estimate.)
2. Kaplan–Meier: Weibull(1.5, 60 days) onboarding durations, starts spread over two years,
   censored at 2026-01-01. How far is the median from the true one, with 1,000, 300 and 30
   customers (a small organisation)?

    .venv/bin/python benchmarks/bench_unit_economics.py [--runs 200] [--out FILE]
"""

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import ROOT

from apps.economics.growth import NoFit, growth_fit
from apps.economics.survival import Observations, km_median
from apps.economics.synthetic import TRUE_ELASTICITY, synthetic_drivers, weibull_onboarding

CENSOR_AT = pd.Timestamp("2026-01-01", tz="UTC")


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval of a proportion."""
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def coverage(runs: int) -> dict:
    started = time.perf_counter()
    fits = []
    for seed in range(runs):
        drivers = synthetic_drivers(seed=seed)
        fit = growth_fit(drivers, drivers["period_start"].iloc[-1])
        if isinstance(fit, NoFit):
            raise SystemExit(f"synthetic organisation {seed}: no fit: {fit.reason}")
        fits.append(fit)
    seconds = time.perf_counter() - started
    hits = sum(f.interval[0] <= TRUE_ELASTICITY <= f.interval[1] for f in fits)
    estimates = np.array([f.elasticity for f in fits])
    low, high = wilson(hits, runs)
    return {
        "runs": runs,
        "covered": hits,
        "coverage": hits / runs,
        "coverage_95ci": [low, high],
        "mean_estimate": float(estimates.mean()),
        "sd_estimate": float(estimates.std(ddof=1)),
        "mean_interval_width": float(np.mean([f.interval[1] - f.interval[0] for f in fits])),
        "ms_per_organisation": 1000 * seconds / runs,
    }


def kaplan_meier(runs: int, customers: int) -> dict:
    errors = []
    for seed in range(runs):
        frame, truth = weibull_onboarding(seed=seed, customers=customers)
        median = km_median(Observations.at(frame, CENSOR_AT))
        errors.append(abs(median - truth) / truth if not math.isnan(median) else math.inf)
    relative = np.array(errors)
    return {
        "runs": runs,
        "customers": customers,
        "within_10_percent": float((relative <= 0.10).mean()),
        "median_relative_error": float(np.median(relative)),
        "p90_relative_error": float(np.quantile(relative, 0.9)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/unit-economics.json")
    args = parser.parse_args()
    result = {
        "cost_model": coverage(args.runs),
        "cost_model_2000": coverage(2000),
        "kaplan_meier_1000": kaplan_meier(args.runs, 1000),
        "kaplan_meier_300": kaplan_meier(args.runs, 300),
        "kaplan_meier_30": kaplan_meier(args.runs, 30),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
