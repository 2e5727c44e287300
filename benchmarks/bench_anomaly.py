"""Benchmark: how often the anomaly rule flags a stationary series, and how often it catches
a real change (docs/metrics.md#anomaly; figures in docs/performance.md).

    .venv/bin/python benchmarks/bench_anomaly.py [--series 2000] [--seed 12] [--json PATH]

Simulated series of 36 periods, `--series` of each kind, judged by the production rule
(`apps.metrics.anomalies.anomaly_tests`) with the model the registry gives the metric each
kind stands for:

- counts (`release_frequency`): Poisson λ = 0.3, 1, 5, 20 per week;
- ratios (`bug_fix_share`): binomial, p = 0.3 of n = 5 and n = 30 items a week;
- `uptime`: months (their real lengths, October 2023 to September 2026) whose down minutes
  are binomial on the month's minutes at 0.1 %;
- `cost`: the same months, a daily rate × the month's days × a log-normal factor of spread
  σ = 0.05, 0.1 and 0.2 (month-to-month noise of about 5 %, 10 %, 20 %).

False flags: the share of judged periods (the 7th to the 36th) flagged on stationary series.
Detection: the 36th period changed — Poisson(5) → Poisson(15), uptime 99.9 % → 99.8 % (a
30-day September), cost × 1.5 — and the share of series whose 36th period is flagged; and
Poisson(5) → Poisson(15) for the last two weeks, flagged in either.
Two further stationary kinds show the models on data that is not Poisson or binomial:
counts from a negative binomial (mean 5, size 2) and uptime with real-looking outages
(Poisson(1) outages a month, exponential durations of mean 45 minutes).

The table is printed for the rule's settings (apps.metrics.anomalies.WINDOW, DISPERSION_P,
ALPHA), then one line per alternative — `--windows`, `--dispersions` (the over-dispersion
test's level, at the rule's window) and `--alphas` — the trade-off between the two targets
(false flags ≤ 0.5 %, each detection ≥ 90 %). The p-values are computed once per window and
dispersion level and compared with each α (the dispersion widening stays at the rule's α).
"""

import argparse
import json
import sys
import time
from datetime import date

import numpy as np
import pandas as pd
from common import setup_django  # noqa: E402 - sets up the path first

PERIODS = 36
FIRST_MONTH = date(2023, 10, 1)  # 36 months to September 2026 (30 days)
FALSE_FLAG_TARGET, DETECTION_TARGET = 0.005, 0.90


def month_days() -> np.ndarray:
    starts = pd.date_range(FIRST_MONTH, periods=PERIODS + 1, freq="MS")
    return np.diff(starts.values).astype("timedelta64[D]").astype(int)


def kinds(rng: np.random.Generator, n: int) -> list[tuple[str, str, str, dict]]:
    """(name, metric, purpose, columns) of every simulated kind: `purpose` is "false" for
    stationary series, "detect" for series whose last period(s) (`columns["changed"]`, 1 by
    default) changed. The draws are made in this order, so a seed gives the same series."""
    week = np.full((n, PERIODS), 7.0)
    days = np.tile(month_days().astype(float), (n, 1))
    minutes = days * 1440
    out = []

    def add(name, metric, purpose, value, span, **extra):
        out.append((name, metric, purpose, {"value": value, "days": span, **extra}))

    for lam in (0.3, 1, 5, 20):
        add(f"Poisson λ={lam}", "release_frequency", "false", rng.poisson(lam, week.shape), week)
    for items in (5, 30):
        k = rng.binomial(items, 0.3, week.shape)
        size = np.full(week.shape, items)
        add(
            f"binomial p=0.3, n={items}",
            "bug_fix_share",
            "false",
            k / items,
            week,
            sample_size=size,
        )
    down = rng.binomial(minutes.astype(int), 0.001)
    add("uptime 99.9 % (binomial minutes)", "uptime", "false", 1 - down / minutes, days)
    for sigma in (0.05, 0.1, 0.2):
        cost = 1000.0 * days * np.exp(rng.normal(0, sigma, days.shape))
        add(f"cost log-normal σ={sigma}", "cost", "false", cost, days)
    nb = rng.negative_binomial(2, 2 / (2 + 5), week.shape)
    add("counts NB(mean 5, size 2)", "release_frequency", "false", nb, week)
    add("uptime with outages", "uptime", "false", outage_uptime(rng, minutes), days)
    tripled = rng.poisson(5, week.shape)
    tripled[:, -1] = rng.poisson(15, n)
    add("Poisson(5) tripled", "release_frequency", "detect", tripled, week)
    down = rng.binomial(minutes.astype(int), 0.001)
    down[:, -1] = rng.binomial(minutes[:, -1].astype(int), 0.002)
    add("uptime 99.9 % → 99.8 % (30 days)", "uptime", "detect", 1 - down / minutes, days)
    for sigma in (0.05, 0.1, 0.2):
        cost = 1000.0 * days * np.exp(rng.normal(0, sigma, days.shape))
        cost[:, -1] *= 1.5
        add(f"cost +50 %, σ={sigma}", "cost", "detect", cost, days)
    twice = rng.poisson(5, week.shape)
    twice[:, -2:] = rng.poisson(15, (n, 2))
    add("Poisson(5) tripled, 2 weeks", "release_frequency", "detect", twice, week, changed=2)
    return out


def outage_uptime(rng: np.random.Generator, minutes: np.ndarray) -> np.ndarray:
    outages = rng.poisson(1.0, minutes.shape)
    down = np.array([rng.exponential(45.0, k).sum() for k in outages.ravel()]).reshape(
        minutes.shape
    )
    return 1 - np.minimum(down, minutes) / minutes


