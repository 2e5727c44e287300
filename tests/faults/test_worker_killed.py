"""A Celery worker killed (SIGKILL) while it runs a sync task: the task, acknowledged late, is
handed to the next worker once Redis's visibility timeout has passed, runs again and stores exactly
the rows of a clean sync (docs/operations.md#syncs-and-failures). Needs Redis and PostgreSQL (CI);
skipped without."""

import subprocess
import sys
import time
import uuid
from collections.abc import Callable

import pytest

from apps.ingestion.models import SyncRun
from apps.ingestion.runs import INTERRUPTED
from apps.ingestion.tasks import sync_source_task
from config.celery import app as celery_app
from integrations.simulator import FaultRule
from tests.faults.conftest import (
    ROOT,
    clean_rows,
    now_seconds,
    rows_snapshot,
    serving,
)
from tests.ingestion.test_celery_worker import needs_broker, worker_env

VISIBILITY = 2  # seconds before Redis hands an unacknowledged task to another worker
SLOW = 30.0  # the first pull-request page answers this late: the task is mid-flight there


def worker_start(queue: str) -> subprocess.Popen:
    env = {
        **worker_env(),
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY),
        "KEEL_SYNC_RUN_STALE_SECONDS": "0",
    }
    return subprocess.Popen(
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
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition: Callable[[], bool], worker: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and worker.poll() is None:
        if condition():
            return True
        time.sleep(0.2)
    return False


def output_of(worker: subprocess.Popen) -> str:
    if worker.poll() is None:
        worker.terminate()
    return worker.communicate(timeout=30)[0].decode(errors="replace")


@needs_broker
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_task_runs_the_task_again_with_the_clean_result() -> None:
    now = now_seconds()
    want = clean_rows("github-rest", now)  # page-sized pulls: REST pages of 5

    with serving("github-rest", now) as upstream:
        source = upstream.make_source()
        slow = upstream.simulator.faults.add(FaultRule(path=r"/pulls\?", delay=SLOW, times=1))
        queue = f"keel-test-{uuid.uuid4().hex[:8]}"
        first = worker_start(queue)
        second = None
        celery_app.conf.task_always_eager = False
        try:
            sync_source_task.apply_async(args=[source.pk], queue=queue)
            assert wait_for(lambda: slow.hits == 1, first, 90), output_of(first)
            first.kill()  # SIGKILL: no chance to requeue or acknowledge anything
            first.wait(timeout=30)
            killed = SyncRun.objects.get(source=source)
            assert killed.status == SyncRun.Status.RUNNING
            time.sleep(VISIBILITY + 0.5)  # until Redis may hand the task to another worker
            second = worker_start(queue)

            def done() -> bool:
                return SyncRun.objects.filter(source=source, status="succeeded").exists()

            assert wait_for(done, second, 90), output_of(second)
        finally:
            celery_app.conf.task_always_eager = True
            for worker in (first, second):
                if worker is not None:
                    if worker.poll() is None:
                        worker.terminate()
                    worker.communicate(timeout=30)  # also closes its output pipe

    runs = list(SyncRun.objects.filter(source=source).order_by("id"))
    assert [r.status for r in runs] == ["failed", "succeeded"], runs[-1].error
    assert runs[0].error == INTERRUPTED
    assert rows_snapshot() == want
