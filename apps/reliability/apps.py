from django.apps import AppConfig


class ReliabilityConfig(AppConfig):
    name = "apps.reliability"
    label = "reliability"

    def ready(self) -> None:
        from apps.reliability import metrics

        metrics.register()
