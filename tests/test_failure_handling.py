"""What happens when things go wrong around a provider call or an enqueue: nothing is lost, nothing
is charged twice, and one lookup's trouble does not stop the team."""

from unittest import mock

import pytest
import responses
from django.urls import reverse

from accounts.models import Invitation, KeyStatus, ProviderKey
from prospecting.models import ProviderCall
from prospecting.providers.base import KeyRejected, Pending
from prospecting.providers.lix import LixClient
from prospecting.providers.lookc import LookcClient
from prospecting.ratelimit import DatabaseStore, RateLimiter
from prospecting.services.keys import (
    add_provider_key,
    connect_sandbox_key,
    revoke_provider_key,
    use_lix_key_for_lookc,
)
from prospecting.services.provider_calls import call_provider
from tests.sandbox.conftest import sandbox_urls
from tests.test_provider_keys import refresh_balances_through_tasks

PROFILE = "https://www.linkedin.com/in/ada-lovelace"


def limiter():
    return RateLimiter(DatabaseStore(), sleep=lambda seconds: None)


@pytest.fixture
def lix_key(team_a, alice):
    return add_provider_key(
        team=team_a, actor=alice, provider="lix", secret="lix-key-0000", options={"rate_limits": [[1000, 1]]}
    )


def test_a_queued_lookup_is_free_and_does_not_hold_the_key_back(lix_key, team_a, bob):
    with responses.RequestsMock() as mocked:
        mocked.get(
            "https://api.lix-it.com/v1/person",
            status=200,
            json={"error": {"type": "queued", "message": "Try again in a few minutes"}},
        )
        mocked.get(
            "https://api.lix-it.com/v1/account/balances", json={"emailBalance": 1, "linkedInBalance": 2}
        )
        shared = limiter()
        with pytest.raises(Pending):
            call_provider(
                team=team_a,
                user=bob,
                provider="lix",
                endpoint=LixClient.person_by_linkedin,
                profile_link=PROFILE,
                limiter=shared,
            )
        call_provider(
            team=team_a, user=bob, provider="lix", endpoint=LixClient.balances, limiter=shared, max_wait=0
        )
    queued = ProviderCall.objects.get(endpoint="person_by_linkedin")
    assert (queued.outcome, queued.credits) == ("pending", {})


def test_lookc_borrowing_a_revoked_lix_key_is_told_so_in_words(
    lix_key, team_a, alice, bob_client, django_capture_on_commit_callbacks
):
    use_lix_key_for_lookc(team=team_a, actor=alice)
    revoke_provider_key(key=lix_key, actor=alice)
    with pytest.raises(KeyRejected, match="no Lix key"):
        call_provider(
            team=team_a, user=alice, provider="lookc", endpoint=LookcClient.person_by_email, email="a@b.co"
        )
    assert refresh_balances_through_tasks(bob_client, django_capture_on_commit_callbacks).status_code == 302
    page = bob_client.get(reverse("balances"))
    assert page.status_code == 200 and "no Lix key" in page.content.decode()


def test_editing_a_sandbox_keys_options_keeps_it_a_sandbox_key(team_a, alice, alice_client):
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    alice_client.post(reverse("provider_key_edit", args=[key.pk]), {"secret": "", "viewer_id": "ada"})
    key.refresh_from_db()
    assert key.is_sandbox and key.options["viewer_id"] == "ada"
    alice_client.post(reverse("provider_key_edit", args=[key.pk]), {"secret": "real-lix-key-9999"})
    key.refresh_from_db()
    assert not key.is_sandbox and key.last4 == "9999"


def test_an_invitation_survives_a_broker_outage(alice_client, team_a, django_capture_on_commit_callbacks):
    broker_down = mock.patch(
        "accounts.tasks.send_invitation_email.delay", side_effect=ConnectionError("down")
    )
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("accounts:invite"), {"email": "new@a.test", "role": "member"})
    invitation = Invitation.objects.get(team=team_a, email="new@a.test")
    assert response.status_code == 302 and response.url == reverse(
        "accounts:invitation_detail", args=[invitation.pk]
    )


def test_an_undecryptable_key_is_rejected_with_a_message(lix_key, team_a, alice, settings):
    from cryptography.fernet import Fernet

    settings.QUARRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(KeyRejected, match="cannot be decrypted"):
        call_provider(team=team_a, user=alice, provider="lix", endpoint=LixClient.balances)
    assert ProviderKey.objects.get(pk=lix_key.pk).revoked_at is None


@pytest.fixture
def stored_euro_key(sandbox, settings, team_a, alice):
    """A sandbox key whose stored secret holds "€", as keys saved before secrets were validated may: its
    calls go over real HTTP, where requests encodes headers as Latin-1."""
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    key.secret = "sandbox-lix-€-0000"
    key.save()
    return key


def test_testing_a_stored_key_with_a_non_latin1_character_says_so_instead_of_a_500(
    stored_euro_key, alice_client
):
    response = alice_client.post(reverse("provider_key_test", args=[stored_euro_key.pk]))
    assert response.status_code == 302
    stored_euro_key.refresh_from_db()
    assert stored_euro_key.status == KeyStatus.REJECTED
    assert "cannot be sent" in stored_euro_key.status_message
    assert not ProviderCall.objects.exists()  # nothing was sent


def test_refreshing_balances_with_a_non_latin1_key_shows_the_error_instead_of_a_500(
    stored_euro_key, bob_client, django_capture_on_commit_callbacks
):
    assert refresh_balances_through_tasks(bob_client, django_capture_on_commit_callbacks).status_code == 302
    page = bob_client.get(reverse("balances")).content.decode()
    assert "cannot be sent" in page and "sandbox-lix-€" not in page
