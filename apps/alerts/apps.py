from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "apps.alerts"
    label = "alerts"

    def ready(self) -> None:
        # The config file's `alerts` section is stored here (apps.organization.sections), and
        # the metric store's Celery task asks for an evaluation after every recompute
        # (apps.metrics.hooks): both are lower apps that cannot import this one.
        from apps.alerts.config import alerts_apply
        from apps.alerts.tasks import evaluate_alerts_after_recompute
        from apps.metrics.hooks import after_recompute_register
        from apps.organization.sections import section_applier_register

        section_applier_register("alerts", alerts_apply)
        after_recompute_register("alerts", evaluate_alerts_after_recompute)
