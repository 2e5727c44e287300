"""What keeps Keel's numbers from being whole (docs/dashboard.md#data-quality): accounts whose
work counts for nobody, cost that belongs to no team, sources that fail or have gone stale,
and engineers without a churn score, each with why and what to do about it.

Read with a handful of aggregate queries, so the badge on the organisation, team and metric
pages costs little."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.accounts.access import engineer_emails_visible, is_admin
from apps.costs.models import CostImport, CostLine
from apps.delivery.models import PullRequest
from apps.ingestion.models import SyncRun
from apps.metrics.display import value_text
from apps.metrics.selectors import User, metric_rows_visible
from apps.organization.models import Identity, Person, Source
from apps.organization.sources import identity_fold, identity_of, source_kinds_of, source_label
from apps.quality.models import JiraIssue

# A source whose newest successful sync is older than this is stale (syncs run hourly by
# default, docs/operations.md).
STALE_AFTER = timedelta(days=2)
UNSCORED_NO_ROW = "no work item matched to them in the churn window (check their identities)"


@dataclass(frozen=True)
class Unmatched:
    """An upstream account no person's identity names: its work counts for no engineer."""

    provider: str  # an identity kind (apps.organization.sources): a code host's, or Jira's
    external_id: str
    display: str  # the login, or the Jira display name
    items: int
    add_url: str  # the admin's "add identity" form, filled in ("" for non-admins)
    what: str = ""  # what `items` counts: "GitHub pull requests", "Jira issues assigned"


@dataclass(frozen=True)
class SourceProblem:
    name: str
    kind: str
    problem: str  # "last sync failed: …", "no successful sync since …", "never synced"


@dataclass(frozen=True)
class CostGap:
    """Cost of one month that belongs to no team: `unallocated` of `total` (`share`)."""

    month: date
    unallocated: float
    total: float

    @property
    def share(self) -> float:
        return self.unallocated / self.total if self.total else 0.0


@dataclass(frozen=True)
class Unscored:
    name: str
    email: str
    team: str
    reason: str


@dataclass
class DataQuality:
    unmatched: list[Unmatched] = field(default_factory=list)
    sources: list[SourceProblem] = field(default_factory=list)
    cost: CostGap | None = None
    unscored: list[Unscored] = field(default_factory=list)
    unscored_hidden: int = 0  # unscored engineers this user may not see by name
    month: date | None = None

    @property
    def unmatched_items(self) -> int:
        return sum(u.items for u in self.unmatched)

    @property
    def summary(self) -> list[str]:
        """The badge's words: "18 unmatched accounts", "8.4% of cost on no team", ..."""
        out = []
        if self.unmatched:
            n = len(self.unmatched)
            out.append(f"{n} unmatched account{'s' if n != 1 else ''}")
        if self.cost is not None and self.cost.unallocated:
            out.append(f"{value_text(self.cost.share, unit='ratio')} of cost on no team")
        if self.sources:
            n = len(self.sources)
            out.append(f"{n} source{'s' if n != 1 else ''} failing or stale")
        unscored = len(self.unscored) + self.unscored_hidden
        if unscored:
            out.append(f"{unscored} engineer{'s' if unscored != 1 else ''} unscored")
        return out

    @property
    def problems(self) -> int:
        """How many kinds of gap there are: the number on the badge."""
        cost = 1 if self.cost is not None and self.cost.unallocated else 0
        unscored = len(self.unscored) + self.unscored_hidden
        return len(self.unmatched) + len(self.sources) + cost + unscored


def _add_identity_url(provider: str, external_id: str) -> str:
    query = urlencode({"provider": provider, "external_id": external_id})
    return f"{reverse('admin:organization_identity_add')}?{query}"


def unmatched_accounts(*, admin_links: bool) -> list[Unmatched]:
    """Pull-request authors (bots aside) at every code host and Jira assignees that no identity
    names, with how many pull requests or issues each has, most first. A login is compared as
    its provider compares them (apps.organization.sources: GitHub ignores case)."""
    known = {
        (provider, identity_fold(provider, external))
        for provider, external in Identity.objects.values_list("provider", "external_id")
    }
    out = []
    authors = (
        PullRequest.objects.exclude(user_login="")
        .exclude(user_type="Bot")
        .exclude(user_login__endswith="[bot]")
        .values("repo__source__kind", "user_login")
        .annotate(n=Count("id"))
    )
    logins: dict[tuple[str, str, str], int] = {}
    for row in authors:
        kind, login = row["repo__source__kind"], row["user_login"]
        provider = identity_of(kind)
        if (provider, identity_fold(provider, login)) not in known:
            logins[(kind, provider, login)] = logins.get((kind, provider, login), 0) + row["n"]
    for (kind, provider, login), n in logins.items():
        url = _add_identity_url(provider, login) if admin_links else ""
        what = f"{source_label(kind)} pull requests"
        out.append(Unmatched(provider, login, login, n, url, what))
    jira = JiraIssue.PROVIDER
    assignees = (
        JiraIssue.objects.exclude(assignee_id="")
        .values("assignee_id")
        .annotate(n=Count("id"), name=Max("assignee_name"))
    )
    for assignee in assignees:
        if (jira, assignee["assignee_id"]) not in known:
            url = _add_identity_url(jira, assignee["assignee_id"]) if admin_links else ""
            display = assignee["name"] or assignee["assignee_id"]
            what = f"{source_label(jira)} issues assigned"
            out.append(Unmatched(jira, assignee["assignee_id"], display, assignee["n"], url, what))
    return sorted(out, key=lambda u: (-u.items, u.provider, u.external_id))


