from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "apps.ingestion"
    label = "ingestion"

    def ready(self) -> None:
        # Fill the source registry (apps.organization.sources): one adapter per source kind.
        from apps.ingestion.adapters import adapters_load

        adapters_load()
