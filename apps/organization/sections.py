"""Config sections applied by apps above the organisation.

The config file is validated as one document (apps.organization.schema), but some sections are
stored by an app that sits above this one in the import layers (`alerts` by apps.alerts). Such
an app registers an applier here from its AppConfig.ready(); `config_apply` calls every applier
inside its transaction, after the organisation's own sections, so a failing applier rolls the
whole file back.
"""

from typing import Protocol

from apps.organization.rows import ApplyResult
from apps.organization.schema import OrgConfig


class SectionApplier(Protocol):
    def __call__(self, *, config: OrgConfig, result: ApplyResult, prune: bool) -> None: ...


_APPLIERS: dict[str, SectionApplier] = {}


def section_applier_register(name: str, applier: SectionApplier) -> None:
    """Apply a config section with `applier` (one per name; registering again replaces it)."""
    _APPLIERS[name] = applier


def section_appliers() -> list[SectionApplier]:
    """The registered appliers, in registration order."""
    return list(_APPLIERS.values())


__all__ = ["SectionApplier", "section_applier_register", "section_appliers"]
