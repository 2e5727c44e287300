"""One module per source kind, each registering its `SourceAdapter` with the source registry
(apps.organization.sources) when IngestionConfig.ready() imports it. Adding a module here is
all it takes for Keel to know a new kind (CONTRIBUTING.md, "Adding a source")."""

import importlib
import pkgutil


def adapters_load() -> None:
    """Import every adapter module of this package (each registers itself once)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