def source_problems(*, now: datetime) -> list[SourceProblem]:
    """Enabled sources whose newest sync failed, that never synced, or whose newest
    successful sync is older than STALE_AFTER; and a failed newest cost import."""
    out = []
    for source in Source.objects.filter(enabled=True).only("name", "kind").order_by("name"):
        runs = SyncRun.objects.filter(source=source)
        newest = runs.only("status", "error").order_by("-id").first()
        good = runs.filter(status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL])
        last_good = good.aggregate(at=Max("finished_at"))["at"]
        if newest is None:
            out.append(SourceProblem(source.name, source.kind, "never synced"))
        elif newest.status == SyncRun.Status.FAILED:
            error = (newest.error or "no error recorded").splitlines()[0][:300]
            out.append(SourceProblem(source.name, source.kind, f"last sync failed: {error}"))
        elif last_good is None and newest.status not in ("queued", "running"):
            out.append(SourceProblem(source.name, source.kind, "no successful sync yet"))
        elif last_good is not None and now - last_good > STALE_AFTER:
            when = timezone.localtime(last_good).strftime("%Y-%m-%d %H:%M")
            out.append(SourceProblem(source.name, source.kind, f"no successful sync since {when}"))
    newest_import = CostImport.objects.exclude(status=CostImport.Status.REPLACED).order_by("-id")
    last = newest_import.only("status", "error").first()
    if last is not None and last.status == CostImport.Status.FAILED:
        error = (last.error or "").splitlines()[0][:300] if last.error else "no error recorded"
        kind = next(iter(source_kinds_of(["costs"])), "")  # cost files (apps.organization.sources)
        out.append(SourceProblem("cost import", kind, f"last import failed: {error}"))
    return out


def cost_gap(*, month: date) -> CostGap | None:
    """The month's cost lines (charge starting in it) without a team, against all of them."""
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    lines = CostLine.objects.filter(
        cost_import__status=CostImport.Status.SUCCEEDED,
        charge_period_start__date__gte=month,
        charge_period_start__date__lt=end,
    )
    sums = lines.aggregate(total=Sum("cost"), unallocated=Sum("cost", filter=Q(team__isnull=True)))
    if not sums["total"]:
        return None
    return CostGap(month, float(sums["unallocated"] or 0.0), float(sums["total"]))


def unscored_engineers(*, user: User, month: date) -> tuple[list[Unscored], int]:
    """People without a churn score for `month`: the null row's note, or no row at all; named
    only where `user` may see the engineer (apps.accounts.access), counted otherwise."""
    rows = metric_rows_visible(user=user).filter(
        metric="churn_risk", scope="engineer", granularity="month", period_start=month
    )
    scored = dict(rows.values_list("scope_key", "value"))
    notes = dict(rows.values_list("scope_key", "note"))
    visible = engineer_emails_visible(user=user)
    allowed = None if visible is None else set(visible.values_list("email", flat=True))
    named, hidden = [], 0
    for person in Person.objects.select_related("team").order_by("name", "email"):
        if scored.get(person.email) is not None:
            continue
        if allowed is not None and person.email not in allowed:
            hidden += 1
            continue
        reason = notes.get(person.email) or UNSCORED_NO_ROW
        team = person.team.name if person.team else ""
        named.append(Unscored(person.name or person.email, person.email, team, reason))
    return named, hidden


def data_quality(*, user: User, today: date) -> DataQuality:
    """Everything above for the latest complete month before `today`."""
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    unscored, hidden = unscored_engineers(user=user, month=month)
    return DataQuality(
        unmatched=unmatched_accounts(admin_links=is_admin(user)),
        sources=source_problems(now=timezone.now()),
        cost=cost_gap(month=month),
        unscored=unscored,
        unscored_hidden=hidden,
        month=month,
    )
