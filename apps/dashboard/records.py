"""The records behind a number as a table (pure): heterogeneous record dicts (releases, bugs,
work items, incidents, cost lines) become columns + rows, with each record's `url` turned into
a link to it upstream."""

import json
from dataclasses import dataclass
from urllib.parse import urlparse

RECORDS_SHOWN = 200
UPSTREAMS = (("github.com", "GitHub"), ("atlassian.net", "Jira"), ("pagerduty.com", "PagerDuty"))


@dataclass(frozen=True)
class RecordsTable:
    """`columns`: keys in order of first appearance (without `url`); `rows`: (cells, url,
    link label) per record, at most RECORDS_SHOWN; `total`: how many records there were."""

    columns: list[str]
    rows: list[tuple[list[str], str, str]]
    total: int


def upstream_label(url: str) -> str:
    """ "GitHub" for https://github.com/..., "Jira" for *.atlassian.net, "PagerDuty" for
    *.pagerduty.com; the host otherwise."""
    host = urlparse(url).hostname or ""
    return next((label for suffix, label in UPSTREAMS if host.endswith(suffix)), host)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=str)
    return str(value)


def link_target(value: object) -> str:
    """`value` when it is an http(s) URL, else "": a record's `url` comes from upstream data,
    and a `javascript:` or `data:` URL must never become a link."""
    url = str(value or "")
    return url if urlparse(url).scheme in ("http", "https") else ""


def records_table(records: list[dict]) -> RecordsTable:
    columns: list[str] = []
    for record in records:
        columns += [k for k in record if k != "url" and k not in columns]
    rows = []
    for record in records[:RECORDS_SHOWN]:
        url = link_target(record.get("url"))
        rows.append(
            ([_cell(record.get(c)) for c in columns], url, upstream_label(url) if url else "")
        )
    return RecordsTable(columns, rows, len(records))
