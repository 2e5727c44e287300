from django.apps import AppConfig


class DoraConfig(AppConfig):
    name = "apps.dora"
    label = "dora"

    def ready(self) -> None:
        from apps.dora.metrics import register

        register()
