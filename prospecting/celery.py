"""The Celery app, configured for at-least-once work.

A task is acknowledged only after it finished (acks_late) and is handed back to the broker if its
worker dies (reject_on_worker_lost); each worker takes one message at a time (prefetch 1), so a
crash loses at most the message it was running, and that message comes back. One visibility
timeout is set in settings for the broker: countdowns longer than it would be re-delivered over and
over on Redis, so long waits are stored on rows and released by beat instead.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prospecting.settings")

app = Celery("quarry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    event_serializer="json",
    # Job state lives in our tables, never in a result backend.
    task_ignore_result=True,
    result_backend=None,
    task_default_queue="default",
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    beat_schedule={
        "clear-expired-sessions": {
            "task": "accounts.tasks.clear_expired_sessions",
            "schedule": crontab(minute=17, hour="*/6"),
        },
        # A hold lives a call's longest duration plus a minute; this settles it soon after.
        "settle-expired-credit-holds": {
            "task": "prospecting.tasks.settle_expired_holds",
            "schedule": crontab(minute="*/5"),
        },
        # The providers' own balance and usage figures against the ledger; one free call per key (Lix:
        # two), well inside Lusha's 5 usage calls a minute.
        "reconcile-credits": {
            "task": "prospecting.tasks.reconcile_all_teams",
            "schedule": crontab(minute=41),
        },
    },
)
app.autodiscover_tasks()
