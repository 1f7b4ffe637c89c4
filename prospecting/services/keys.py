"""A team's provider keys: add or replace a secret, let LookC borrow Lix's key, change a key's settings,
connect a sandbox key, revoke. Every change is audited; the secret is write-only."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction, KeyStatus, Provider, ProviderKey
from prospecting.models.calls import describe_credits
from prospecting.providers import PROVIDERS
from prospecting.providers.billing import default_prices, format_price_table, max_credits


def lookc_webhook_url(key):
    """The team's LookC webhook URL; its token is the URL's only authentication (LookC signs nothing)."""
    return settings.SITE_URL + reverse("lookc_webhook", args=[key.webhook_token])


def check_cost_text(provider):
    """What pressing Test on a key of `provider` may cost, in words ("" when free): LinkUp bills /check."""
    return describe_credits(max_credits(provider, PROVIDERS[provider].check.__name__))


def balances_cost_text(provider):
    """What refreshing `provider`'s balances may cost, in words ("" when free)."""
    total = {}
    for endpoint in PROVIDERS[provider].balance_endpoints():
        for kind, amount in max_credits(provider, endpoint.__name__).items():
            total[kind] = total.get(kind, 0) + amount
    return describe_credits(total)


def price_table_text(key):
    """The key's effective price table per data point ("email 1, phone 5, ..."), or "" for a provider
    whose prices do not depend on the plan."""
    if not default_prices(key.provider):
        return ""
    return format_price_table(key.provider, (key.options or {}).get("prices"))


def _locked_active_key(team, provider):
    return ProviderKey.objects.for_team(team).active().select_for_update().filter(provider=provider).first()


def _audit(key, *, action, actor, ip, previous_options=None):
    details = {
        "key_id": key.pk,
        "last4": key.last4,
        "uses_lix_key": key.uses_lix_key,
        "options": key.options,
        "sandbox": key.is_sandbox,
    }
    if previous_options is not None and previous_options != key.options:
        details["previous_options"] = previous_options  # what a settings change (prices, limits) replaced
    record_event(
        action=action,
        actor=actor,
        team=key.team,
        target=key.get_provider_display(),
        ip=ip,
        details=details,
    )


def _store_new_credentials(*, team, actor, provider, label, options, ip, fill):
    """Shared by every change that gives a key new credentials: the team's active key for `provider`
    takes them (replaced), or a new key is made (added). `fill(key)` sets the credentials; the key is
    then untested."""
    with transaction.atomic():
        key = _locked_active_key(team, provider)
        action = AuditAction.KEY_REPLACED if key else AuditAction.KEY_ADDED
        key = key or ProviderKey(team=team, provider=provider, created_by=actor)
        key.label, key.options = label.strip(), options or {}
        fill(key)
        if provider == Provider.LOOKC and not key.webhook_token:
            key.webhook_token = secrets.token_urlsafe(24)
        key.status, key.status_message, key.checked_at = KeyStatus.UNVERIFIED, "", None
        key.save()
        _audit(key, action=action, actor=actor, ip=ip)
    return key


def _secret_filler(secret, *, is_sandbox):
    def fill(key):
        key.secret, key.last4 = secret, secret[-4:]
        key.uses_lix_key, key.is_sandbox = False, is_sandbox

    return fill


def add_provider_key(*, team, actor, provider, secret, label="", options=None, ip=None):
    """Paste a key for `provider`: the team's active key takes the new secret, or a new key is made."""
    secret = (secret or "").strip()
    problem = PROVIDERS[provider].key_format_error(secret)
    if problem:
        raise ValidationError(problem)
    return _store_new_credentials(
        team=team,
        actor=actor,
        provider=provider,
        label=label,
        options=options,
        ip=ip,
        fill=_secret_filler(secret, is_sandbox=False),
    )


def use_lix_key_for_lookc(*, team, actor, label="", options=None, ip=None):
    """LookC accounts usually share Lix's key: the team's LookC key stores no secret and reads Lix's."""

    def fill(key):
        key.secret, key.last4, key.uses_lix_key, key.is_sandbox = None, "", True, False

    with transaction.atomic():
        if not ProviderKey.objects.for_team(team).active().filter(provider=Provider.LIX).exists():
            raise ValidationError("Add the team's Lix key first, then LookC can use it.")
        return _store_new_credentials(
            team=team, actor=actor, provider=Provider.LOOKC, label=label, options=options, ip=ip, fill=fill
        )


def update_provider_key(*, key, actor, label="", options=None, ip=None):
    """Change a key's label and options; its credentials, sandbox flag and test verdict stay."""
    with transaction.atomic():
        key = ProviderKey.objects.active().select_for_update().filter(pk=key.pk).first()
        if key is None:
            raise ValidationError("This key was revoked meanwhile: add a new one.")
        previous_options = key.options
        key.label, key.options = label.strip(), options or {}
        key.save(update_fields=["label", "options", "updated_at"])
        _audit(key, action=AuditAction.KEY_UPDATED, actor=actor, ip=ip, previous_options=previous_options)
    return key


def connect_sandbox_key(*, team, actor, provider, ip=None):
    """Give the team a key of the built-in sandbox for `provider` (demo mode; refused when disabled)."""
    if not settings.SANDBOX_ENABLED:
        raise ValidationError("The sandbox is disabled in this deployment.")
    client = PROVIDERS[provider]
    secret = client.issued_key(f"sandbox-{provider}-{team.pk}-{secrets.token_hex(6)}")
    options = dict(client.default_options)
    return _store_new_credentials(
        team=team,
        actor=actor,
        provider=provider,
        label="",
        options=options,
        ip=ip,
        fill=_secret_filler(secret, is_sandbox=True),
    )


def revoke_provider_key(*, key, actor, ip=None):
    """Stop using a key: its secret is erased, the row stays for the record."""
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.secret = None
        key.save(update_fields=["revoked_at", "secret", "updated_at"])
        record_event(
            action=AuditAction.KEY_REVOKED,
            actor=actor,
            team=key.team,
            target=key.get_provider_display(),
            ip=ip,
            details={"key_id": key.pk, "last4": key.last4},
        )
