"""The one way Quarry calls a provider: pick the team's key, wait for the shared rate limiter, make the
call, record it in the call log with the credits it cost, and return the result or raise."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.audit import record_event
from accounts.crypto import SecretDecryptionError
from accounts.models import AuditAction, KeyStatus, ProviderKey
from prospecting.models import CallState, ProviderCall
from prospecting.providers import PROVIDERS
from prospecting.providers.base import KeyRejected, ProviderError, RateLimited
from prospecting.providers.billing import charges_for, max_credits, prices_for
from prospecting.ratelimit import RateLimiter, windows_for
from prospecting.services.ledger import purpose_of, reserve_credits, settle_call_safely

# A web request waits a little for the limiter; background work passes its own patience.
DEFAULT_MAX_WAIT = 10.0


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
    return PROVIDERS[key.provider](secret, key.options, urls=settings.SANDBOX_PROVIDER_URLS)


def call_provider(
    *,
    team,
    user,
    provider,
    endpoint,
    max_wait=DEFAULT_MAX_WAIT,
    limiter=None,
    purpose="",
    belongs_to="",
    **params,
):
    """Call `endpoint`, a method of the provider's client named on its class (`LixClient.search_people`)
    so that a reader and a type checker can follow the call, with `params` as its arguments. `purpose`
    says in words what the spend is for (by default the provider and endpoint), `belongs_to` which job or
    search the call is part of ("saved_search:12"; LedgerEntry.belongs_to).

    The most the call can cost is reserved first (services/ledger.py), before the limiter's wait and
    before anything is sent: over the member's budget or the team's cap, BudgetExceeded is raised and
    nothing else happens. Whatever happens next, the hold is settled once from the call log row."""
    if (
        endpoint.__name__.startswith("_")
        or getattr(PROVIDERS[provider], endpoint.__name__, None) is not endpoint
    ):
        raise ValueError(f"{endpoint.__qualname__} is not an endpoint of {provider}")
    key = active_key(team=team, provider=provider)
    client = client_for(key)
    limiter = limiter or RateLimiter()
    buckets = windows_for(key, endpoint.__name__)
    most = max_credits(key.provider, endpoint.__name__, params, prices_for(key))
    hold = reserve_credits(
        team=team,
        user=user,
        provider=key.provider,
        credits=most,
        purpose=purpose or purpose_of(key.provider, endpoint.__name__),
        belongs_to=belongs_to,
        sandbox=key.is_sandbox,
        # The hold outlives the longest the call can take; past that the expiry task settles it.
        expires_in=max_wait + sum(settings.PROVIDER_TIMEOUT),
    )
    row = None
    try:
        slot = limiter.acquire(buckets, max_wait=max_wait)
        try:
            row = open_call(
                team=team, user=user, key=key, endpoint=endpoint.__name__, hold=hold.id, credits=most
            )
            try:
                result = endpoint(client, **params)
            except BaseException as failure:
                row = finish_call(row, team=team, user=user, key=key, params=params, failure=failure)
                # Only a rate limit holds the whole key back; a Pending lookup's wait concerns that lookup.
                if isinstance(failure, RateLimited) and failure.retry_after:
                    limiter.block(buckets, failure.retry_after)
                raise
        finally:
            limiter.done(slot)  # the answer is back (or nothing was sent): its windows count from now
        finish_call(row, team=team, user=user, key=key, params=params, result=result)
    finally:
        # Every path, a limiter timeout and an exception while the request was out included: no row
        # releases the hold, an answer captures what it cost, an unknown outcome captures the most.
        settle_call_safely(hold, row)
    result.log = row
    if result.call.retry_after:
        limiter.block(buckets, result.call.retry_after)
    return result


def open_call(*, team, user, key, endpoint, params=None, hold="", credits=None):
    """The call log row, written before the request is sent: a worker killed mid-call leaves a `sent` row
    carrying the most the call could cost, unconfirmed, never no row. Call providers outside a database
    transaction, so that this row is committed before the request leaves. `credits`: that most, when the
    caller has it already (`max_credits`); `hold`: the call's credit reservation."""
    if credits is None:
        credits = max_credits(key.provider, endpoint, params, prices_for(key))
    return ProviderCall.objects.create(
        team=team,
        user=user,
        key=key,
        sandbox=key.is_sandbox,
        provider=key.provider,
        endpoint=endpoint[:60],
        method="",
        outcome="",
        state=CallState.SENT,
        hold=hold,
        credits_unconfirmed=credits,
    )


