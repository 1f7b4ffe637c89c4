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

from accounts.ratelimits import DEFAULT_RATE_LIMITS, parse_rate_limits
from prospecting.providers.base import ProviderUnavailable, RateLimited

# Endpoints with a limit of their own on top of the key's: (provider, endpoint) -> (bucket, limit).
# Lusha's /account/usage allows 5 requests a minute (providers.md §5.5); three methods call it.
ENDPOINT_RATE_LIMITS = {
    ("lusha", endpoint): ("usage", "5/min") for endpoint in ("account_usage", "check", "balances")
}


class LimiterUnavailable(ProviderUnavailable):
    default_message = "Quarry's rate limiter is unavailable, so no call was made; try again shortly."


# Each window is kept this much longer than the plan's: two calls granted exactly a window apart can
# reach the provider a few milliseconds closer together, and the provider counts arrivals.
WINDOW_MARGIN = 0.05


def windows_for(key, endpoint=""):
    """[(bucket name, windows)] that a call with `key` to `endpoint` must pass."""
    windows = key.options.get("rate_limits") or parse_rate_limits(DEFAULT_RATE_LIMITS[key.provider])
    buckets = [(f"key:{key.pk}", windows)]
    if (key.provider, endpoint) in ENDPOINT_RATE_LIMITS:
        name, limit = ENDPOINT_RATE_LIMITS[key.provider, endpoint]
        buckets.append((f"key:{key.pk}:{name}", parse_rate_limits(limit)))
    return [(name, [[count, span + WINDOW_MARGIN] for count, span in limits]) for name, limits in buckets]


# --- Stores --------------------------------------------------------------------------------------

# Atomic check-and-take over every window. Returns 0 when taken, else milliseconds to wait.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if blocked > now then return blocked - now end
local wait = 0
for i = 2, #KEYS do
  local limit = tonumber(ARGV[(i - 2) * 2 + 1])
  local window = tonumber(ARGV[(i - 2) * 2 + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return wait end
for i = 2, #KEYS do
  local window = tonumber(ARGV[(i - 2) * 2 + 2])
  redis.call('ZADD', KEYS[i], now, ARGV[#ARGV])
  redis.call('PEXPIRE', KEYS[i], window + 1000)
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

    def try_acquire(self, bucket, windows):
        windows_ms = [(count, int(seconds * 1000)) for count, seconds in windows]
        keys = [f"{self.prefix}:{bucket}:blocked"] + [f"{self.prefix}:{bucket}:{ms}" for _, ms in windows_ms]
        args = [value for count, ms in windows_ms for value in (count, ms)] + [uuid.uuid4().hex]
        return int(self._acquire(keys=keys, args=args)) / 1000

    def block(self, bucket, seconds):
        self._block(keys=[f"{self.prefix}:{bucket}:blocked"], args=[int(seconds * 1000)])


class DatabaseStore:
    """The same algorithm on the database: a row lock per bucket serialises the processes."""

    errors = (DatabaseError,)

    def try_acquire(self, bucket, windows):
        from prospecting.models import RateLimitHit

        now = int(time.time() * 1000)
        with transaction.atomic():
            row = self._locked_bucket(bucket)
            if row.blocked_until_ms > now:
                return (row.blocked_until_ms - now) / 1000
            longest = max(seconds for _, seconds in windows) * 1000
            RateLimitHit.objects.filter(bucket=row, at_ms__lte=now - longest).delete()
            wait = 0
            for count, seconds in windows:
                recent = RateLimitHit.objects.filter(bucket=row, at_ms__gt=now - seconds * 1000)
                if recent.count() >= count:
                    oldest = recent.order_by("at_ms").values_list("at_ms", flat=True)[0]
                    wait = max(wait, oldest + seconds * 1000 - now)
            if wait:
                return wait / 1000
            RateLimitHit.objects.create(bucket=row, at_ms=now)
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
        for name, windows in buckets:
            while True:
                try:
                    wait = self.store.try_acquire(name, windows)
                except self.store.errors as exc:
                    raise LimiterUnavailable(
                        f"{LimiterUnavailable.default_message} ({type(exc).__name__})"
                    ) from None
                if wait <= 0:
                    break
                if waited + wait > max_wait:
                    raise RateLimited(
                        "Quarry is holding calls back to stay within this key's rate limits.",
                        retry_after=wait,
                    )
                self.sleep(wait)
                waited += wait
        return waited

    def block(self, buckets, seconds):
        """Hold every call with these buckets back for `seconds` (the provider asked us to)."""
        # The key-wide bucket; if the store is down, the next acquire fails closed anyway.
        with contextlib.suppress(*self.store.errors):
            self.store.block(buckets[0][0], seconds)
