"""Pull-request detail: size, draft and ready time, bot author, closing issues and merge commit
on PullRequest, and its commits, reviews and files as models of their own. The bot flag is
filled for the PRs already stored; the rest comes with the next sync, which re-reads every
pull request (ingestion 0004 forgets the pull-request cursors)."""

import django.db.models.deletion
from django.db import migrations, models


def bots_mark(apps, schema_editor) -> None:
    pulls = apps.get_model("delivery", "PullRequest").objects
    pulls.filter(user_type="Bot").update(user_is_bot=True)


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0002_pull_issue_refs'),
    ]

    operations = [
        migrations.AddField(
            model_name='pullrequest',
            name='changed_files',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='closing_issue_refs',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='commits_count',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='is_draft',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='merge_commit_sha',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='ready_for_review_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='pullrequest',
            name='user_is_bot',
            field=models.BooleanField(default=False),
        ),
        migrations.CreateModel(
            name='PullRequestReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('github_id', models.BigIntegerField(unique=True)),
                ('state', models.CharField(max_length=32)),
                ('author_login', models.CharField(blank=True, max_length=200)),
                ('author_type', models.CharField(blank=True, max_length=32)),
                ('submitted_at', models.DateTimeField()),
                ('pull', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='delivery.pullrequest')),
            ],
            options={
                'ordering': ['pull', 'submitted_at', 'github_id'],
            },
        ),
        migrations.CreateModel(
            name='PullRequestCommit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sha', models.CharField(max_length=64)),
                ('position', models.PositiveIntegerField()),
                ('message', models.TextField(blank=True)),
                ('author_login', models.CharField(blank=True, max_length=200)),
                ('authored_at', models.DateTimeField()),
                ('committed_at', models.DateTimeField()),
                ('pull', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='commits', to='delivery.pullrequest')),
            ],
            options={
                'ordering': ['pull', 'position'],
                'constraints': [models.UniqueConstraint(fields=('pull', 'sha'), name='pr_commit_unique_per_pull')],
            },
        ),
        migrations.CreateModel(
            name='PullRequestFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.TextField()),
                ('additions', models.PositiveIntegerField()),
                ('deletions', models.PositiveIntegerField()),
                ('pull', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='delivery.pullrequest')),
            ],
            options={
                'ordering': ['pull', 'path'],
                'constraints': [models.UniqueConstraint(fields=('pull', 'path'), name='pr_file_unique_per_pull')],
            },
        ),
        migrations.RunPython(bots_mark, migrations.RunPython.noop),
    ]
