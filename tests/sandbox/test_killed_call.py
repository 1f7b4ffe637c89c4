"""A key test killed with SIGKILL while its request is at the provider leaves an "outcome unknown" row in
the call log, with the most the call could have cost as unconfirmed, and the task run again (as a broker
redelivers it after the worker died) does not repeat the call blindly."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from prospecting.models import CallState, ProviderCall
from prospecting.services.keys import connect_sandbox_key
from prospecting.tasks import set_up_demo_key
from tests.sandbox.conftest import control
from tests.test_celery_worker import database_url_of_test_database

ROOT = Path(__file__).resolve().parent.parent.parent
RUN_TASK = (
    "import django, sys; django.setup(); "
    "from prospecting.tasks import set_up_demo_key; set_up_demo_key(int(sys.argv[1]))"
)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def fault_taken(server):
    # The control API lists the faults still waiting: ours is gone once a request has reached it.
    waiting = control(server, "faults", {"provider": "nobody", "kind": "latency", "seconds": 0, "count": 0})
    return not any(fault["provider"] == "linkup" for fault in waiting["faults"])


def kill_a_key_test_mid_call(server, key, settings):
    """Test the LinkUp `key` as the demo set-up does, in a worker process of its own, and SIGKILL that
    worker while its request is at the sandbox (which holds it for a minute)."""
    # LinkUp bills its key check (GET /v1/check).
    control(server, "faults", {"provider": "linkup", "path": "/v1/check", "kind": "latency", "seconds": 60})
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "QUARRY_ENCRYPTION_KEYS": ",".join(settings.QUARRY_ENCRYPTION_KEYS),
        "QUARRY_VAR_DIR": str(settings.VAR_DIR),
        "QUARRY_SANDBOX": "true",
        "SANDBOX_URL": server.url,
    }
    worker = subprocess.Popen([sys.executable, "-c", RUN_TASK, str(key.pk)], cwd=ROOT, env=env)
    try:
        assert wait_for(lambda: fault_taken(server)), "the key test never reached the sandbox"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.django_db(transaction=True)
def test_a_key_test_killed_mid_call_leaves_an_outcome_unknown_row_and_is_not_repeated(
    sandbox, settings, team_a, alice
):
    server = sandbox()
    key = connect_sandbox_key(team=team_a, actor=alice, provider="linkup")
    kill_a_key_test_mid_call(server, key, settings)
    row = ProviderCall.objects.get(key=key)
    assert (row.endpoint, row.state, row.credits, row.credits_unconfirmed) == (
        "check",
        CallState.SENT,
        {},
        {"credits": 1},
    )
    assert row.user is None  # the demo set-up tests keys as Quarry itself
    # Once no answer can come any more, the row reads as what it is.
    ProviderCall.objects.filter(pk=row.pk).update(created_at=row.created_at - timedelta(minutes=10))
    row.refresh_from_db()
    assert row.outcome_unknown and row.state_words().startswith("Outcome unknown")
    assert row.unconfirmed_text() == "up to 1 credit, unconfirmed"

    received = len(control(server, "received", provider="linkup")["received"])
    settings.SANDBOX_URL = server.url
    set_up_demo_key(key.pk)  # the broker hands the task back: it must not call LinkUp again
    assert len(control(server, "received", provider="linkup")["received"]) == received
    assert ProviderCall.objects.filter(key=key).count() == 1
