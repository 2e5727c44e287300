from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "apps.costs"
    label = "costs"

    def ready(self) -> None:
        from apps.costs.metrics import register

        register()
