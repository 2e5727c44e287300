from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "apps.metrics"
    label = "metrics"

    def ready(self) -> None:
        # The config's goals and alerts check metric names against the registry
        # (apps.organization.catalog), which sits above the organisation.
        from apps.metrics.registry import definition
        from apps.organization.catalog import MetricFacts, metric_lookup_register

        def lookup(name: str) -> MetricFacts | None:
            metric = definition(name)
            return MetricFacts(better=metric.better, scopes=metric.scopes) if metric else None

        metric_lookup_register(lookup)
