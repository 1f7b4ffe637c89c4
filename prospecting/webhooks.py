"""The LookC webhook receiver.

LookC signs nothing and its example payload carries no request id (providers.md §3.2), so the URL's
token is the only authentication, and a delivery is only a trigger: it is stored raw before anything
else, answered at once, and confirmed later through LookC's status endpoint.
"""

import hashlib

from django.db.models import F
from django.http import HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from accounts.audit import client_ip
from accounts.models import ProviderKey
from prospecting.models import WebhookEvent

MAX_BODY = 1_000_000


@csrf_exempt
def lookc_webhook(request, token):
    key = ProviderKey.objects.active().filter(provider="lookc", webhook_token=token).exclude(webhook_token="")
    key = key.select_related("team").first()
    if key is None:
        return JsonResponse({"error": "Unknown webhook URL."}, status=404)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"error": "Payload too large."}, status=413)
    event = record_webhook(
        team=key.team,
        provider="lookc",
        body=body,
        content_type=request.content_type,
        remote_addr=client_ip(request),
    )
    return JsonResponse({"received": True, "id": event.pk}, status=202)


def record_webhook(*, team, provider, body, content_type="", remote_addr=None):
    digest = hashlib.sha256(body).hexdigest()
    event, created = WebhookEvent.objects.get_or_create(
        team=team,
        provider=provider,
        body_sha256=digest,
        defaults={
            "body": body,
            "content_type": content_type[:100],
            "remote_addr": remote_addr,
        },
    )
    if not created:
        WebhookEvent.objects.filter(pk=event.pk).update(deliveries=F("deliveries") + 1)
    return event
