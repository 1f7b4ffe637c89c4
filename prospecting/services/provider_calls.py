"""The one way Quarry calls a provider: pick the team's key, wait for the shared rate limiter, make the
call, record it in the call log with the credits it cost, and return the result or raise."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.audit import record_event
from accounts.crypto import SecretDecryptionError
from accounts.models import AuditAction, KeyStatus, ProviderKey
from prospecting.models import ProviderCall
from prospecting.providers import PROVIDERS
from prospecting.providers.base import KeyRejected, ProviderError, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.ratelimit import RateLimiter, windows_for
from prospecting.sandbox.connect import ensure_lookc_webhook, sandbox_urls

# A web request waits a little for the limiter; background work passes its own patience.
DEFAULT_MAX_WAIT = 10.0

# Calls that make up a provider's balances; Lix reports its daily allowance separately.
BALANCE_ACTIONS = {"lix": ("balances", "daily_allowance")}


def active_key(*, team, provider):
    key = ProviderKey.objects.for_team(team).active().filter(provider=provider).first()
    if key is None:
        raise KeyRejected(f"{team} has no {provider} key yet: a team admin adds it under Provider keys.")
    return key


@sensitive_variables("secret")
def client_for(key):
    """The provider client for a key: the real hosts, or the built-in sandbox for a sandbox key."""
    try:
        secret = key.reveal_secret()
    except ProviderKey.DoesNotExist as missing:  # a LookC key borrowing a Lix key that is gone
        raise KeyRejected(str(missing)) from None
    except SecretDecryptionError:
        raise KeyRejected(
            "This key cannot be decrypted with the configured encryption keys: an admin must paste it again."
        ) from None
    if not key.is_sandbox:
        return PROVIDERS[key.provider](secret, key.options)
    if not settings.SANDBOX_ENABLED:
        raise KeyRejected("This is a sandbox key, and the sandbox is disabled in this deployment.")
    if key.provider == "lookc":
        ensure_lookc_webhook(key, secret)
    return PROVIDERS[key.provider](secret, key.options, urls=sandbox_urls())


def call_provider(*, team, user, provider, action, max_wait=DEFAULT_MAX_WAIT, limiter=None, **params):
    key = active_key(team=team, provider=provider)
    client = client_for(key)
    method = getattr(client, action, None)
    if action.startswith("_") or not callable(method):
        raise ValueError(f"{provider} has no endpoint {action!r}")
    limiter = limiter or RateLimiter()
    buckets = windows_for(key, action)
    slot = limiter.acquire(buckets, max_wait=max_wait)
    try:
        result = method(**params)
    except ProviderError as error:
        if error.call is not None:  # an input refused locally made no call
            record_call(team=team, user=user, key=key, call=error.call, error=error)
        # Only a rate limit holds the whole key back; a Pending lookup's wait concerns that lookup alone.
        if isinstance(error, RateLimited) and error.retry_after:
            limiter.block(buckets, error.retry_after)
        raise
    finally:
        limiter.done(slot)  # the answer is back: the limiter counts this call's windows from now
    record_call(team=team, user=user, key=key, call=result.call, data=result.data)
    if result.call.retry_after:
        limiter.block(buckets, result.call.retry_after)
    return result


def record_call(*, team, user, key, call, data=None, error=None):
    return ProviderCall.objects.create(
        team=team,
        user=user,
        key=key,
        sandbox=key.is_sandbox,
        provider=call.provider,
        endpoint=call.endpoint,
        method=call.method,
        http_status=call.status,
        outcome=error.code if error else "ok",
        message=str(error or "")[:300],
        duration_ms=call.duration_ms,
        request_id=call.request_id,
        credits=credits_for(call, data, error=error),
    )


def check_provider_key(*, key, user, ip=None):
    """Test a key with the provider's cheapest account call and record what the provider said."""
    try:
        call_provider(team=key.team, user=user, provider=key.provider, action="check")
    except KeyRejected as error:
        status, message = KeyStatus.REJECTED, error.message
    except ProviderError as error:
        # Not a verdict on the key: keep its status and say why the test could not finish.
        status, message = key.status, f"Could not test the key: {error.message}"
    else:
        status, message = KeyStatus.VALID, ""
    with transaction.atomic():
        key.status, key.status_message, key.checked_at = status, message[:500], timezone.now()
        key.save(update_fields=["status", "status_message", "checked_at", "updated_at"])
        record_event(
            action=AuditAction.KEY_TESTED,
            actor=user,
            team=key.team,
            target=key.get_provider_display(),
            ip=ip,
            details={"key_id": key.pk, "result": status, "message": message[:200]},
        )
    return key


def refresh_key_balances(*, key, user):
    """Fetch a key's live balances and keep them on the key, with the provider's words if it failed."""
    rows, error = [], ""
    try:
        for action in BALANCE_ACTIONS.get(key.provider, ("balances",)):
            rows += call_provider(team=key.team, user=user, provider=key.provider, action=action).data
    except NotImplementedError as missing:
        error = str(missing)
    except ProviderError as failure:
        error = failure.message
    key.balances, key.balances_checked_at = {"rows": rows, "error": error}, timezone.now()
    key.save(update_fields=["balances", "balances_checked_at", "updated_at"])
    return key


def refresh_balances(*, team, user):
    for key in ProviderKey.objects.for_team(team).active().order_by("provider"):
        refresh_key_balances(key=key, user=user)
