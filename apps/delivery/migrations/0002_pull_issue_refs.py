"""PullRequest.issue_refs: the Jira-key-shaped tokens of each PR's title and head branch,
filled for the PRs already stored, with a GIN index on PostgreSQL (the since-recompute asks
"which PRs mention any of these keys" with `?|`)."""

import json

from django.db import migrations, models

BATCH = 5000


def refs_fill(apps, schema_editor) -> None:
    from apps.delivery.links import pull_refs  # pure: regexes only

    connection = schema_editor.connection
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    pulls = apps.get_model("delivery", "PullRequest").objects.order_by("pk")
    rows = pulls.values_list("pk", "title", "head_ref")
    with connection.cursor() as cursor:
        batch = []
        for pk, title, head in rows.iterator(chunk_size=BATCH):
            refs = pull_refs(title or "", head or "")
            if refs:
                batch.append((json.dumps(refs), pk))
            if len(batch) >= BATCH:
                cursor.executemany(
                    f"UPDATE delivery_pullrequest SET issue_refs = %s{cast} WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany(
                f"UPDATE delivery_pullrequest SET issue_refs = %s{cast} WHERE id = %s", batch)


def index_create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX pr_issue_refs_gin ON delivery_pullrequest USING gin (issue_refs)")


def index_drop(apps, schema_editor) -> None:
    schema_editor.execute("DROP INDEX IF EXISTS pr_issue_refs_gin")


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pullrequest",
            name="issue_refs",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(refs_fill, migrations.RunPython.noop),
        migrations.RunPython(index_create, index_drop),
    ]
