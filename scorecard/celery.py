"""The Celery app. Queues: `default`, `rollups` (score recomputes), `reminders`."""

import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")

app = Celery("sightline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = "default"
app.conf.task_routes = {
    "kpis.tasks.*": {"queue": "rollups"},
    "reviews.tasks.*": {"queue": "reminders"},
    "connections.tasks.*": {"queue": "default"},
}
app.conf.task_acks_late = True
app.conf.worker_prefetch_multiplier = 1
app.conf.beat_schedule = {
    # Reviews (issue 9): the daily reminder sweep, early so reminders arrive with the morning.
    "daily-reminders": {
        "task": "reviews.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    # Issue 13: the quarter under way is opened (and given its snapshots) on its first day,
    # whether or not anyone writes into it; reads never open one.
    "daily-open-current-quarter": {
        "task": "scorecard.tasks.open_current_quarter",
        "schedule": crontab(hour=0, minute=5),
    },
    # Issue 16: scheduled imports; each import's cron expression is read from the database
    # each minute, so changing it needs no restart.
    # SIGHTLINE_CONNECTION_BEAT_SECONDS shortens the minute for tests of a real beat.
    "imports-due-each-minute": {
        "task": "connections.tasks.run_due_imports",
        "schedule": timedelta(
            seconds=float(os.environ.get("SIGHTLINE_CONNECTION_BEAT_SECONDS") or 60)
        ),
    },
    "daily-late-imports": {
        "task": "connections.tasks.remind_late_imports",
        "schedule": crontab(hour=6, minute=10),
    },
    "nightly-prune-import-runs": {
        "task": "connections.tasks.prune_import_runs",
        "schedule": crontab(hour=3, minute=15),
    },
    "nightly-full-recompute": {
        "task": "kpis.tasks.recompute_everything",
        "schedule": crontab(hour=2, minute=30),
    },
}
app.autodiscover_tasks()
