"""Quarry's side of the sandbox: where a sandbox key's calls go, and setting up its sandbox account."""

import requests
from django.conf import settings
from django.urls import reverse

_registered = set()


def sandbox_urls():
    return settings.SANDBOX_PROVIDER_URLS


def sandbox_is_up():
    try:
        return requests.get(f"{settings.SANDBOX_URL}/_sandbox/health", timeout=2).ok
    except requests.RequestException:
        return False


def lookc_webhook_url(key):
    return settings.SITE_URL + reverse("lookc_webhook", args=[key.webhook_token])


def ensure_lookc_webhook(key, secret):
    """Point the sandbox's LookC account at this team's webhook URL, as an admin would in LookC's
    dashboard. Once per key and process; a failure only delays asynchronous answers."""
    if (key.pk, key.webhook_token) in _registered:
        return
    try:
        requests.post(
            f"{settings.SANDBOX_URL}/_sandbox/accounts",
            json={"provider": "lookc", "key": secret, "webhook_url": lookc_webhook_url(key)},
            timeout=2,
        ).raise_for_status()
    except requests.RequestException:
        return
    _registered.add((key.pk, key.webhook_token))
