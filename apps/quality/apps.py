from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    label = "quality"

    def ready(self) -> None:
        from apps.quality import load_metrics, metrics

        metrics.register()
        load_metrics.register()
