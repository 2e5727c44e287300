"""Migrating a database built by the GitHub-shaped schema (GitHubRelease, GitHubIssue,
`github_id`) to the provider-neutral one keeps every row, its id and its relations, and marks
them as GitHub's."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("organization", "0008_goals"),
    ("delivery", "0004_verbose_names"),
    ("quality", "0005_verbose_names"),
]
AFTER = [
    ("organization", "0009_repo_external_id"),
    ("delivery", "0005_provider_neutral_records"),
    ("quality", "0006_issue_provider_neutral"),
]
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _old_rows(apps) -> dict[str, int]:
    """One row of each GitHub-shaped model, as the old code wrote them; their primary keys."""
    source = apps.get_model("organization", "Source").objects.create(
        name="gh", kind="github", base_url="https://api.github.com"
    )
    repo = apps.get_model("organization", "Repo").objects.create(
        source=source, full_name="acme/api", github_id=101
    )
    pull = apps.get_model("delivery", "PullRequest").objects.create(
        repo=repo, github_id=5001, number=7, state="closed", created_at=T0, updated_at=T0
    )
    review = apps.get_model("delivery", "PullRequestReview").objects.create(
        pull=pull, github_id=9001, state="APPROVED", submitted_at=T0
    )
    release = apps.get_model("delivery", "GitHubRelease").objects.create(
        repo=repo, github_id=301, tag_name="v1.0.0", published_at=T0
    )
    deployment = apps.get_model("delivery", "Deployment").objects.create(
        repo=repo, github_id=401, environment="production", created_at=T0
    )
    tag = apps.get_model("delivery", "Tag").objects.create(repo=repo, name="v1.0.0", sha="abc")
    issue = apps.get_model("quality", "GitHubIssue").objects.create(
        repo=repo, github_id=601, number=8, state="open", created_at=T0, updated_at=T0
    )
    return {
        "repo": repo.pk,
        "pull": pull.pk,
        "review": review.pk,
        "release": release.pk,
        "deployment": deployment.pk,
        "tag": tag.pk,
        "issue": issue.pk,
    }


def _unique_columns(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(
        c["columns"] for c in constraints.values() if c["unique"] and not c["primary_key"]
    )


@pytest.mark.django_db(transaction=True)
def test_github_rows_survive_the_move_to_provider_neutral_records() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        pks = _old_rows(_migrate(BEFORE))
        apps = _migrate(AFTER)

        repo = apps.get_model("organization", "Repo").objects.get(pk=pks["repo"])
        assert repo.external_id == 101
        pull = apps.get_model("delivery", "PullRequest").objects.get(pk=pks["pull"])
        assert (pull.repo_id, pull.external_id, pull.number, pull.provider) == (
            pks["repo"],
            5001,
            7,
            "github",
        )
        review = apps.get_model("delivery", "PullRequestReview").objects.get(pk=pks["review"])
        assert (review.pull_id, review.external_id) == (pks["pull"], 9001)
        release = apps.get_model("delivery", "Release").objects.get(pk=pks["release"])
        assert (release.repo_id, release.external_id, release.tag_name, release.provider) == (
            pks["repo"],
            301,
            "v1.0.0",
            "github",
        )
        deployment = apps.get_model("delivery", "Deployment").objects.get(pk=pks["deployment"])
        assert (deployment.repo_id, deployment.external_id, deployment.provider) == (
            pks["repo"],
            401,
            "github",
        )
        tag = apps.get_model("delivery", "Tag").objects.get(pk=pks["tag"])
        assert (tag.repo_id, tag.provider) == (pks["repo"], "github")
        issue = apps.get_model("quality", "Issue").objects.get(pk=pks["issue"])
        assert (issue.repo_id, issue.external_id, issue.number, issue.provider) == (
            pks["repo"],
            601,
            8,
            "github",
        )
        assert issue.repo.issues.get().pk == pks["issue"]

        tables = connection.introspection.table_names()
        assert {"delivery_release", "quality_issue"} <= set(tables)
        assert not {"delivery_githubrelease", "quality_githubissue"} & set(tables)
        # An external id is unique within its repo (or pull), no longer across every host.
        assert _unique_columns("delivery_release") == [["repo_id", "external_id"]]
        assert _unique_columns("quality_issue") == [
            ["repo_id", "external_id"],
            ["repo_id", "number"],
        ]
        assert ["pull_id", "external_id"] in _unique_columns("delivery_pullrequestreview")
        if connection.vendor == "postgresql":  # constraint and index names follow the table
            with connection.cursor() as cursor:
                for table in ("delivery_release", "quality_issue"):
                    names = connection.introspection.get_constraints(cursor, table)
                    assert not [n for n in names if "github" in n], names
    finally:
        _migrate(latest)
