"""The `sizes` phase: rows and on-disk size of each main table, and the results JSON.

Size is `pg_total_relation_size` (table + indexes + TOAST, dead tuples included: what the disk
holds after the sync, whose upserts and size updates leave some); MB are 10^6 bytes. The
results file `benchmarks/results/scale-<fraction>.json` keeps the phases' figures and the
sizes; `growth` compares two such files table by table (10x from 0.1 to 1.0 is linear).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "results"
#: (label, "app_label.Model") of the main tables
TABLES = (
    ("pull requests", "delivery.PullRequest"),
    ("releases", "delivery.Release"),
    ("tags", "delivery.Tag"),
    ("deployments", "delivery.Deployment"),
    ("github issues", "quality.Issue"),
    ("jira issues", "quality.JiraIssue"),
    ("incidents", "reliability.Incident"),
    ("cost lines", "costs.CostLine"),
    ("cost groups", "costs.CostGroup"),
    ("metric rows", "metrics.MetricRow"),
)


def _mb_per_million(size: int, rows: int) -> float | None:
    return round(size / 1e6 / (rows / 1e6), 1) if rows else None


def sizes_measure() -> dict:
    """{label: {table, rows, bytes, mb, mb_per_million_rows}} plus "total database" (the
    database's size; its rows are the main tables' rows together)."""
    from django.apps import apps
    from django.db import connection

    out: dict[str, dict] = {}
    with connection.cursor() as cursor:
        for label, dotted in TABLES:
            table = apps.get_model(dotted)._meta.db_table
            cursor.execute(f'SELECT count(*), pg_total_relation_size(\'"{table}"\') FROM "{table}"')
            rows, size = cursor.fetchone()
            out[label] = {
                "table": table,
                "rows": rows,
                "bytes": size,
                "mb": round(size / 1e6, 1),
                "mb_per_million_rows": _mb_per_million(size, rows),
            }
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    rows = sum(item["rows"] for item in out.values())
    out["total database"] = {
        "table": "(all)",
        "rows": rows,
        "bytes": size,
        "mb": round(size / 1e6, 1),
        "mb_per_million_rows": _mb_per_million(size, rows),
    }
    return out


def sizes_print(sizes: dict) -> None:
    print(f"{'table':16} {'rows':>12} {'MB':>10} {'MB / M rows':>12}")
    for label, item in sizes.items():
        per = item["mb_per_million_rows"]
        print(
            f"{label:16} {item['rows']:>12,} {item['mb']:>10,.1f} "
            f"{per if per is not None else '-':>12}"
        )


def results_path(fraction: float) -> Path:
    return RESULTS / f"scale-{fraction:g}.json"


def results_update(fraction: float, **parts: object) -> Path:
    """Merge `parts` (e.g. phases={...}, sizes={...}) into the fraction's results file."""
    path = results_path(fraction)
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {"fraction": fraction}
    for key, value in parts.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


def growth_print(fraction: float) -> None:
    """Growth of rows, size and MB per million rows from each other fraction's results to
    this one's (printed only when both files hold sizes)."""
    mine = json.loads(results_path(fraction).read_text()).get("sizes", {})
    for other in sorted(RESULTS.glob("scale-*.json")):
        theirs = json.loads(other.read_text())
        if theirs.get("fraction") == fraction or not theirs.get("sizes") or not mine:
            continue
        ratio = fraction / theirs["fraction"]
        print(f"growth from fraction {theirs['fraction']:g} to {fraction:g} ({ratio:g}x = linear):")
        for label, item in mine.items():
            base = theirs["sizes"].get(label)
            if not base or not base["rows"] or not base["bytes"]:
                continue
            print(
                f"  {label:16} rows {item['rows'] / base['rows']:6.2f}x  "
                f"size {item['bytes'] / base['bytes']:6.2f}x"
            )
