"""The call service: one way to call a provider, with the shared limiter, the call log and each
provider's billing rule; and the key Test action built on it."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, KeyStatus
from prospecting.models import CallState, ProviderCall
from prospecting.providers.base import (
    InvalidInput,
    KeyRejected,
    LegalRefusal,
    NotFound,
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import LixClient
from prospecting.providers.lookc import LookcClient
from prospecting.providers.lusha import LushaClient
from prospecting.ratelimit import DatabaseStore, LimiterUnavailable, RateLimiter, RedisStore
from prospecting.services.provider_calls import call_provider, check_provider_key
from tests.conftest import SECRET
from tests.test_provider_keys import refresh_balances_through_tasks

FIXTURES = Path(__file__).parent / "fixtures"
PROFILE = "https://www.linkedin.com/in/alfie-lambert"


def fixture(provider, name):
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def call(team, user, provider, endpoint, **params):
    # A fresh database-backed limiter with no waiting, so tests never sleep.
    limiter = RateLimiter(DatabaseStore(), sleep=lambda seconds: None)
    return call_provider(
        team=team, user=user, provider=provider, endpoint=endpoint, limiter=limiter, **params
    )


def test_a_call_is_logged_with_who_what_and_what_it_cost(mocked, key_for, team_a, bob):
    key = key_for("lix")
    mocked.get(
        "https://api.lix-it.com/v1/contact/email/by-linkedin",
        json=fixture("lix", "email"),
        headers={"x-request-id": "req-42"},
    )
    result = call(team_a, bob, "lix", LixClient.email_by_linkedin, url=PROFILE)
    assert result.data["status"] == "VALID"
    logged = ProviderCall.objects.get()
    assert (logged.team, logged.user, logged.key, logged.provider) == (team_a, bob, key, "lix")
    assert (logged.endpoint, logged.method, logged.http_status, logged.outcome) == (
        "email_by_linkedin",
        "GET",
        200,
        "ok",
    )
    assert logged.request_id == "req-42" and logged.duration_ms >= 0
    assert logged.credits == {"email": 1}
    assert mocked.calls[0].request.headers["Authorization"] == SECRET
    assert SECRET not in json.dumps(list(ProviderCall.objects.values()), default=str)


def test_lix_charges_an_email_credit_only_when_valid(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get("https://api.lix-it.com/v1/contact/email/by-linkedin", json=fixture("lix", "email_probable"))
    call(team_a, bob, "lix", LixClient.email_by_linkedin, url=PROFILE)
    assert ProviderCall.objects.get().credits == {}


def test_lix_person_costs_a_standard_credit_and_a_miss_costs_nothing(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get("https://api.lix-it.com/v1/person", json=fixture("lix", "person"))
    mocked.get(
        "https://api.lix-it.com/v1/person",
        status=404,
        json={"error": {"type": "unknown_record", "message": "No such person"}},
    )
    call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    with pytest.raises(NotFound):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    first, second = ProviderCall.objects.order_by("id")
    assert first.credits == {"standard": 1}
    assert (second.outcome, second.http_status, second.credits) == ("not_found", 404, {})
    assert "No such person" in second.message


def test_leadiq_charges_per_data_point_returned(mocked, key_for, team_a, bob):
    key_for("leadiq")
    mocked.post("https://api.leadiq.com/graphql", json=fixture("leadiq", "search_people"))
    result = call(
        team_a,
        bob,
        "leadiq",
        LeadiqClient.search_people,
        linkedin_url=PROFILE,
        fields=("profile", "email", "phone", "company"),
    )
    logged = ProviderCall.objects.get()
    assert logged.outcome == "ok" and logged.credits["uc"] > 0
    people = result.data["results"]
    assert logged.credits["uc"] <= len(people) * 14.1


def test_leadiq_errors_in_a_200_are_errors_and_cost_nothing(mocked, key_for, team_a, bob):
    key_for("leadiq")
    mocked.post(
        "https://api.leadiq.com/graphql",
        json={
            "data": None,
            "errors": [{"message": "Invalid API key", "extensions": {"code": "UNAUTHENTICATED"}}],
        },
    )
    with pytest.raises(KeyRejected):
        call(team_a, bob, "leadiq", LeadiqClient.check)
    assert ProviderCall.objects.get().credits == {}


def test_lusha_charges_only_records_it_says_it_charged_per_data_point(mocked, key_for, team_a, bob):
    key_for("lusha")
    body = fixture("lusha", "person_bulk")
    # Each charged contact costs its email (1) and its phone (5) by Lusha's default prices.
    charged = sum(
        (1 if contact["data"].get("emailAddresses") else 0)
        + (5 if contact["data"].get("phoneNumbers") else 0)
        for contact in body["contacts"].values()
        if contact.get("isCreditCharged")
    )
    mocked.post("https://api.lusha.com/v2/person", json=body)
    contacts = [
        {"contactId": contact_id, "linkedinUrl": f"{PROFILE}-{contact_id}"} for contact_id in body["contacts"]
    ]
    call(team_a, bob, "lusha", LushaClient.bulk_people, contacts=contacts)
    assert ProviderCall.objects.get().credits == ({"credits": charged} if charged else {})


def test_lusha_451_is_a_final_legal_refusal_and_free(mocked, key_for, team_a, bob):
    key_for("lusha")
    mocked.get("https://api.lusha.com/v2/person", status=451, json={"message": "GDPR restricted"})
    with pytest.raises(LegalRefusal) as refused:
        call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    assert refused.value.permanent is True
    logged = ProviderCall.objects.get()
    assert (logged.outcome, logged.credits) == ("legal_refusal", {})


def test_linkup_bills_4xx_but_not_500_and_invalid_input_never_calls(mocked, key_for, team_a, bob):
    key_for("linkup", country="FR")
    mocked.post(
        "https://api.linkupapi.com/v1/profile/info",
        status=400,
        json={"status": "error", "message": "Bad URL"},
    )
    mocked.post(
        "https://api.linkupapi.com/v1/profile/info", status=500, json={"status": "error", "message": "Boom"}
    )
    for expected in (InvalidInput, ProviderUnavailable):
        with pytest.raises(expected):
            call(
                team_a,
                bob,
                "linkup",
                LinkupClient.profile_info,
                linkedin_url=PROFILE,
                login_token="li-session",
            )
    with pytest.raises(InvalidInput):
        call(
            team_a,
            bob,
            "linkup",
            LinkupClient.profile_info,
            linkedin_url="not a url",
            login_token="li-session",
        )
    assert len(mocked.calls) == 2
    assert [c.credits for c in ProviderCall.objects.order_by("id")] == [{"credits": 1}, {}]


def test_lookc_lookup_costs_an_org_credit(mocked, key_for, team_a, bob):
    key_for("lookc")
    mocked.get("https://api.lookc.io/v1/search/person/by-email", json=fixture("lookc", "person_by_email"))
    call(team_a, bob, "lookc", LookcClient.person_by_email, email="jane@example.com")
    assert ProviderCall.objects.get().credits == {"organisation": 1}


def test_retry_after_from_a_provider_holds_the_next_call_back(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(
        "https://api.lix-it.com/v1/person",
        status=429,
        headers={"Retry-After": "120"},
        json={"error": {"type": "rate_limit"}},
    )
    with pytest.raises(RateLimited) as limited:
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert limited.value.retry_after == 120
    with pytest.raises(RateLimited) as held:
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert 110 < held.value.retry_after <= 120
    assert len(mocked.calls) == 1 and ProviderCall.objects.count() == 1


def test_limiter_store_down_means_no_call(mocked, key_for, team_a, bob):
    key_for("lix")
    limiter = RateLimiter(RedisStore("redis://127.0.0.1:1/0"))
    with pytest.raises(LimiterUnavailable):
        call_provider(team=team_a, user=bob, provider="lix", endpoint=LixClient.balances, limiter=limiter)
    assert len(mocked.calls) == 0 and not ProviderCall.objects.exists()


def test_a_team_without_a_key_is_told_to_add_one(team_a, bob):
    with pytest.raises(KeyRejected, match="no lusha key"):
        call(team_a, bob, "lusha", LushaClient.check)


# --- The Test action -------------------------------------------------------------------------------


def test_testing_a_valid_key_marks_it_valid(mocked, key_for, alice):
    key = key_for("lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=fixture("lix", "balances"))
    check_provider_key(key=key, user=alice)
    key.refresh_from_db()
    assert key.status == KeyStatus.VALID and key.checked_at is not None
    assert AuditEvent.objects.filter(action="key_tested", details__result="valid").exists()


def test_testing_a_rejected_key_shows_the_providers_message(mocked, key_for, alice):
    key = key_for("lusha")
    mocked.get(
        "https://api.lusha.com/account/usage", status=401, json={"message": "Invalid API key provided"}
    )
    check_provider_key(key=key, user=alice)
    key.refresh_from_db()
    assert key.status == KeyStatus.REJECTED and "Invalid API key provided" in key.status_message


def test_a_provider_outage_does_not_change_the_keys_verdict(mocked, key_for, alice):
    key = key_for("lix")
    mocked.get(
        "https://api.lix-it.com/v1/account/balances", status=503, json={"error": {"type": "api_error"}}
    )
    check_provider_key(key=key, user=alice)
    key.refresh_from_db()
    assert key.status == KeyStatus.UNVERIFIED and key.status_message.startswith("Could not test the key")


def test_test_button_over_htmx_returns_the_updated_row(mocked, key_for, alice_client):
    key = key_for("lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=fixture("lix", "balances"))
    response = alice_client.post(reverse("provider_key_test", args=[key.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.strip().startswith('<tr id="provider-lix"')
    assert "Valid" in body and SECRET not in body


def test_member_cannot_test_keys(key_for, bob_client):
    key = key_for("lix")
    assert bob_client.post(reverse("provider_key_test", args=[key.pk])).status_code == 403


def test_balances_page_shows_each_providers_live_figures(
    mocked, key_for, bob_client, django_capture_on_commit_callbacks
):
    key_for("lix")
    key_for("linkup", country="FR")
    mocked.get(
        "https://api.lix-it.com/v1/account/balances", json={"emailBalance": 1234, "linkedInBalance": 5678}
    )
    mocked.get(
        "https://api.lix-it.com/v1/account/allowances/daily",
        json={"requestsRemaining": 4321, "refreshesAt": 1798761600},
    )
    assert "1234" not in bob_client.get(reverse("balances")).content.decode()  # a GET calls nobody
    assert len(mocked.calls) == 0
    # Refresh runs in the background: one task per key, enqueued after commit, run here as a worker would.
    refreshed = refresh_balances_through_tasks(bob_client, django_capture_on_commit_callbacks)
    assert refreshed.status_code == 302 and len(mocked.calls) == 2
    page = bob_client.get(reverse("balances")).content.decode()
    # Figures read as numbers do ("1,234"), dates and words as they came.
    assert "1,234" in page and "5,678" in page and "4,321" in page
    assert len(mocked.calls) == 2
    assert "no balance" in page.lower()  # LinkUp has no balance endpoint, said in words


def test_admins_read_their_teams_call_log_with_sandbox_calls_marked(
    alice_client, bob_client, carol_client, team_a, team_b, alice, carol
):
    ProviderCall.objects.create(
        team=team_a,
        user=alice,
        provider="lix",
        endpoint="person_by_linkedin",
        method="GET",
        http_status=200,
        outcome="ok",
        credits={"standard": 1},
        sandbox=True,
    )
    ProviderCall.objects.create(
        team=team_b,
        user=carol,
        provider="lusha",
        endpoint="team_b_secret_endpoint",
        method="GET",
        http_status=451,
        outcome="legal_refusal",
    )
    page = alice_client.get(reverse("call_log")).content.decode()
    assert "person_by_linkedin" in page and "1 standard" in page and "badge-sandbox" in page
    assert "team_b_secret_endpoint" not in page
    assert bob_client.get(reverse("call_log")).status_code == 403
    assert "person_by_linkedin" not in carol_client.get(reverse("call_log")).content.decode()
    filtered = alice_client.get(reverse("call_log"), {"provider": "lusha"}).content.decode()
    assert "person_by_linkedin" not in filtered and "No calls yet" in filtered


def test_the_call_log_pages_keep_the_provider_filter(alice_client, team_a, alice):
    ProviderCall.objects.bulk_create(
        ProviderCall(
            team=team_a, user=alice, provider="lix", endpoint=f"call_{i}", method="GET", outcome="ok"
        )
        for i in range(51)
    )
    first = alice_client.get(reverse("call_log"), {"provider": "lix"}).content.decode()
    assert "Page 1 of 2" in first and 'href="?provider=lix&amp;page=2"' in first
    second = alice_client.get(reverse("call_log"), {"provider": "lix", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "call_0" in second


def test_call_provider_takes_the_clients_own_method_and_refuses_another_providers(
    key_for, team_a, bob, mocked
):
    key_for("lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=fixture("lix", "balances"))
    assert call(team_a, bob, "lix", LixClient.balances).call.endpoint == "balances"
    with pytest.raises(ValueError, match="not an endpoint of lix"):
        call(team_a, bob, "lix", LushaClient.balances)
    with pytest.raises(ValueError, match="not an endpoint of lix"):
        call(team_a, bob, "lix", LixClient._viewer)
    assert ProviderCall.objects.count() == 1


def test_the_call_log_reads_in_words_with_plurals_time_zones_and_unconfirmed_amounts_apart(
    alice_client, team_a, alice
):
    def logged(**fields):
        base = {"team": team_a, "user": alice, "provider": "lix", "method": "GET", "outcome": "ok"}
        return ProviderCall.objects.create(**(base | fields))

    logged(provider="lookc", endpoint="check", http_status=404)
    logged(endpoint="one_credit", http_status=200, credits={"credits": 1})
    logged(endpoint="two_credits", http_status=200, credits={"standard": 2})
    logged(
        provider="lusha",
        endpoint="timed_out",
        outcome="unavailable",
        state=CallState.UNKNOWN,
        credits_unconfirmed={"credits": 3},
    )
    logged(endpoint="in_flight", outcome="", state=CallState.SENT, credits_unconfirmed={"standard": 1})
    logged(endpoint="demo_set_up", http_status=200, user=None)
    page = alice_client.get(reverse("call_log")).content.decode()
    assert "OK: the provider answered 404 Not Found, the expected answer to this check" in page
    assert "1 credit<" in page and "1 credits" not in page and "2 standard credits" in page
    assert "up to 3 credits, unconfirmed" in page and "Outcome unknown" in page
    assert "Sent, waiting for the answer" in page and "up to 1 standard credit, unconfirmed" in page
    assert "Quarry (set-up)" in page
    assert "When (UTC)" in page and " UTC</td>" in page


def test_a_calls_result_carries_its_own_call_log_row(key_for, team_a, bob, mocked):
    # Callers that record provenance take the row from the result, not "this member's newest call",
    # which a second search in another tab could be.
    key_for("lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=fixture("lix", "balances"))
    first = call(team_a, bob, "lix", LixClient.balances)
    second = call(team_a, bob, "lix", LixClient.balances)
    assert first.log == ProviderCall.objects.order_by("id").first() and second.log != first.log
    assert first.log.credits == {} and first.log.state == CallState.DONE
