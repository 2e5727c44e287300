from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: composes every app (organisation config, sync, metrics, costs, digests)
    and Keel's upstream simulator into the demo organisation of `manage.py demo`. Nothing
    imports it."""

    name = "apps.demo"
    label = "demo"
