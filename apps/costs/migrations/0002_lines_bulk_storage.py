"""Cost lines storage for the bulk import (docs/performance-costs.md): tags as JSON text, and
the two lookup indexes BRIN on PostgreSQL (btree elsewhere), created per vendor below, so the
model's Meta does not declare them."""

import django.db.models.deletion
from django.db import migrations, models


INDEXES = {"costline_import_idx": "cost_import_id", "costline_start_idx": "charge_period_start"}


def indexes_create(apps, schema_editor) -> None:
    brin = schema_editor.connection.vendor == "postgresql"
    for name, column in INDEXES.items():
        using = " USING brin" if brin else ""
        schema_editor.execute(f"CREATE INDEX {name} ON costs_costline{using} ({column})")


def indexes_drop(apps, schema_editor) -> None:
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('costs', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='costline',
            name='costline_start_idx',
        ),
        migrations.AlterField(
            model_name='costline',
            name='cost_import',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='costs.costimport'),
        ),
        migrations.AlterField(
            model_name='costline',
            name='tags',
            field=models.TextField(default='{}', help_text="the line's tags as compact JSON text"),
        ),
        migrations.RunPython(indexes_create, indexes_drop),
    ]
