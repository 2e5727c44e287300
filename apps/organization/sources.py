"""The source registry: every kind of source Keel can read (GitHub, Jira, PagerDuty, ...), one
`SourceAdapter` each, as apps.metrics.registry holds every metric.

A new source is one Django-free client package under `integrations/` plus one adapter module,
`apps/ingestion/adapters/<kind>.py`, that calls `source_register()` when IngestionConfig.ready()
imports it (CONTRIBUTING.md, "Adding a source"). Everything else reads this registry and names
no provider: the `Source.kind` and `Identity.provider` choices, the config file's source kinds,
kind-only keys, default base URLs and person identity keys (apps.organization.schema), the sync
table (apps.ingestion.services), the webhook routes (apps.ingestion.webhook_urls), the labels
and links the dashboard shows, and which sources feed which metric family (`roles`).

Why the registry lives here and not in apps.ingestion: the config schema, the models' choices and
the metric families read it, and none of them may import ingestion (the import-linter layers in
pyproject.toml). The adapters fill it from above, as the metric families fill the metric
registry. Reading it before the apps are ready (at import time) would miss every adapter, so
everything here is read when called.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

# What a source gives Keel, by which metric families read it (docs/configuration.md#sources):
# - "code": repos with pull requests, releases, tags, deployments (delivery, DORA, flow)
# - "issues": a code host's own issues, bugs by label (quality, bug load)
# - "tracker": a work tracker's issues, bugs by type, story points (quality, delivery points)
# - "incidents": services with incidents and SLOs (reliability, DORA failures)
# - "costs": cost lines of cloud bills (costs, economics)
Role = Literal["code", "issues", "tracker", "incidents", "costs"]


@dataclass(frozen=True)
class IdentityKind:
    """How a person is known at a provider: `name` is the `Identity.provider` value and the
    person's key in the config file (`people[].github`); `noun` names one id in messages
    ("github login"); `case_insensitive` ids are compared lower-cased (GitHub logins)."""

    name: str
    label: str
    noun: str
    case_insensitive: bool = False

    def fold(self, external_id: str) -> str:
        """`external_id` as it is compared: lower-cased when the provider ignores case."""
        return external_id.lower() if self.case_insensitive else external_id


@dataclass(frozen=True)
class RecordLinks:
    """Web links to a code host's records, from the repo's web URL (`https://github.com/o/r`)
    and the record's name. Each returns a URL; the stored `html_url` wins where there is one."""

    tag: Callable[[str, str], str]
    deployment: Callable[[str, str], str]


@dataclass(frozen=True)
class SourceAdapter:
    """One kind of source.

    - `kind`: the `Source.kind` value and the config file's `kind:` ("github").
    - `label`: how people write it ("GitHub").
    - `roles`: what it gives Keel (see `Role`), which says which metric families it feeds.
    - `default_base_url`: the API base URL when the config names none; None makes `base_url`
      required, with `base_url_hint` as the example in the error.
    - `config_keys`: the source keys of the config file only kinds naming them accept
      (`repos`, `api`, `projects`, `email_env`, `story_points_field`, `services`);
      apps.organization.schema.SourceConfig declares them all.
    - `nested_repos`: repo names may have more than two segments (GitLab's
      `group/subgroup/project`); otherwise a repo is `owner/name`.
    - `scope_noun`: what one of its scopes is called ("repo", "project", "service"), whose
      Source relation is `scope_relation` ("repos"): a team is fed by a source when one of its
      scopes is the team's.
    - `identity`: how people are known there (None: nobody is).
    - `web_url`: the web address of an API base URL (api.github.com → github.com);
      `web_hosts`: host suffixes of its web links, to label a link "GitHub".
    - `links`: web links to its records (code hosts).
    - `sync`: `sync(*, source, tally, progress, full, scopes)` stores one source's records
      (apps.ingestion.services.source_sync runs it in a SyncRun); None: not syncable yet.
    - `client_build`: `client_build(*, source)` returns its API client (for checks and tools).
    - `webhook`: the Django view of `POST /webhooks/<kind>/` (verifies the signature, claims the
      delivery, enqueues a sync of the scope); None: the kind takes no webhooks.
    - `source_rows`: configured as `sources[]` entries (a `Source` row each, synced by `sync`).
      A kind configured elsewhere (cost files, under `costs.exports`) says False and gives
      `configured()` (whether any is set up) and `last_failure()` (the newest failure, "" when
      none) instead; it is no `Source.kind` choice.
    """

    kind: str
    label: str
    roles: frozenset[str]
    default_base_url: str | None = None
    base_url_hint: str = ""
    config_keys: tuple[str, ...] = ()
    nested_repos: bool = False
    scope_noun: str = ""
    scope_relation: str = ""
    identity: IdentityKind | None = None
    web_url: Callable[[str], str] = field(default=lambda base_url: base_url.rstrip("/"))
    web_hosts: tuple[str, ...] = ()
    links: RecordLinks | None = None
    sync: Callable[..., None] | None = None
    client_build: Callable[..., Any] | None = None
    webhook: Callable[..., Any] | None = None
    source_rows: bool = True
    configured: Callable[[], bool] | None = None
    last_failure: Callable[[], str] | None = None


