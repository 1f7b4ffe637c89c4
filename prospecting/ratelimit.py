"""The shared provider rate limiter.

Celery's own rate_limit is per worker (celery #5732), so the limit lives in a store every process and
host shares: Redis when REDIS_URL is set, the database otherwise (embedded mode). Each bucket keeps a
log of recent calls per window, so every window (per second, minute, hour, day) holds at once and
bursts up to a window's count are allowed. A bucket can also be blocked until a time the provider gave
(Retry-After, Lusha's quota headers). If the store cannot be reached, no call is made: fail closed.

A provider counts calls when they *arrive*, and nothing bounds the time between our grant and the
arrival: a loaded machine can hold a process for tens of milliseconds after its slot was granted, and
the first call of a cold process is the slowest. So a slot is not stamped with the time it was granted.
It is taken "in flight" (it counts in every window, as if it arrived at any moment from now on), and
stamped when the answer is back (`RateLimiter.done`). The provider received the request after the grant
and before it answered, so measuring each window from the answer of the earlier call to the grant of
the next one is never shorter than what the provider measures, whatever the scheduling: no margin to
guess. The price is one call's duration per turn of a window (a few ms against the sandbox).
"""

import contextlib
import time
import uuid
from dataclasses import dataclass, field

import redis
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction

from prospecting.providers import PROVIDERS
from prospecting.providers.base import ProviderError, ProviderUnavailable, RateLimited
from prospecting.rate_limits import MAX_COUNT, MAX_WINDOW_SECONDS, parse_rate_limits


class LimiterUnavailable(ProviderUnavailable):
    default_message = "Quarry's rate limiter is unavailable, so no call was made; try again shortly."


class InvalidRateLimits(ProviderError):
    code = "invalid_rate_limits"
    default_message = (
        "This key's rate limits are not valid: a team admin must correct them under Provider keys."
    )


def windows_for(key, endpoint=""):
    """[(bucket name, windows)] that a call with `key` to `endpoint` must pass."""
    client = PROVIDERS[key.provider]
    windows = key.options.get("rate_limits") or parse_rate_limits(client.default_rate_limits)
    buckets = [(f"key:{key.pk}", windows)]
    if endpoint in client.endpoint_rate_limits:
        name, limit = client.endpoint_rate_limits[endpoint]
        buckets.append((f"key:{key.pk}:{name}", parse_rate_limits(limit)))
    return buckets


def check_windows(buckets):
    """Refuse windows the stores cannot keep (a stored spec from before the form refused them)."""
    for _name, windows in buckets:
        for count, seconds in windows:
            if not (1 <= count <= MAX_COUNT and 0 < seconds <= MAX_WINDOW_SECONDS):
                raise InvalidRateLimits(
                    f"This key's rate limit {count}/{seconds}s is not valid (at most {MAX_COUNT:,} calls "
                    f"per window, windows up to a day): a team admin must correct it under Provider keys."
                )


# --- Stores --------------------------------------------------------------------------------------

# Atomic check-and-take over every window of every bucket of one call, so a call never takes a slot in
# one bucket while another makes it wait. ARGV: bucket count, then per bucket its window count and
# (limit, window ms) pairs, then the slot's member and its lease in ms. KEYS: per bucket its blocked
# key, then its window keys. A slot in flight is scored at now + lease (`done` re-scores it when the
# answer is back); it counts as arriving no earlier than now. Returns 0 when taken, else ms to wait.
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
      wait = math.max(wait, math.min(tonumber(oldest[2]), now) + window - now)
    end
    table.insert(taken, {key, window})
  end
end
if wait > 0 then return wait end
local lease = tonumber(ARGV[a + 1])
for _, slot in ipairs(taken) do
  redis.call('ZADD', slot[1], now + lease, ARGV[a])
  redis.call('PEXPIRE', slot[1], lease + slot[2] + 1000)
