"""A repo's code-host id is `external_id` (GitHub repository id, GitLab project id)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("organization", "0008_goals")]

    operations = [
        migrations.RenameField(model_name="repo", old_name="github_id", new_name="external_id"),
    ]
