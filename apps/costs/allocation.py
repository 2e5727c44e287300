"""Pure allocation of cost lines to teams and the currency rule
(docs/metrics.md#cost-metrics). No I/O."""

from collections.abc import Mapping, Sequence

import pandas as pd

AWS_USER_PREFIX = "user:"


def tag_key_variants(keys: Sequence[str]) -> list[str]:
    """`costs.team_tag_keys` with each key's AWS `user:` spelling and its bare spelling, in
    order, deduplicated: the readers strip AWS's `user:` prefix from CUR tags
    (`resourceTags/user:team` → `team`), so `user:team` must also match `team` and vice versa.

    >>> tag_key_variants(["team", "user:team", "owner"])
    ['team', 'user:team', 'owner']
    """
    out: list[str] = []
    for key in keys:
        bare = key.removeprefix(AWS_USER_PREFIX)
        for variant in (key, bare):
            if variant not in out:
                out.append(variant)
    return out


def _first_tag(tags: Mapping[str, str], keys: Sequence[str]) -> str:
    for key in keys:
        value = tags.get(key)
        if value:
            return str(value).strip().lower()
    return ""


def tag_team(
    tags: Mapping[str, str], *, keys: Sequence[str], teams: Mapping[str, int]
) -> int | None:
    """The team pk one line's tags name: the first of `keys` (already expanded by
    tag_key_variants) with a non-empty value, matched case-insensitively; else None."""
    return teams.get(_first_tag(tags, keys)) if tags else None


def lines_allocate(
    frame: pd.DataFrame,
    *,
    tag_keys: Sequence[str],
    accounts: Mapping[str, str],
    teams: Mapping[str, int],
) -> pd.Series:
    """The team id of each line (docs/metrics.md#cost-metrics, allocation), as a nullable `Int64`
    Series aligned on `frame`.

    Args:
        frame: FOCUS batch with `Tags` (dict per row) and `SubAccountId` (str).
        tag_keys: `costs.team_tag_keys`; the first key present on a line (non-empty value) names
            its team (case-insensitive). A value that names no configured team falls through.
        accounts: `costs.accounts`, SubAccountId → team slug, for lines no tag allocated.
        teams: team slug → Team pk.

    Returns: team pk per line; <NA> = unallocated (still counted for the org).
    """
    keys = tag_key_variants(tag_keys)
    by_tag = frame["Tags"].map(lambda tags: tag_team(tags, keys=keys, teams=teams))
    account_team = {account: teams.get(slug) for account, slug in accounts.items()}
    by_account = frame["SubAccountId"].map(account_team)
    return by_tag.fillna(by_account).astype("Int64")


def fx_rate_for(*, currency: str, billing_currency: str, fx_rates: Mapping[str, float]) -> float:
    """Units of `billing_currency` per unit of `currency` (docs/metrics.md#cost-metrics, money).

    Raises LookupError when the currencies differ and `fx_rates` names no rate for `currency`.
    """
    if currency == billing_currency:
        return 1.0
    if currency in fx_rates:
        return float(fx_rates[currency])
    raise LookupError(
        f"currency {currency} differs from the billing currency {billing_currency} and "
        f"costs.fx_rates has no rate for {currency}"
    )


def billing_months(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """The UTC calendar months ("YYYY-MM") that `[start, end)` touches, in order."""
    last = end - pd.Timedelta(microseconds=1) if end > start else start
    months = pd.period_range(
        start.tz_convert("UTC").tz_localize(None).to_period("M"),
        last.tz_convert("UTC").tz_localize(None).to_period("M"),
        freq="M",
    )
    return [str(m) for m in months]