def series_frame(metric: str, columns: dict) -> pd.DataFrame:
    """The simulated matrix (series × periods) as the frame the rule reads."""
    shape = columns["value"].shape
    return pd.DataFrame(
        {
            "metric": metric,
            "scope": "org",
            "scope_key": np.repeat([f"s{i}" for i in range(shape[0])], shape[1]),
            "granularity": "month",
            "period_start": np.tile(np.arange(shape[1]), shape[0]),
            "value": np.asarray(columns["value"], float).ravel(),
            "sample_size": np.asarray(columns.get("sample_size", np.zeros(shape)), int).ravel(),
            "days": np.asarray(columns["days"], float).ravel(),
        }
    )


def measure(args) -> dict:
    from apps.metrics import anomalies
    from apps.metrics.registry import definition

    rng = np.random.default_rng(args.seed)
    results = []
    for name, metric, purpose, columns in kinds(rng, args.series):
        frame = series_frame(metric, columns)
        known = definition(metric)
        if known is None:
            raise SystemExit(f"unknown metric {metric!r}")
        models = {metric: str(known.anomaly_model)}
        for window, dispersion in args.settings:
            started = time.perf_counter()
            tests = anomalies.anomaly_tests(
                frame, models=models, window=window, alpha=1.0, dispersion_p=dispersion
            )
            seconds = time.perf_counter() - started
            changed = frame["period_start"] >= PERIODS - columns.get("changed", 1)
            judged = tests["judged"] & (changed if purpose == "detect" else True)
            p = tests.loc[judged, "p_value"].to_numpy()
            series = frame.loc[judged, "scope_key"].to_numpy()
            for alpha in args.alphas:
                # detection: the share of series with a changed period flagged
                flagged = (
                    pd.Series(p < alpha).groupby(series).any() if purpose == "detect" else p < alpha
                )
                results.append(
                    {
                        "kind": name,
                        "metric": metric,
                        "model": models[metric],
                        "purpose": purpose,
                        "window": window,
                        "dispersion_p": dispersion,
                        "alpha": alpha,
                        "rate": float(np.mean(flagged)),
                        "judged": int(judged.sum()),
                        "distributions": tests.loc[judged, "distribution"].value_counts().to_dict(),
                        "seconds": seconds,
                    }
                )
    return {"series": args.series, "seed": args.seed, "results": results}


def setting(r: dict) -> tuple:
    return r["window"], r["dispersion_p"], r["alpha"]


def report(figures: dict, chosen: tuple) -> None:
    rows = [r for r in figures["results"] if setting(r) == chosen]
    window, dispersion, alpha = chosen
    print(
        f"\nwindow {window}, over-dispersion test at {dispersion}, α = {alpha} "
        f"({figures['series']} series of {PERIODS} periods each)"
    )
    print(f"{'kind':36} {'model':18} {'figure':13} {'rate':>7}  target   distributions")
    for r in rows:
        false = r["purpose"] == "false"
        target = FALSE_FLAG_TARGET if false else DETECTION_TARGET
        met = r["rate"] <= target if false else r["rate"] >= target
        shares = ", ".join(f"{k} {v / r['judged']:.0%}" for k, v in r["distributions"].items())
        print(
            f"{r['kind']:36} {r['model']:18} {'false flags' if false else 'detected':13} "
            f"{r['rate']:7.2%}  {'≤' if false else '≥'}{target:.1%} "
            f"{'ok ' if met else 'NO '} {shares}"
        )


OFF_MODEL = ("counts NB(mean 5, size 2)", "uptime with outages")


def trade_off(figures: dict) -> None:
    """One line per setting: the worst false-flag rate over the kinds the targets name, the
    rates of the two off-model kinds, and every detection."""
    results = figures["results"]
    detect = list(dict.fromkeys(r["kind"] for r in results if r["purpose"] == "detect"))
    print("\nTrade-off: worst false-flag rate of the Poisson, binomial, uptime and cost kinds;")
    print("false flags on over-dispersed counts and lumpy uptime; each detection")
    head = ["window", "disp.", "alpha", "worst false", "NB counts", "outages", *detect]
    print(" | ".join(head))
    for chosen in dict.fromkeys(setting(r) for r in results):
        rows = {r["kind"]: r for r in results if setting(r) == chosen}
        worst = max(
            r["rate"] for k, r in rows.items() if r["purpose"] == "false" and k not in OFF_MODEL
        )
        cells = [f"{worst:.2%}", *(f"{rows[k]['rate']:.2%}" for k in OFF_MODEL)]
        cells += [f"{rows[k]['rate']:.1%}" for k in detect]
        print(" | ".join([str(chosen[0]), str(chosen[1]), str(chosen[2]), *cells]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--windows", type=int, nargs="+", default=None)
    parser.add_argument("--alphas", type=float, nargs="+", default=None)
    parser.add_argument("--dispersions", type=float, nargs="+", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    setup_django()
    from apps.metrics.anomalies import ALPHA, DISPERSION_P, WINDOW

    windows = sorted({WINDOW, *(args.windows or [12, 24])})
    dispersions = sorted({DISPERSION_P, *(args.dispersions or [0.05, 0.2])})
    args.settings = [(w, DISPERSION_P) for w in windows]
    args.settings += [(WINDOW, d) for d in dispersions if d != DISPERSION_P]
    args.alphas = sorted({ALPHA, *(args.alphas or [0.002, 0.003, 0.004, 0.005, 0.01, 0.02, 0.05])})
    figures = measure(args)
    report(figures, (WINDOW, DISPERSION_P, ALPHA))
    trade_off(figures)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
