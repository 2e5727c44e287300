"""The records behind a number as a table (pure): heterogeneous record dicts (releases, pull
requests, bugs, work items, incidents, cost lines) become labelled columns + rows, each record's
title linked to it upstream. The page shows what a person reads; the API and its CSV keep every
field (docs/api.md#records-behind-a-number--get-apiv1metricsmetricrecords)."""

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from apps.metrics.display import value_text
from apps.organization.sources import web_label

RECORDS_SHOWN = 200
# Column headers of the fields families give (anything else: "open_days" → "Open days").
LABELS = {
    "kind": "Kind",
    "ref": "Ref",
    "title": "Title",
    "person": "Engineer",
    "repo": "Repo",
    "release": "Release",
    "released_at": "Released (UTC)",
    "changes": "Changes",
    "points": "Points",
    "number": "Pull request",
    "merged_at": "Merged (UTC)",
    "changed_lines": "Changed lines",
    "bot": "Bot",
    "jira_issue": "Jira issue",
    "team": "Team",
    "impact": "Impact",
    "weight": "Weight",
    "created_at": "Created (UTC)",
    "resolved_at": "Resolved (UTC)",
    "open_days_in_period": "Days open in period",
    "impact_days": "Impact-days",
    "bug": "Bug",
    "completed_at": "Completed (UTC)",
    "repairs_others_code": "Repairs others' code",
    "small_fix_that_took_long": "Small fix that took long",
    "name": "Name",
    "churn_risk": "Churn risk",
    "items": "Work items",
    "bug_share": "Bug share",
    "previous_bug_share": "Previous window's bug share",
    "rise": "Rise",
    "small_fixes_that_took_long": "Small fixes that took long",
    "id": "Incident",
    "service_name": "Service",
    "urgency": "Urgency",
    "status": "Status",
    "date": "Date",
    "service": "Service",
    "category": "Category",
    "account": "Account",
    "resource": "Resource",
    "amount": "Amount in period",
    "charge_category": "Charge",
}
# Fields a person does not need on the page (the API and CSV have them): the link (the title
# carries it), and a cost line's provenance and alternative amounts.
HIDDEN = {"url"}
HIDDEN_BY_KIND = {
    "incident": {"service"},  # the id; service_name is shown
    "cost_line": {
        "currency",
        "charge_period_start",
        "charge_period_end",
        "line_cost",
        "billed_cost",
        "effective_cost",
        "share_in_period",
        "import",
        "source_row",
    },
}
MONEY = {"amount", "line_cost", "billed_cost", "effective_cost"}


@dataclass(frozen=True)
class Cell:
    """One cell: its text, and the upstream link when it is the record's title (or, for a
    record without a title, its first column)."""

    text: str
    link: str = ""


@dataclass(frozen=True)
class RecordsTable:
    """`columns`: (field, header) in order of first appearance, hidden fields left out; `rows`:
    (cells, url, link label) per record, at most RECORDS_SHOWN; `total`: how many records."""

    columns: list[tuple[str, str]]
    rows: list[tuple[list[Cell], str, str]]
    total: int


def upstream_label(url: str) -> str:
    """The label of the source kind whose web links live on the URL's host (the adapters'
    `web_hosts`: "GitHub" for https://github.com/..., "Jira" for *.atlassian.net); the host
    otherwise."""
    return web_label(urlparse(url).hostname or "")


def column_label(field: str) -> str:
    return LABELS.get(field) or field.replace("_", " ").capitalize()


def _when(text: str) -> str:
    """An ISO instant "2026-11-03T09:15:00+00:00" as "2026-11-03 09:15"; anything else as is."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment:%Y-%m-%d %H:%M}"


def _cell(field: str, value: object, record: dict, currency: str) -> str:
    if value is None or value == "":
        return "—" if field in ("resolved_at", "team") else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in MONEY and isinstance(value, (int, float)):
        return value_text(float(value), unit="currency", currency=record.get("currency", currency))
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    if isinstance(value, str) and field.endswith("_at"):
        return _when(value)
    return str(value)


def link_target(value: object) -> str:
    """`value` when it is an http(s) URL, else "": a record's `url` comes from upstream data,
    and a `javascript:` or `data:` URL must never become a link."""
    url = str(value or "")
    return url if urlparse(url).scheme in ("http", "https") else ""


def _fields(records: list[dict]) -> list[str]:
    kinds = {r.get("kind") for r in records}
    hidden = set(HIDDEN)
    for kind in kinds:
        hidden |= HIDDEN_BY_KIND.get(str(kind), set())
    if len(kinds) == 1:
        hidden.add("kind")
    fields: list[str] = []
    for record in records:
        fields += [k for k in record if k not in hidden and k not in fields]
    return fields


def records_table(records: list[dict], *, currency: str = "USD") -> RecordsTable:
    fields = _fields(records)
    linked = "title" if "title" in fields else (fields[0] if fields else "")
    rows = []
    for record in records[:RECORDS_SHOWN]:
        url = link_target(record.get("url"))
        cells = []
        for field in fields:
            text = _cell(field, record.get(field), record, currency)
            if field == "title" and not text:
                text = str(record.get("ref") or record.get("release") or "")
            cells.append(Cell(text, url if field == linked and text else ""))
        rows.append((cells, url, upstream_label(url) if url else ""))
    return RecordsTable([(f, column_label(f)) for f in fields], rows, len(records))
