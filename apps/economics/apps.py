from django.apps import AppConfig


class EconomicsConfig(AppConfig):
    name = "apps.economics"
    label = "economics"

    def ready(self) -> None:
        from apps.economics.metrics import register

        register()
