"""Migrations that move data between apps keep it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_MOVE = [("reliability", "0001_initial"), ("ingestion", "0002_sync_run_changed_from")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_webhook_deliveries_survive_the_move_from_reliability_to_ingestion() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = _migrate(BEFORE_MOVE)
        old = old_apps.get_model("reliability", "WebhookDelivery")
        old.objects.create(provider="github", delivery_id="d-1")
        old.objects.create(provider="pagerduty", delivery_id="01EVT")

        new_apps = _migrate([("ingestion", "0003_webhookdelivery")])
        new = new_apps.get_model("ingestion", "WebhookDelivery")
        assert sorted(new.objects.values_list("provider", "delivery_id")) == [
            ("github", "d-1"),
            ("pagerduty", "01EVT"),
        ]
        # The unique constraint (the replay protection) moved with the table.
        assert "ingestion_webhookdelivery" in connection.introspection.table_names()
        assert "reliability_webhookdelivery" not in connection.introspection.table_names()
        constraints = connection.introspection.get_constraints(
            connection.cursor(), "ingestion_webhookdelivery"
        )
        assert any(
            c["unique"] and c["columns"] == ["provider", "delivery_id"]
            for c in constraints.values()
        )

        back_apps = _migrate(BEFORE_MOVE)  # and back again, rows kept
        back = back_apps.get_model("reliability", "WebhookDelivery")
        assert back.objects.count() == 2
    finally:
        _migrate(latest)
