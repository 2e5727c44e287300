"""A real Celery worker process against the real broker (Redis in CI) runs a sync task and its
result lands in the database. Skipped without CELERY_BROKER_URL (laptop: eager tasks)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.delivery.models import PullRequest
from apps.ingestion.models import SyncRun
from apps.ingestion.tasks import sync_source_task
from config.celery import app as celery_app
from tests.ingestion.conftest import make_source

ROOT = Path(__file__).resolve().parents[2]
needs_broker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL") or connection.vendor != "postgresql",
    reason="needs CELERY_BROKER_URL and PostgreSQL (a worker process must see the test database)",
)


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }


@needs_broker
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_sync_task(simulator, world) -> None:
    source = make_source(simulator.base_url, [world.repos[0].full_name])
    queue = f"keel-test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_always_eager = False
    try:
        sync_source_task.apply_async(args=[source.pk], queue=queue)
        deadline = time.monotonic() + 90
        run = None
        while time.monotonic() < deadline and worker.poll() is None:
            run = SyncRun.objects.filter(source=source).first()
            if run and run.status in ("succeeded", "failed", "partial"):
                break
            time.sleep(0.5)
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert run is not None, f"the worker never ran the task:\n{output}"
    assert run.status == "succeeded", f"{run.error}\n{output}"
    assert PullRequest.objects.filter(repo__source=source).count() == len(world.repos[0].pulls)
