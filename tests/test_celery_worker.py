"""A real Celery worker process, on the configured broker and database, runs work sent after commit."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Invitation, Role
from accounts.services import invite_member
from prospecting.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def database_url_of_test_database():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def private_queue(monkeypatch):
    """Route the tasks tested here to a queue of this test's own: no other worker on the broker takes them."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    routes = celery_app.conf.task_routes
    celery_app.conf.task_routes = {
        "accounts.tasks.*": {"queue": queue},
        "prospecting.tasks.import_csv_task": {"queue": queue},
    }
    celery_app.amqp.flush_routes()
    monkeypatch.setattr(celery_app.amqp, "router", celery_app.amqp.Router())
    yield queue
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()


@pytest.fixture
def worker(private_queue, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "QUARRY_ENCRYPTION_KEYS": ",".join(settings.QUARRY_ENCRYPTION_KEYS),
        "QUARRY_VAR_DIR": str(settings.VAR_DIR),
    }
    log = (tmp_path / "worker.log").open("w+")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "prospecting",
            "worker",
            "--queues",
            private_queue,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.seek(0)
    print(log.read())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_sent_after_commit_runs_on_a_real_worker(worker, alice, team_a):
    invitation = invite_member(
        team=team_a, inviter=alice, email="newcomer@a.test", role=Role.MEMBER, base_url="http://testserver/"
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        invitation.refresh_from_db()
        if invitation.emailed_at:
            break
        time.sleep(0.5)
    assert worker.poll() is None, "the worker exited early; see its log above"
    assert Invitation.objects.get(pk=invitation.pk).emailed_at is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_background_csv_import_runs_on_a_real_worker(worker, alice, team_a, monkeypatch):
    """The file reaches the worker through the database (no shared disk), and the job finishes there."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from prospecting.models import ImportJob, ImportState
    from prospecting.services import import_jobs
    from prospecting.services.lists import create_list

    monkeypatch.setattr(import_jobs, "INLINE_ROWS", 2)
    prospect_list = create_list(team=team_a, user=alice, name="Imported")
    content = "Full Name,Email\n" + "".join(f"Person {n},person{n}@acme.test\n" for n in range(5))
    job = import_jobs.upload_import(
        prospect_list=prospect_list, user=alice, upload=SimpleUploadedFile("people.csv", content.encode())
    )
    job = import_jobs.start_import(job=job, mapping={"full_name": 0, "email": 1}, skip_invalid=False)
    assert job.state in (ImportState.QUEUED, ImportState.RUNNING, ImportState.DONE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        job.refresh_from_db()
        if job.state in (ImportState.DONE, ImportState.FAILED):
            break
        time.sleep(0.5)
    assert worker.poll() is None, "the worker exited early; see its log above"
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.state, job.created, job.added, job.data) == (ImportState.DONE, 5, 5, b"")
    assert prospect_list.entries.count() == 5
