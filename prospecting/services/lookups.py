"""Free provider look-ups that search forms offer (Lix's Sales Navigator and Recruiter facet typeahead,
Lusha's filter values), cached.

They cost no credit but they do spend the key's rate limit: Lix allows one call every 3 seconds, so a
typeahead that called Lix at every keystroke would queue behind itself, and a Lusha form that fetched its
departments at every render would eat into the plan's daily quota. Each answer is kept for a day per key
(filter values change rarely), shared by every process through the cache (Redis, or files under the var
directory). The first call still goes through `call_provider`: logged, rate-limited, never a surprise.
"""

import hashlib
import json

from django.core.cache import cache

from prospecting.services.provider_calls import active_key, call_provider

LOOKUP_TTL = 24 * 3600  # seconds


def cached_lookup(*, team, user, provider, endpoint, max_wait=None, **params):
    """The data of a free look-up, from the cache when this key asked the same within a day, else from
    the provider (raising its ProviderError as `call_provider` does). `max_wait` bounds the wait for the
    rate limiter, so a typeahead answers "busy" rather than hang behind another call."""
    key = active_key(team=team, provider=provider)
    name = _cache_key(key, endpoint, params)
    found = cache.get(name)
    if found is not None:
        return found
    waits = {} if max_wait is None else {"max_wait": max_wait}
    data = call_provider(team=team, user=user, provider=provider, endpoint=endpoint, **waits, **params).data
    cache.set(name, data, LOOKUP_TTL)
    return data


def _cache_key(key, endpoint, params):
    # The key's id and its secret's version: a replaced secret (another account) asks afresh.
    described = json.dumps(params, sort_keys=True, default=str)
    digest = hashlib.sha256(described.encode()).hexdigest()[:24]
    return (
        f"quarry:lookup:{key.provider}:{key.pk}:{key.updated_at.timestamp():.0f}:{endpoint.__name__}:{digest}"
    )
