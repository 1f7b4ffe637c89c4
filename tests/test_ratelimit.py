"""The shared rate limiter: real processes sharing one store never exceed any configured window; a
provider's Retry-After holds every caller back; a store that cannot be reached means no call."""

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from accounts.ratelimits import parse_rate_limits
from prospecting.providers.base import RateLimited
from prospecting.ratelimit import DatabaseStore, LimiterUnavailable, RateLimiter, RedisStore
from tests.test_celery_worker import database_url_of_test_database

ROOT = Path(__file__).resolve().parent.parent
# Redis only when the run is pointed at one (REDIS_URL, as CI does, or TEST_REDIS_URL): with no variables
# set the suite stays on the embedded defaults, whatever happens to listen on 127.0.0.1:6379.
REDIS_URL = settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "")
WINDOWS = [[3, 1], [5, 2]]  # 3 per second and 5 per 2 seconds, both at once

WORKER = textwrap.dedent("""
    import os, sys, json, time, django
    django.setup()
    from prospecting.ratelimit import DatabaseStore, RateLimiter, RedisStore
    kind, bucket, windows, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
    store = RedisStore(os.environ["LIMITER_REDIS_URL"]) if kind == "redis" else DatabaseStore()
    limiter = RateLimiter(store)
    for _ in range(calls):
        limiter.acquire([(bucket, windows)], max_wait=120)
        print(time.time(), flush=True)
""")


def redis_available():
    if not REDIS_URL:
        return False
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def most_calls_in_any_window(times, seconds):
    # Measured where each process saw its call granted, so allow a few ms of scheduling jitter.
    seconds -= 0.02
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


def run_processes(kind, count=3, calls=5):
    bucket = f"test:{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prospecting.settings",
        "LIMITER_REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url_of_test_database(),
        "QUARRY_VAR_DIR": str(settings.VAR_DIR),
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, kind, bucket, str(WINDOWS).replace(" ", ""), str(calls)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    times = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        times += [float(line) for line in out.split()]
    assert len(times) == count * calls
    return sorted(times)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["database", "redis"])
def test_processes_sharing_a_limiter_never_exceed_its_windows(kind):
    if kind == "redis" and not redis_available():
        pytest.skip(f"no Redis at {REDIS_URL}")
    times = run_processes(kind)
    assert most_calls_in_any_window(times, 1) <= 3
    assert most_calls_in_any_window(times, 2) <= 5
    # And the limiter does not starve them: 15 calls at 5 per 2 s take about 4-6 s, not much more.
    assert times[-1] - times[0] < 10


@pytest.fixture(params=["database", "redis"])
def store(request, transactional_db):
    if request.param == "redis":
        if not redis_available():
            pytest.skip(f"no Redis at {REDIS_URL}")
        return RedisStore(REDIS_URL)
    return DatabaseStore()


def test_windows_allow_a_burst_then_say_how_long_to_wait(store):
    bucket = f"test:{uuid.uuid4().hex}"
    assert [store.try_acquire([(bucket, [[2, 10]])]) for _ in range(2)] == [0, 0]
    wait = store.try_acquire([(bucket, [[2, 10]])])
    assert 9 < wait <= 10


def test_retry_after_holds_every_caller_back(store):
    bucket = f"test:{uuid.uuid4().hex}"
    RateLimiter(store).block([(bucket, [[100, 1]])], 30)
    assert 29 < store.try_acquire([(bucket, [[100, 1]])]) <= 30


def test_a_wait_longer_than_the_caller_accepts_raises_rate_limited(store):
    bucket = [(f"test:{uuid.uuid4().hex}", [[1, 60]])]
    slept = []
    limiter = RateLimiter(store, sleep=slept.append)
    limiter.acquire(bucket, max_wait=5)
    with pytest.raises(RateLimited) as raised:
        limiter.acquire(bucket, max_wait=5)
    assert raised.value.permanent is False and 55 < raised.value.retry_after <= 60
    assert slept == []


def test_a_short_wait_is_slept_through(store):
    bucket = [(f"test:{uuid.uuid4().hex}", [[1, 1]])]
    limiter = RateLimiter(store)
    limiter.acquire(bucket, max_wait=5)
    assert 0 < limiter.acquire(bucket, max_wait=5) <= 1.05


def test_unreachable_redis_fails_closed():
    limiter = RateLimiter(RedisStore("redis://127.0.0.1:1/0"))
    with pytest.raises(LimiterUnavailable) as raised:
        limiter.acquire([("test:down", [[10, 1]])], max_wait=5)
    assert raised.value.permanent is False


def test_database_store_error_fails_closed(monkeypatch, db):
    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    store = DatabaseStore()
    monkeypatch.setattr(store, "try_acquire", broken)
    with pytest.raises(LimiterUnavailable):
        RateLimiter(store).acquire([("test:down", [[10, 1]])], max_wait=5)


def test_a_call_held_back_by_one_bucket_takes_no_slot_in_the_others(store):
    key_bucket, usage_bucket = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    assert store.try_acquire([(usage_bucket, [[1, 60]])]) == 0  # the narrow bucket is now full
    assert store.try_acquire([(key_bucket, [[2, 60]]), (usage_bucket, [[1, 60]])]) > 0
    # The refused call took nothing from the key-wide bucket: two calls still fit there.
    assert store.try_acquire([(key_bucket, [[2, 60]])]) == 0
    assert store.try_acquire([(key_bucket, [[2, 60]])]) == 0
    assert store.try_acquire([(key_bucket, [[2, 60]])]) > 0


@pytest.mark.parametrize("text", ["1/0s", "0/min", "5 per minute", "3/fortnight"])
def test_rate_limits_that_mean_nothing_are_refused(text):
    with pytest.raises(ValidationError):
        parse_rate_limits(text)


def test_rate_limits_read_as_plans_state_them():
    assert parse_rate_limits("25/s, 300/min, 1800/h, 18000/day, 1/3s") == [
        [25, 1],
        [1, 3],
        [300, 60],
        [1800, 3600],
        [18000, 86400],
    ]
