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
    body, refusal = _read_body(request)
    if refusal:
        return refusal
    event = record_webhook(
        team=key.team,
        provider="lookc",
        body=body,
        content_type=request.content_type,
        remote_addr=client_ip(request),
    )
    return JsonResponse({"received": True, "id": event.pk}, status=202)


def _read_body(request):
    """The delivery's body, at most MAX_BODY bytes, or the JSON answer refusing it.

    Django reads exactly Content-Length bytes and nothing when the header is absent, so a chunked
    delivery looked empty. gunicorn decodes chunked bodies and says so (wsgi.input_terminated): then
    the stream is read up to the limit. A server that does not (runserver) cannot be read safely: 411.
    Without either header the request has no body.
    The size is checked before request.body, which past DATA_UPLOAD_MAX_MEMORY_SIZE answers HTML 400.
    """
    length = request.META.get("CONTENT_LENGTH") or ""
    if length:
        if not length.isdigit():
            return None, JsonResponse({"error": "Content-Length is not a number."}, status=400)
        if int(length) > MAX_BODY:
            return None, _too_large()
        body = request.body
    elif request.META.get("wsgi.input_terminated"):
        body = request.META["wsgi.input"].read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return None, _too_large()
    elif request.META.get("HTTP_TRANSFER_ENCODING"):
        return None, JsonResponse({"error": "Send the body with a Content-Length header."}, status=411)
    else:
        body = b""
    if not body:
        return None, JsonResponse({"error": "The delivery has no body."}, status=400)
    return body, None


def _too_large():
    return JsonResponse({"error": f"Payload too large: at most {MAX_BODY} bytes."}, status=413)


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
