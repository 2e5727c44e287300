from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    label = "quality"

    def ready(self) -> None:
        from apps.quality import bug_load_metrics, metrics

        metrics.register()
        bug_load_metrics.register()