_ADAPTERS: dict[str, SourceAdapter] = {}


def source_register(adapter: SourceAdapter) -> SourceAdapter:
    """Add `adapter` to the registry; ValueError when its kind or identity name is taken by
    another adapter, or it names an unknown role. Registering the same adapter again (a module
    imported twice) is a no-op."""
    known = _ADAPTERS.get(adapter.kind)
    if known is not None and known != adapter:
        raise ValueError(f"source kind '{adapter.kind}' is registered twice")
    unknown = set(adapter.roles) - set(Role.__args__)  # type: ignore[attr-defined]
    if unknown:
        raise ValueError(f"source kind '{adapter.kind}': unknown roles {sorted(unknown)}")
    if adapter.identity is not None:
        for other in _ADAPTERS.values():
            if other.kind != adapter.kind and other.identity == adapter.identity:
                raise ValueError(f"identity '{adapter.identity.name}' is registered twice")
    _ADAPTERS[adapter.kind] = adapter
    return adapter


def source_adapters() -> list[SourceAdapter]:
    """Every registered adapter, by kind."""
    return [_ADAPTERS[kind] for kind in sorted(_ADAPTERS)]


def source_adapter(kind: str) -> SourceAdapter | None:
    """The adapter of `kind`, None when no adapter has that kind."""
    return _ADAPTERS.get(kind)


def source_kinds(*, role: str | None = None) -> list[str]:
    """The kinds a `sources[]` entry (a Source row) can have (with `role`, those that have
    it), sorted."""
    return [
        a.kind for a in source_adapters() if a.source_rows and (role is None or role in a.roles)
    ]


def source_kinds_of(roles: Iterable[str]) -> list[str]:
    """Every registered kind having any of `roles` (Source rows or not), sorted."""
    wanted = set(roles)
    return [a.kind for a in source_adapters() if wanted & a.roles]


def source_label(kind: str) -> str:
    """How people write `kind` ("github" → "GitHub"); the kind itself when unregistered."""
    adapter = _ADAPTERS.get(kind)
    return adapter.label if adapter else kind


def kind_choices() -> list[tuple[str, str]]:
    """`Source.kind` choices: (kind, label) of every adapter. A callable, so adding an adapter
    needs no migration."""
    return [(a.kind, a.label) for a in source_adapters() if a.source_rows]


def identity_kinds() -> list[IdentityKind]:
    """How people can be known, one per adapter that has identities, by name."""
    kinds = {a.identity.name: a.identity for a in source_adapters() if a.identity is not None}
    return [kinds[name] for name in sorted(kinds)]


def identity_names() -> list[str]:
    """The `Identity.provider` values (and person keys of the config file), sorted."""
    return [i.name for i in identity_kinds()]


def identity_kind(name: str) -> IdentityKind | None:
    """The identity kind called `name`; None when no adapter has it. Called per record when
    matching people (no sorting: a handful of adapters is scanned)."""
    for adapter in _ADAPTERS.values():
        if adapter.identity is not None and adapter.identity.name == name:
            return adapter.identity
    return None


def identity_choices() -> list[tuple[str, str]]:
    """`Identity.provider` choices: (name, label) of every identity kind."""
    return [(i.name, i.label) for i in identity_kinds()]


def code_host_identities() -> list[str]:
    """The identity kinds of code hosts (kinds with the "code" role): who authors and reviews
    pull requests."""
    return sorted(
        a.identity.name for a in source_adapters() if "code" in a.roles and a.identity is not None
    )


def identity_of(kind: str) -> str:
    """The identity kind the people of a source kind's records have (its adapter's); `kind`
    itself when the adapter names none."""
    adapter = _ADAPTERS.get(kind)
    return adapter.identity.name if adapter and adapter.identity else kind


def identity_fold(provider: str, external_id: str) -> str:
    """`external_id` of `provider` as compared (lower-cased where the provider ignores case)."""
    kind = identity_kind(provider)
    return kind.fold(external_id) if kind else external_id


def config_key_kinds() -> dict[str, list[str]]:
    """{kind-only config key: the kinds accepting it}, e.g. {"repos": ["github"], ...}."""
    out: dict[str, list[str]] = {}
    for adapter in source_adapters():
        for key in adapter.config_keys:
            out.setdefault(key, []).append(adapter.kind)
    return out


def web_label(host: str) -> str:
    """The label of the adapter whose web links live on `host` ("GitHub" for github.com), or
    `host` itself."""
    for adapter in source_adapters():
        if any(host == h or host.endswith("." + h) for h in adapter.web_hosts):
            return adapter.label
    return host
