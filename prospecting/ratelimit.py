"""The shared provider rate limiter.

Celery's own rate_limit is per worker (celery #5732), so the limit lives in a store every process and
host shares: Redis when REDIS_URL is set, the database otherwise (embedded mode). Each bucket keeps a
log of recent calls per window, so every window (per second, minute, hour, day) holds at once and
bursts up to a window's count are allowed. A bucket can also be blocked until a time the provider gave
(Retry-After, Lusha's quota headers). If the store cannot be reached, no call is made: fail closed.
"""

import contextlib
import time
import uuid

import redis
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction

from prospecting.providers import PROVIDERS
from prospecting.providers.base import ProviderUnavailable, RateLimited
from prospecting.rate_limits import parse_rate_limits


class LimiterUnavailable(ProviderUnavailable):
    default_message = "Quarry's rate limiter is unavailable, so no call was made; try again shortly."


# Each window is kept this much longer than the plan's: two calls granted exactly a window apart can
# reach the provider a few milliseconds closer together, and the provider counts arrivals.
WINDOW_MARGIN = 0.05


def windows_for(key, endpoint=""):
    """[(bucket name, windows)] that a call with `key` to `endpoint` must pass."""
    client = PROVIDERS[key.provider]
    windows = key.options.get("rate_limits") or parse_rate_limits(client.default_rate_limits)
    buckets = [(f"key:{key.pk}", windows)]
    if endpoint in client.endpoint_rate_limits:
        name, limit = client.endpoint_rate_limits[endpoint]
        buckets.append((f"key:{key.pk}:{name}", parse_rate_limits(limit)))
    return [(name, [[count, span + WINDOW_MARGIN] for count, span in limits]) for name, limits in buckets]


# --- Stores --------------------------------------------------------------------------------------

# Atomic check-and-take over every window of every bucket of one call, so a call never takes a slot in
# one bucket while another makes it wait. ARGV: bucket count, then per bucket its window count and
# (limit, window ms) pairs, then a unique member. KEYS: per bucket its blocked key, then its window keys.
# Returns 0 when taken, else milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local k, a, wait, taken = 1, 2, 0, {}
for b = 1, tonumber(ARGV[1]) do
  local blocked = tonumber(redis.call('GET', KEYS[k]) or '0')
  if blocked > now then wait = math.max(wait, blocked - now) end
  k = k + 1
  local windows = tonumber(ARGV[a])
  a = a + 1
  for w = 1, windows do
    local limit, window, key = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), KEYS[k]
    a, k = a + 2, k + 1
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if redis.call('ZCARD', key) >= limit then
      local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      wait = math.max(wait, tonumber(oldest[2]) + window - now)
    end
    table.insert(taken, {key, window})
  end
end
if wait > 0 then return wait end
for _, slot in ipairs(taken) do
  redis.call('ZADD', slot[1], now, ARGV[a])
  redis.call('PEXPIRE', slot[1], slot[2] + 1000)
end
return 0
"""

_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 1000)
end
return until_ms
"""


class RedisStore:
    errors = (redis.RedisError, OSError)

    def __init__(self, url, prefix="quarry:ratelimit"):
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix
        self._acquire = self.client.register_script(_ACQUIRE)
        self._block = self.client.register_script(_BLOCK)

    def try_acquire(self, buckets):
        keys, args = [], [len(buckets)]
        for bucket, windows in buckets:
            windows_ms = [(count, int(seconds * 1000)) for count, seconds in windows]
            keys += [f"{self.prefix}:{bucket}:blocked"] + [
                f"{self.prefix}:{bucket}:{ms}" for _, ms in windows_ms
            ]
            args += [len(windows_ms)] + [value for count, ms in windows_ms for value in (count, ms)]
        return int(self._acquire(keys=keys, args=[*args, uuid.uuid4().hex])) / 1000

    def block(self, bucket, seconds):
        self._block(keys=[f"{self.prefix}:{bucket}:blocked"], args=[int(seconds * 1000)])


class DatabaseStore:
    """The same algorithm on the database: a row lock per bucket serialises the processes."""

    errors = (DatabaseError,)

    def try_acquire(self, buckets):
        from prospecting.models import RateLimitHit

        with transaction.atomic():
            # Rows locked in name order, so two processes never wait on each other crosswise.
            rows = [(self._locked_bucket(name), windows) for name, windows in sorted(buckets)]
            now = int(time.time() * 1000)  # read once the locks are held: the slot is taken now
            wait = 0
            for row, windows in rows:
                wait = max(wait, row.blocked_until_ms - now)
                longest = max(seconds for _, seconds in windows) * 1000
                RateLimitHit.objects.filter(bucket=row, at_ms__lte=now - longest).delete()
                for count, seconds in windows:
                    recent = RateLimitHit.objects.filter(bucket=row, at_ms__gt=now - seconds * 1000)
                    if recent.count() >= count:
                        oldest = recent.order_by("at_ms").values_list("at_ms", flat=True)[0]
                        wait = max(wait, oldest + seconds * 1000 - now)
            if wait > 0:
                return wait / 1000
            RateLimitHit.objects.bulk_create(RateLimitHit(bucket=row, at_ms=now) for row, _ in rows)
            return 0

    def block(self, bucket, seconds):
        with transaction.atomic():
            row = self._locked_bucket(bucket)
            row.blocked_until_ms = max(row.blocked_until_ms, int((time.time() + seconds) * 1000))
            row.save(update_fields=["blocked_until_ms"])

    def _locked_bucket(self, name):
        from prospecting.models import RateLimitBucket

        try:
            with transaction.atomic():
                RateLimitBucket.objects.get_or_create(name=name)
        except IntegrityError:
            pass  # another process created it first
        return RateLimitBucket.objects.select_for_update().get(name=name)


def default_store():
    return RedisStore(settings.REDIS_URL) if settings.REDIS_URL else DatabaseStore()


# --- The limiter ---------------------------------------------------------------------------------


class RateLimiter:
    def __init__(self, store=None, *, sleep=time.sleep):
        self.store = store or default_store()
        self.sleep = sleep

    def acquire(self, buckets, *, max_wait):
        """Wait until every bucket allows one more call, and take it. Raises RateLimited when the
        wait would exceed max_wait (the caller reschedules), LimiterUnavailable if the store is down."""
        waited = 0.0
        while True:
            try:
                wait = self.store.try_acquire(buckets)
            except self.store.errors as exc:
                raise LimiterUnavailable(
                    f"{LimiterUnavailable.default_message} ({type(exc).__name__})"
                ) from None
            if wait <= 0:
                return waited
            if waited + wait > max_wait:
                raise RateLimited(
                    "Quarry is holding calls back to stay within this key's rate limits.", retry_after=wait
                )
            self.sleep(wait)
            waited += wait

    def block(self, buckets, seconds):
        """Hold every call with these buckets back for `seconds` (the provider asked us to)."""
        # The key-wide bucket; if the store is down, the next acquire fails closed anyway.
        with contextlib.suppress(*self.store.errors):
            self.store.block(buckets[0][0], seconds)
