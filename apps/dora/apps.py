from django.apps import AppConfig


class DoraConfig(AppConfig):
    name = "apps.dora"
    label = "dora"

    def ready(self) -> None:
        from apps.dora import flow_metrics, metrics

        metrics.register()
        flow_metrics.register()