end
return 0
"""

# The answer is back: the slot's time is now. ARGV: the slot's member. KEYS: the slot's window keys.
_DONE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
end
return now
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
        self._done = self.client.register_script(_DONE)
        self._block = self.client.register_script(_BLOCK)

    def _window_keys(self, bucket, windows):
        return [f"{self.prefix}:{bucket}:{round(seconds * 1000)}" for _, seconds in windows]

    def try_acquire(self, buckets, slot="", lease=0.0):
        keys, args = [], [len(buckets)]
        for bucket, windows in buckets:
            keys += [f"{self.prefix}:{bucket}:blocked", *self._window_keys(bucket, windows)]
            args += [len(windows)] + [v for count, s in windows for v in (count, round(s * 1000))]
        member = slot or uuid.uuid4().hex
        return int(self._acquire(keys=keys, args=[*args, member, round(lease * 1000)])) / 1000

    def done(self, buckets, slot):
        keys = [key for bucket, windows in buckets for key in self._window_keys(bucket, windows)]
        self._done(keys=keys, args=[slot])

    def block(self, bucket, seconds):
        self._block(keys=[f"{self.prefix}:{bucket}:blocked"], args=[int(seconds * 1000)])


class DatabaseStore:
    """The same algorithm on the database: a row lock per bucket serialises the processes. Times are
    this host's clock: the embedded mode runs on one machine (several hosts share Redis)."""

    errors = (DatabaseError,)

    def __init__(self):
        self._slots = {}  # slot -> the RateLimitHit ids it holds, until `done`

    def try_acquire(self, buckets, slot="", lease=0.0):
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
                        # A slot still in flight arrives no earlier than now.
                        wait = max(wait, min(oldest, now) + seconds * 1000 - now)
            if wait > 0:
                return wait / 1000
            hits = RateLimitHit.objects.bulk_create(
                RateLimitHit(bucket=row, at_ms=now + int(lease * 1000)) for row, _ in rows
            )
            self._slots[slot] = [hit.pk for hit in hits]
            return 0

    def done(self, buckets, slot):
        from prospecting.models import RateLimitHit

        ids = self._slots.pop(slot, [])
        RateLimitHit.objects.filter(pk__in=ids).update(at_ms=int(time.time() * 1000))

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


_redis_stores = {}


def default_store():
    if not settings.REDIS_URL:
        return DatabaseStore()
    # One client per process and URL, so a call does not open a Redis connection of its own; redis-py's
    # pool notices a fork and starts afresh in the child.
    if settings.REDIS_URL not in _redis_stores:
        _redis_stores[settings.REDIS_URL] = RedisStore(settings.REDIS_URL)
    return _redis_stores[settings.REDIS_URL]


# --- The limiter ---------------------------------------------------------------------------------


@dataclass
class Slot:
    """A call's place in its buckets, from the grant until `RateLimiter.done`."""

    buckets: list
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    waited: float = 0.0


class RateLimiter:
    def __init__(self, store=None, *, sleep=time.sleep, lease=None):
        self.store = store or default_store()
        self.sleep = sleep
        # How long a slot counts as in flight if `done` never comes (a killed worker): the longest a
        # call can take. Past it the slot counts as answered then, which is still after it arrived.
        self.lease = lease if lease is not None else float(sum(settings.PROVIDER_TIMEOUT))

    def acquire(self, buckets, *, max_wait):
        """Wait until every bucket allows one more call, and take it: returns the Slot, to pass to
        `done` once the answer is back. Raises RateLimited when the wait would exceed max_wait (the
        caller reschedules), LimiterUnavailable if the store is down, InvalidRateLimits for windows
        the stores cannot keep."""
        check_windows(buckets)
        slot = Slot(buckets)
        while True:
            try:
                wait = self.store.try_acquire(buckets, slot.id, self.lease)
            except self.store.errors as exc:
                raise LimiterUnavailable(
                    f"{LimiterUnavailable.default_message} ({type(exc).__name__})"
                ) from None
            if wait <= 0:
                return slot
            if slot.waited + wait > max_wait:
                raise RateLimited(
                    "Quarry is holding calls back to stay within this key's rate limits.", retry_after=wait
                )
            self.sleep(wait)
            slot.waited += wait

    def done(self, slot):
        """The call's answer is back (or it failed): from now on its slot counts from this moment."""
        # If the store is down, the slot stays in flight until its lease ends: later, never sooner.
        with contextlib.suppress(*self.store.errors):
            self.store.done(slot.buckets, slot.id)

    def block(self, buckets, seconds):
        """Hold every call with these buckets back for `seconds` (the provider asked us to)."""
        # The key-wide bucket; if the store is down, the next acquire fails closed anyway.
        with contextlib.suppress(*self.store.errors):
            self.store.block(buckets[0][0], seconds)
