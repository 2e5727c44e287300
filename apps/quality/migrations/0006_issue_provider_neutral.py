"""Provider-neutral repo issues: GitHubIssue becomes Issue, `github_id` becomes `external_id`
(unique within its repo) and a `provider` column says which code host wrote the row. Rows stored
before are GitHub's: they keep their ids and relations and read "github"."""

from django.db import migrations, models


def _names_follow_table(table: str, old: str, new: str):
    """On PostgreSQL, rename the constraints and indexes of `table` whose names start with `old`
    (the table's name before RenameModel) to start with `new`, as on a database made from
    scratch. SQLite rebuilds tables on every change and has nothing to rename."""

    def rename(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass"
                " AND left(conname, %s) = %s",
                [table, len(old), old],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(
                    f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{new + name[len(old):]}"'
                )
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND left(indexname, %s) = %s",
                [table, len(old), old],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{new + name[len(old):]}"')

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0005_verbose_names"),
        ("organization", "0009_repo_external_id"),
    ]

    operations = [
        migrations.RenameModel(old_name="GitHubIssue", new_name="Issue"),
        migrations.RunPython(
            _names_follow_table("quality_issue", "quality_githubissue", "quality_issue"),
            _names_follow_table("quality_issue", "quality_issue", "quality_githubissue"),
        ),
        migrations.AlterModelOptions(name="issue", options={"ordering": ["repo", "number"]}),
        migrations.RenameField(model_name="issue", old_name="github_id", new_name="external_id"),
        migrations.AlterField(model_name="issue", name="external_id", field=models.BigIntegerField()),
        migrations.AddField(
            model_name="issue",
            name="provider",
            field=models.CharField(
                default="github", help_text="The source kind that wrote the row.", max_length=32
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="issue",
            constraint=models.UniqueConstraint(
                fields=("repo", "external_id"), name="issue_external_id_unique"
            ),
        ),
    ]