def finish_call(row, *, team, user, key, params, result=None, failure=None):
    """Complete a call's row with its answer, or with what is known of its failure."""
    if failure is None:
        return record_call(
            team=team, user=user, key=key, call=result.call, data=result.data, row=row, params=params
        )
    if isinstance(failure, ProviderError) and failure.call is not None:
        row = record_call(
            team=team, user=user, key=key, call=failure.call, error=failure, row=row, params=params
        )
        if row.credits_unconfirmed:
            # It may have been billed: callers decide to retry from `permanent` alone, so say it is final.
            failure.maybe_billed, failure.permanent = True, True
        return row
    if isinstance(failure, ProviderError | NotImplementedError):
        # Refused before anything was sent: an input checked locally (the HTTP helper turns what requests
        # cannot encode into InvalidInput before sending), no such endpoint. No call, no row.
        row.delete()
        return None
    # Something broke while the request may have been out (a worker shutting down, a time limit): the
    # row stays what it is, a call whose outcome is unknown, its most possible cost unconfirmed.
    row.state, row.message = CallState.UNKNOWN, f"Quarry stopped during the call ({type(failure).__name__})."
    row.save(update_fields=["state", "message"])
    return row


def record_call(*, team, user, key, call, data=None, error=None, row=None, params=None, prices=None):
    """Complete the call's row (or write one) with the answer and what it cost, confirmed or not."""
    confirmed, unconfirmed = charges_for(
        call, data, error=error, params=params, prices=prices or prices_for(key)
    )
    if error is None:
        state = CallState.DONE
    elif unconfirmed:
        state = CallState.UNKNOWN
    else:
        state = CallState.FAILED
    fields = {
        "provider": call.provider,
        "endpoint": call.endpoint,
        "method": call.method,
        "http_status": call.status,
        "outcome": error.code if error else "ok",
        "message": str(error or "")[:300],
        "duration_ms": call.duration_ms,
        "request_id": call.request_id,
        "state": state,
        "credits": confirmed,
        "credits_unconfirmed": unconfirmed,
    }
    if row is None:
        return ProviderCall.objects.create(team=team, user=user, key=key, sandbox=key.is_sandbox, **fields)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=list(fields))
    return row


def check_provider_key(*, key, user, ip=None):
    """Test a key with the provider's cheapest account call and record what the provider said."""
    try:
        call_provider(team=key.team, user=user, provider=key.provider, endpoint=PROVIDERS[key.provider].check)
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
        for endpoint in PROVIDERS[key.provider].balance_endpoints():
            rows += call_provider(team=key.team, user=user, provider=key.provider, endpoint=endpoint).data
    except NotImplementedError as missing:
        error = str(missing)
    except ProviderError as failure:
        error = failure.message
    key.balances, key.balances_checked_at = {"rows": rows, "error": error}, timezone.now()
    key.balances_refreshing_since = None
    key.save(update_fields=["balances", "balances_checked_at", "balances_refreshing_since", "updated_at"])
    return key


def refresh_balances(*, team, user):
    """Fetch every active key's balances in the background, one task per key (Lix alone needs two calls
    3 s apart): each key shows "Refreshing…" until its figures arrive. A key whose refresh is already
    running is left to it. Returns the keys whose refresh started."""
    from prospecting.tasks import refresh_balances_of_key  # tasks call this module's services

    now = timezone.now()
    started = []
    with transaction.atomic():
        for key in ProviderKey.objects.for_team(team).active().select_for_update().order_by("provider"):
            if key.is_refreshing_balances:
                continue
            key.balances_refreshing_since = now
            key.save(update_fields=["balances_refreshing_since"])
            started.append(key)
            # After commit, or a worker may read the key before it is marked; a broker outage must not
            # turn the page into an error: the key stops showing "Refreshing…" after a while.
            transaction.on_commit(
                lambda key_id=key.pk: refresh_balances_of_key.delay(key_id, user.pk if user else None),
                robust=True,
            )
    return started
