"""SyncRun.points_spent (GitHub GraphQL's rateLimit.cost, summed), and the pull-request
cursors and list ETags of GitHub sources forgotten, so the next sync reads every pull request
again with its detail (commits, reviews, files: delivery 0003)."""

from django.db import migrations, models


def pull_cursors_forget(apps, schema_editor) -> None:
    apps.get_model("ingestion", "SyncCursor").objects.filter(endpoint="pulls").delete()
    validators = apps.get_model("ingestion", "HttpValidator").objects
    validators.filter(url__contains="/pulls?").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('ingestion', '0003_webhookdelivery'),
    ]

    operations = [
        migrations.AddField(
            model_name='syncrun',
            name='points_spent',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(pull_cursors_forget, migrations.RunPython.noop),
    ]
