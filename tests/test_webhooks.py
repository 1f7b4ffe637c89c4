import json

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
