"""Throughput and overhead of Quarry's provider calls against the sandbox (on demand: `make benchmarks`).

1. Two Celery worker processes call the sandbox's LookC at the key's configured limit for 60 s: how
   close to the allowed rate they get, and how many 429s the sandbox answered (must be none).
2. The overhead per call of Quarry's call service (key, limiter, call log) against a bare requests
   call to the same sandbox endpoint on a kept-alive connection (and, for reference, on a new one).
Figures are printed and written to var/benchmarks/; the README keeps the latest.
"""

import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings

from prospecting.models import ProviderCall
from prospecting.providers.base import Pending
from prospecting.providers.lookc import LookcClient
from prospecting.sandbox.server import wait_until_up
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.provider_calls import call_provider
from tests.test_celery_worker import database_url_of_test_database

ROOT = Path(__file__).resolve().parents[2]
RATE = int(os.environ.get("BENCH_RATE", 20))  # calls per second, configured on the key and on the sandbox
DURATION = int(os.environ.get("BENCH_SECONDS", 60))
SANDBOX_PORT = 8199


@pytest.fixture
def sandbox_process(settings):
    process = subprocess.Popen(
        [sys.executable, "-m", "prospecting.sandbox", "--port", str(SANDBOX_PORT)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{SANDBOX_PORT}"
    assert wait_until_up(url), "the sandbox did not start"
    settings.SANDBOX_URL = url
    settings.SANDBOX_PROVIDER_URLS = {
        name: value.replace(value.split("/")[2], f"127.0.0.1:{SANDBOX_PORT}")
        for name, value in settings.SANDBOX_PROVIDER_URLS.items()
    }
    yield url
    process.terminate()
    process.wait(timeout=10)


def start_workers(queue, count, url):
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_database(),
        "SANDBOX_URL": url,
        "QUARRY_ENCRYPTION_KEYS": ",".join(settings.QUARRY_ENCRYPTION_KEYS),
        "QUARRY_VAR_DIR": str(settings.VAR_DIR),
    }
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.benchmarks.worker_app",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
                "-n",
                f"bench{index}@%h",
            ],
            cwd=ROOT,
            env=env,
        )
        for index in range(count)
    ]


def record(name, figures):
    folder = settings.VAR_DIR / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    figures |= {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "broker": "redis" if settings.REDIS_URL else "filesystem",
    }
    (folder / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{name}: {json.dumps(figures, indent=2)}")


# With CPU burners: a saturated machine delays processes between the limiter's grant and the request
# leaving, which must never bring two arrivals closer than the window (no 429).
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cpu_burners", [0, 4])
def test_two_workers_reach_the_allowed_rate_without_429(sandbox_process, team_a, alice, cpu_burners):
    from tests.benchmarks.worker_app import app, lookup

    key = connect_sandbox_key(team=team_a, actor=alice, provider="lookc")
    key.options = {"rate_limits": [[RATE, 1]]}
    key.save()
    requests.post(f"{sandbox_process}/_sandbox/limits", json={"provider": "lookc", "windows": [[RATE, 1]]})
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    for index in range(int(RATE * (DURATION + 20))):
        lookup.apply_async((team_a.pk, alice.pk, f"person{index}@northwind.io"), queue=queue)
    workers = start_workers(queue, 2, sandbox_process)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cpu_burners)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not received(sandbox_process):
            time.sleep(0.2)
        started = received(sandbox_process)[0]["at"]
        time.sleep(max(0, started + DURATION + 1 - time.time()))
        calls = [r for r in received(sandbox_process) if started <= r["at"] < started + DURATION]
    finally:
        for process in [*burners, *workers]:
            process.terminate()
        for process in [*burners, *workers]:
            process.wait(timeout=30)
        app.control.purge()
    # LookC answers some look-ups at once (200) and some later (202): both are served calls.
    ok = sum(1 for r in calls if 200 <= r["status"] < 300)
    per_second = [
        sum(1 for r in calls if second <= r["at"] - started < second + 1) for second in range(DURATION)
    ]
    limited = sum(1 for r in calls if r["status"] == 429)
    allowed = RATE * DURATION
    record(
        "throughput_loaded" if cpu_burners else "throughput",
        {
            "workers": 2,
            "cpu_burners": cpu_burners,
            "configured_rate_per_s": RATE,
            "seconds": DURATION,
            "calls_answered_2xx": ok,
            "allowed": allowed,
            "achieved_vs_allowed": round(ok / allowed, 3),
            "answers_429": limited,
            "limiter": "slots count in flight until answered, no margin",
            "calls_per_second_min_median_max": [
                min(per_second),
                statistics.median(per_second),
                max(per_second),
            ],
            "calls_per_second": per_second,
            "provider_call_ms_median": statistics.median(
                ProviderCall.objects.values_list("duration_ms", flat=True)
            ),
        },
    )
    assert limited == 0
    if not cpu_burners:  # starved of CPU, the workers may not keep up: only the 429s are the limiter's
        assert ok >= 0.9 * allowed


def received(url):
    return requests.get(f"{url}/_sandbox/received?provider=lookc", timeout=10).json()["received"]


@pytest.mark.django_db(transaction=True)
def test_overhead_of_the_call_service_against_a_bare_request(sandbox_process, team_a, alice):
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lookc")
    key.options = {"rate_limits": [[100_000, 1]]}
    key.save()
    requests.post(f"{sandbox_process}/_sandbox/limits", json={"provider": "lookc", "windows": [[100_000, 1]]})
    secret, calls = key.reveal_secret(), 300
    url = f"{sandbox_process}/lookc/v1/search/person/by-email"
    session = requests.Session()
    kept_alive, new_connection, service = [], [], []
    for index in range(calls):
        email = f"overhead{index}@northwind.io"
        started = time.perf_counter()
        session.get(url, params={"email": email}, headers={"Authorization": secret}, timeout=10)
        kept_alive.append(time.perf_counter() - started)
        started = time.perf_counter()
        requests.get(url, params={"email": email}, headers={"Authorization": secret}, timeout=10)
        new_connection.append(time.perf_counter() - started)
        started = time.perf_counter()
        with contextlib.suppress(Pending):  # LookC answers some look-ups later: a served call all the same
            call_provider(
                team=team_a, user=alice, provider="lookc", endpoint=LookcClient.person_by_email, email=email
            )
        service.append(time.perf_counter() - started)

    def ms(value):
        return round(value * 1000, 2)

    def p95(values):
        return sorted(values)[int(len(values) * 0.95)]

    median = statistics.median
    record(
        "overhead",
        {
            "calls": calls,
            "limiter_store": "redis" if settings.REDIS_URL else "database",
            "bare_kept_alive_ms_median": ms(median(kept_alive)),
            "bare_new_connection_ms_median": ms(median(new_connection)),
            "call_service_ms_median": ms(median(service)),
            "call_service_ms_p95": ms(p95(service)),
            "overhead_vs_kept_alive_ms_median": ms(median(service) - median(kept_alive)),
            "overhead_vs_kept_alive_ms_p95": ms(p95(service) - p95(kept_alive)),
        },
    )
    assert median(service) > 0
