"""The Celery app. Every schedule lives here, in `app.conf.beat_schedule`, with why that time."""

import os

from celery import Celery
from celery.schedules import crontab

# Servers and workers run production settings unless told otherwise: a forgotten variable must
# never mean DEBUG and a known SECRET_KEY (production refuses to start without its secrets).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.task_routes = {
    "apps.ingestion.tasks.*": {"queue": "sync"},
    "apps.metrics.tasks.*": {"queue": "metrics"},
    "apps.digests.tasks.*": {"queue": "metrics"},
    "apps.alerts.tasks.*": {"queue": "metrics"},
    "apps.reliability.tasks.*": {"queue": "sync"},
    "apps.accounts.tasks.*": {"queue": "metrics"},
}
app.conf.beat_schedule = {
    # Hourly: fresh enough for a manager's dashboard, far inside every provider's rate limits.
    # Each source is one task, so one slow upstream never delays the others. The run expires
    # after 50 minutes so a backlog never piles up behind a stuck worker.
    "sync-all-sources-hourly": {
        "task": "apps.ingestion.tasks.sync_all_sources",
        "schedule": crontab(minute=7),
        "options": {"expires": 50 * 60},
    },
    # Hourly at :37: providers refresh cost exports a few times a day, so an hour picks a new
    # file up promptly; :37 keeps the import clear of the :07 syncs on the same queue.
    "import-cost-exports-hourly": {
        "task": "apps.ingestion.tasks.import_cost_exports",
        "schedule": crontab(minute=37),
        "options": {"expires": 50 * 60},
    },
    # Hourly at :15: beat's crontab runs in one zone (UTC) while the organisation's zone is
    # data, so the task itself sends last month's digests only when it is between the 1st
    # 08:00 and the end of the 3rd in the organisation's zone; otherwise it does nothing.
    # Inside that window it retries failed digests each hour and never resends a sent one.
    # Daily at 03:23 UTC, a quiet hour: the replay-protection table only needs trimming.
    "prune-webhook-deliveries-daily": {
        "task": "apps.ingestion.tasks.prune_webhook_deliveries",
        "schedule": crontab(hour=3, minute=23),
        "options": {"expires": 6 * 3600},
    },
    # Daily at 03:53 UTC, a quiet hour: the audit log and the admin's change log keep 400 days
    # (KEEL_AUDIT_RETENTION_DAYS), expired API tokens go (they no longer work anyway).
    "prune-access-records-daily": {
        "task": "apps.accounts.tasks.prune_access_records",
        "schedule": crontab(hour=3, minute=53),
        "options": {"expires": 6 * 3600},
    },
    # Daily at 02:43 UTC, after the night's syncs and before anyone reads a dashboard: a full
    # recompute. Each sync recomputes only from the first day its changes can affect
    # (SyncRun.changed_from); this run also catches links between records across time (a Jira
    # issue's story points reaching a PR merged before the issue existed) and config changes.
    "compute-metrics-daily": {
        "task": "apps.metrics.tasks.compute_metrics_task",
        "schedule": crontab(hour=2, minute=43),
        "options": {"expires": 6 * 3600},
    },
    "send-monthly-digests": {
        "task": "apps.digests.tasks.send_monthly_digests",
        "schedule": crontab(minute=15),
        "options": {"expires": 50 * 60},
    },
    # Hourly at :17, like the monthly digests: the task sends last week's weekly digests only
    # from Monday 08:00 to the end of Tuesday in the organisation's zone.
    "send-weekly-digests": {
        "task": "apps.digests.tasks.send_weekly_digests",
        "schedule": crontab(minute=17),
        "options": {"expires": 50 * 60},
    },
}
