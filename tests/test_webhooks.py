import io
import json
import socket
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse

from prospecting.models import WebhookEvent
from prospecting.services.keys import add_provider_key

PAYLOAD = {"type": "search.person.by-email", "data": {"hits": [{"name": "Ada Lovelace"}]}}


@pytest.fixture
def lookc_key(team_a, alice):
    return add_provider_key(team=team_a, actor=alice, provider="lookc", secret="lookc-key-123456")


def post(url, body):
    # LookC is not a browser: no session, no CSRF token.
    return Client(enforce_csrf_checks=True).post(url, data=body, content_type="application/json")


def test_a_delivery_is_stored_raw_for_the_keys_team(lookc_key, team_a):
    body = json.dumps(PAYLOAD)
    response = post(reverse("lookc_webhook", args=[lookc_key.webhook_token]), body)
    assert response.status_code == 202
    event = WebhookEvent.objects.get()
    assert (event.team, event.provider, bytes(event.body), event.deliveries) == (
        team_a,
        "lookc",
        body.encode(),
        1,
    )


def test_a_delivery_that_is_not_text_is_still_kept_byte_for_byte(lookc_key):
    body = b'{"type": "search.person.by-email", "data": "\x00\xff"}'
    response = post(reverse("lookc_webhook", args=[lookc_key.webhook_token]), body)
    assert response.status_code == 202 and bytes(WebhookEvent.objects.get().body) == body


def test_a_repeated_delivery_is_recorded_once(lookc_key):
    url = reverse("lookc_webhook", args=[lookc_key.webhook_token])
    for _ in range(3):
        assert post(url, json.dumps(PAYLOAD)).status_code == 202
    assert WebhookEvent.objects.get().deliveries == 3


def test_an_unknown_or_revoked_token_is_refused_and_nothing_stored(lookc_key, alice):
    assert post(reverse("lookc_webhook", args=["not-a-token"]), json.dumps(PAYLOAD)).status_code == 404
    lookc_key.revoked_at = lookc_key.created_at
    lookc_key.save()
    assert (
        post(reverse("lookc_webhook", args=[lookc_key.webhook_token]), json.dumps(PAYLOAD)).status_code == 404
    )
    assert not WebhookEvent.objects.exists()


def test_each_lookc_key_has_its_own_secret_url_shown_to_admins_only(lookc_key, alice_client, bob_client):
    assert len(lookc_key.webhook_token) >= 32
    url_part = f"/webhooks/lookc/{lookc_key.webhook_token}/"
    assert url_part in alice_client.get(reverse("provider_keys")).content.decode()
    assert url_part not in bob_client.get(reverse("provider_keys")).content.decode()


def test_the_webhook_only_takes_posts(lookc_key):
    assert Client().get(reverse("lookc_webhook", args=[lookc_key.webhook_token])).status_code == 405


# --- Bodies that cannot be stored as they came ------------------------------------------------------


def url_of(key):
    return reverse("lookc_webhook", args=[key.webhook_token])


def test_a_body_over_djangos_upload_limit_answers_the_endpoints_json_413(lookc_key, settings):
    # Past DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), reading request.body answered Django's HTML 400.
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = post(url_of(lookc_key), body)

    assert response.status_code == 413
    assert response.json() == {"error": "Payload too large: at most 1000000 bytes."}
    assert not WebhookEvent.objects.exists()


def test_a_body_just_over_one_megabyte_answers_413(lookc_key):
    response = post(url_of(lookc_key), b"x" * 1_000_001)

    assert response.status_code == 413 and not WebhookEvent.objects.exists()


def test_an_empty_delivery_is_refused_and_not_stored(lookc_key):
    response = post(url_of(lookc_key), b"")

    assert response.status_code == 400
    assert response.json() == {"error": "The delivery has no body."}
    assert not WebhookEvent.objects.exists()


def chunked_through_gunicorn(url, body):
    """What gunicorn hands Django for a chunked request: no Content-Length, the decoded body in
    wsgi.input, and wsgi.input_terminated set to say that reading to the end is safe."""
    environ = {"CONTENT_LENGTH": "", "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}
    return Client().post(url, data=body, content_type="application/json", **environ)


def test_a_chunked_delivery_decoded_by_the_server_is_stored_whole(lookc_key):
    body = json.dumps(PAYLOAD).encode()

    response = chunked_through_gunicorn(url_of(lookc_key), body)

    assert response.status_code == 202
    assert bytes(WebhookEvent.objects.get().body) == body


def test_a_chunked_delivery_over_the_limit_answers_413(lookc_key):
    response = chunked_through_gunicorn(url_of(lookc_key), b"x" * 1_000_001)

    assert response.status_code == 413 and not WebhookEvent.objects.exists()


def send_chunked(base_url, path, body):
    """POST `body` with Transfer-Encoding: chunked over a real socket; returns the status code."""
    host, port = urlparse(base_url).hostname, urlparse(base_url).port
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def test_a_chunked_delivery_to_a_server_that_cannot_decode_it_answers_411(lookc_key, live_server):
    # Django's own server passes chunked bodies through undecoded: Django saw an empty body, answered
    # 202 and stored an empty delivery.
    status = send_chunked(live_server.url, url_of(lookc_key), json.dumps(PAYLOAD).encode())

    assert status == 411
    assert not WebhookEvent.objects.exists()
