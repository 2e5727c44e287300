"""Provider-neutral delivery records: GitHubRelease becomes Release, `github_id` becomes
`external_id` (unique within its repo, or pull for reviews, instead of across all rows, since two
code hosts can reuse an id), and pull requests, releases, tags and deployments get a `provider`
column. Rows stored before are GitHub's: they keep their ids and relations and read "github"."""

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


def _provider(model: str) -> migrations.AddField:
    return migrations.AddField(
        model_name=model,
        name="provider",
        field=models.CharField(
            default="github", help_text="The source kind that wrote the row.", max_length=32
        ),
        preserve_default=False,
    )


def _external_id(model: str) -> list:
    return [
        migrations.RenameField(model_name=model, old_name="github_id", new_name="external_id"),
        migrations.AlterField(
            model_name=model, name="external_id", field=models.BigIntegerField()
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0004_verbose_names"),
        ("organization", "0009_repo_external_id"),
    ]

    operations = [
        migrations.RenameModel(old_name="GitHubRelease", new_name="Release"),
        migrations.RunPython(
            _names_follow_table("delivery_release", "delivery_githubrelease", "delivery_release"),
            _names_follow_table("delivery_release", "delivery_release", "delivery_githubrelease"),
        ),
        migrations.AlterModelOptions(
            name="release", options={"ordering": ["repo", "published_at"]}
        ),
        migrations.AlterField(
            model_name="release",
            name="repo",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="releases",
                to="organization.repo",
            ),
        ),
        *_external_id("pullrequest"),
        *_external_id("pullrequestreview"),
        *_external_id("release"),
        *_external_id("deployment"),
        migrations.AlterModelOptions(
            name="pullrequestreview",
            options={"ordering": ["pull", "submitted_at", "external_id"]},
        ),
        _provider("pullrequest"),
        _provider("release"),
        _provider("tag"),
        _provider("deployment"),
        migrations.AddConstraint(
            model_name="pullrequest",
            constraint=models.UniqueConstraint(
                fields=("repo", "external_id"), name="pr_external_id_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="pullrequestreview",
            constraint=models.UniqueConstraint(
                fields=("pull", "external_id"), name="pr_review_external_id_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(
                fields=("repo", "external_id"), name="release_external_id_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="deployment",
            constraint=models.UniqueConstraint(
                fields=("repo", "external_id"), name="deployment_external_id_unique"
            ),
        ),
    ]
