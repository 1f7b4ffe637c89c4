"""Recording the security trail: who did what, when, from which address."""

import ipaddress

from django.conf import settings

from accounts.models import AuditEvent


def client_ip(request):
    """The caller's IP: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the address
    the nearest trusted proxy saw (X-Forwarded-For read from the right, never the client's claim)."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_event(*, action, actor=None, team=None, target="", ip=None, details=None, actor_email=""):
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=actor_email or (actor.email if actor else ""),
        team=team,
        target=str(target)[:300],
        ip_address=ip,
        details=details or {},
    )
