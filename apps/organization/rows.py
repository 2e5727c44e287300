"""Idempotent row writes for `config_apply`: upsert by a natural key, touch a row only when a
value differs, delete what the file no longer names (only when pruning), and count it all."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.db import models

M = TypeVar("M", bound=models.Model)
Key = tuple[Any, ...]


@dataclass
class Change:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.deleted} deleted"


@dataclass
class ApplyResult:
    """What `config_apply` changed, per model label (`"organization.Team"`, `"auth.User"`).

    Rows deleted by cascade (e.g. the pull requests of a pruned repo) are counted under their
    own model. Applying the same file twice gives a result whose `total` is all zeros.
    """

    changes: dict[str, Change] = field(default_factory=dict)

    def add(self, label: str, *, created: int = 0, updated: int = 0, deleted: int = 0) -> None:
        change = self.changes.setdefault(label, Change())
        change.created += created
        change.updated += updated
        change.deleted += deleted

    def get(self, label: str) -> Change:
        """The change of one model; all zeros when nothing of it changed."""
        return self.changes.get(label, Change())

    @property
    def total(self) -> Change:
        total = Change()
        for change in self.changes.values():
            total.created += change.created
            total.updated += change.updated
            total.deleted += change.deleted
        return total

    @property
    def changed(self) -> bool:
        total = self.total
        return bool(total.created or total.updated or total.deleted)

    def lines(self) -> list[str]:
        """One line per model that changed, sorted by label, e.g.
        `organization.Team: 1 created, 0 updated, 0 deleted`."""
        return [
            f"{label}: {change}"
            for label, change in sorted(self.changes.items())
            if change.created or change.updated or change.deleted
        ]


def rows_delete(*, queryset: models.QuerySet[Any], result: ApplyResult) -> None:
    """Delete `queryset` and count what went, cascades included (m2m link rows are not counted)."""
    _, per_label = queryset.delete()
    for label, count in per_label.items():
        if count and not apps.get_model(label)._meta.auto_created:
            result.add(label, deleted=count)


@dataclass
class Synced(Generic[M]):
    """The rows named by the file, by natural key, and which of them this run created/updated."""

    objects: dict[Key, M]
    created: set[Key] = field(default_factory=set)
    updated: set[Key] = field(default_factory=set)


def rows_sync(
    *,
    queryset: models.QuerySet[M],
    key: tuple[str, ...],
    rows: Mapping[Key, dict[str, Any]],
    result: ApplyResult,
    prune: bool,
) -> "Synced[M]":
    """Make the rows of `queryset` match `rows` ({key values: field values}).

    `key` names the natural-key attributes (attnames, e.g. `("source_id", "full_name")`). A row
    is saved only with the fields whose values differ. With `prune`, rows of `queryset` whose key
    is absent from `rows` are deleted. Returns every row of `rows` as an instance, by key.
    """
    model = queryset.model
    label = model._meta.label
    existing = {tuple(getattr(obj, attr) for attr in key): obj for obj in queryset}
    out: Synced[M] = Synced(objects={})
    for natural_key, values in rows.items():
        obj = existing.get(natural_key)
        if obj is None:
            obj = model._default_manager.create(
                **dict(zip(key, natural_key, strict=True)), **values
            )
            result.add(label, created=1)
            out.created.add(natural_key)
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.save(update_fields=changed)
                result.add(label, updated=1)
                out.updated.add(natural_key)
        out.objects[natural_key] = obj
    if prune:
        stale = [obj.pk for natural_key, obj in existing.items() if natural_key not in rows]
        if stale:
            rows_delete(queryset=model._default_manager.filter(pk__in=stale), result=result)
    return out
