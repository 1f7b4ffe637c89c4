"""Every charge recorded as the provider made it (DESIGN.md): the provider's own figure where the answer
states one, the key's price table per data point, unconfirmed credits for answers that cannot be read,
nothing for what cannot be billed, and the call log row written before the request leaves."""

import copy

import pytest
import requests
from django.core.exceptions import ValidationError

from accounts.models import ProviderKey
from prospecting.models import CallState, ProviderCall
from prospecting.providers.base import (
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    OutOfCredits,
    ProviderUnavailable,
)
from prospecting.providers.billing import (
    format_price_table,
    max_credits,
    parse_price_table,
    prices_for,
)
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import LixClient
from prospecting.providers.lusha import LushaClient
from prospecting.tasks import set_up_demo_key
from tests.test_provider_calls import PROFILE, call, fixture

LIX_PERSON = "https://api.lix-it.com/v1/person"
LUSHA_PERSON = "https://api.lusha.com/v2/person"
LEADIQ = "https://api.leadiq.com/graphql"
LINKUP_PROFILE = "https://api.linkupapi.com/v1/profile/info"


def only_call():
    return ProviderCall.objects.get()


# --- What the answer says, and the plan's prices ------------------------------------------------------


def test_a_lusha_lookup_revealing_an_email_and_phones_costs_both_data_points(mocked, key_for, team_a, bob):
    key_for("lusha")
    body = fixture("lusha", "person")
    body["contact"]["data"]["phoneNumbers"].append({"number": "+1 555 0100", "phoneType": "Direct"})
    mocked.get(LUSHA_PERSON, json=body)
    call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    # Lusha's default prices: an email 1, a phone 5 (phone is the higher); once per data point.
    assert only_call().credits == {"credits": 6}


def test_a_lusha_keys_own_price_table_prices_its_data_points(mocked, key_for, team_a, bob):
    key_for("lusha", prices={"phone": 3})
    mocked.get(LUSHA_PERSON, json=fixture("lusha", "person"))
    call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    assert only_call().credits == {"credits": 4}


def test_a_lusha_contact_it_says_it_did_not_charge_is_free(mocked, key_for, team_a, bob):
    key_for("lusha")
    body = fixture("lusha", "person")
    body["contact"]["isCreditCharged"] = False
    mocked.get(LUSHA_PERSON, json=body)
    call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    assert only_call().credits == {}


def test_a_lusha_contact_charged_with_no_email_or_phone_shown_takes_the_higher_price(
    mocked, key_for, team_a, bob
):
    # Which data point Lusha billed is not said: the phone (the dearer) is the reading that never
    # under-counts; reconciliation corrects it from Lusha's own usage figures.
    key_for("lusha")
    body = fixture("lusha", "person")
    body["contact"]["isCreditCharged"] = True
    body["contact"]["data"]["emailAddresses"] = []
    body["contact"]["data"]["phoneNumbers"] = []
    mocked.get(LUSHA_PERSON, json=body)
    call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    assert only_call().credits == {"credits": 5}


def test_lusha_signals_record_what_the_answer_says_it_charged(mocked, key_for, team_a, bob):
    key_for("lusha")
    body = fixture("lusha", "signals_contacts")
    body["creditCharged"] = 7  # whatever the signals show, Lusha's own figure wins
    mocked.post("https://api.lusha.com/api/signals/contacts", json=body)
    call(
        team_a,
        bob,
        "lusha",
        LushaClient.contact_signals,
        contact_ids=[115889, 115890],
        signals=["allSignals"],
    )
    assert only_call().credits == {"credits": 7}


def test_a_lusha_search_with_a_signal_filter_costs_each_signal_type_its_results_show(
    mocked, key_for, team_a, bob
):
    key_for("lusha")
    body = fixture("lusha", "contact_search")
    body["contacts"] = [
        {**body["contacts"][0], "signalTypes": ["promotion", "companyChange"]},
        {**body["contacts"][0], "contactId": "other", "signalTypes": []},
    ]
    mocked.post("https://api.lusha.com/prospecting/contact/search", json=body)
    signal = {"names": ["allSignals"], "startDate": "2025-11-01"}
    call(
        team_a,
        bob,
        "lusha",
        LushaClient.search_contacts,
        filters={"contacts": {"include": {"signal": signal}}},
    )
    assert only_call().credits == {"credits": 2}


def test_leadiq_charges_each_result_for_each_selected_data_point_found_or_not(mocked, key_for, team_a, bob):
    key_for("leadiq")
    body = fixture("leadiq", "search_people")
    person = body["data"]["searchPeople"]["results"][0]
    for position in person["currentPositions"]:
        position["emails"], position["phones"] = [], []
    person["personalPhones"] = []
    body["data"]["searchPeople"]["results"] = [person, {**copy.deepcopy(person), "id": "another"}]
    mocked.post(LEADIQ, json=body)
    call(team_a, bob, "leadiq", LeadiqClient.search_people, linkedin_url=PROFILE, fields=("email", "phone"))
    # Two results, each: profile 0.1 + email 1 + phone 10, selected though nothing was found.
    assert only_call().credits == {"uc": 22.2}


def test_leadiq_company_information_is_charged_per_person_result(mocked, key_for, team_a, bob):
    key_for("leadiq", prices={"company": 2})
    mocked.post(LEADIQ, json=fixture("leadiq", "flat_advanced_search"))
    result = call(
        team_a,
        bob,
        "leadiq",
        LeadiqClient.flat_advanced_search,
        fields=("company",),
        filters={"contactFilter": {"roles": ["Sales"]}},
    )
    people = len(result.data["people"])
    assert people == 2 and only_call().credits == {"uc": round(people * (0.1 + 2), 4)}


# --- What cannot be billed is not recorded as billed ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"status": "error", "message": "Invalid API key"}, KeyRejected),
        (402, {"status": "error", "message": "Insufficient credits available"}, OutOfCredits),
    ],
)
def test_linkup_refusing_the_key_or_having_no_credits_is_not_billed(
    mocked, key_for, team_a, bob, status, body, error
):
    key_for("linkup", country="FR")
    mocked.post(LINKUP_PROFILE, status=status, json=body)
    with pytest.raises(error):
        call(team_a, bob, "linkup", LinkupClient.profile_info, linkedin_url=PROFILE, login_token="li-session")
    logged = only_call()
    assert (logged.credits, logged.credits_unconfirmed, logged.state) == ({}, {}, CallState.FAILED)


def test_linkup_still_bills_a_refused_login_token(mocked, key_for, team_a, bob):
    key_for("linkup", country="FR")
    mocked.post(LINKUP_PROFILE, status=401, json={"status": "error", "message": "Invalid login_token"})
    with pytest.raises(InvalidInput):
        call(team_a, bob, "linkup", LinkupClient.profile_info, linkedin_url=PROFILE, login_token="li-session")
    assert only_call().credits == {"credits": 1}


# --- Answers that cannot be read: unconfirmed, the most the call could cost -------------------------------


def test_a_malformed_success_is_recorded_as_unconfirmed_up_to_its_price(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, body="<html>not json</html>", status=200)
    with pytest.raises(MalformedResponse) as raised:
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert raised.value.maybe_billed and raised.value.permanent
    logged = only_call()
    assert (logged.state, logged.credits, logged.credits_unconfirmed) == (
        CallState.UNKNOWN,
        {},
        {"standard": 1},
    )


@pytest.mark.parametrize(
    "failure", [requests.ReadTimeout("read timed out"), requests.exceptions.ChunkedEncodingError("truncated")]
)
def test_a_timeout_after_sending_or_a_truncated_body_is_unconfirmed(mocked, key_for, team_a, bob, failure):
    key_for("lusha")
    mocked.post(LUSHA_PERSON, body=failure)
    contacts = [{"contactId": str(i), "email": f"p{i}@example.com"} for i in range(3)]
    with pytest.raises(ProviderUnavailable) as raised:
        call(team_a, bob, "lusha", LushaClient.bulk_people, contacts=contacts)
    assert raised.value.maybe_billed and raised.value.permanent  # never repeated blindly
    logged = only_call()
    # Three contacts, each up to an email and a phone (1 + 5).
    assert (logged.state, logged.credits, logged.credits_unconfirmed) == (
        CallState.UNKNOWN,
        {},
        {"credits": 18},
    )
    assert logged.unconfirmed_text() == "up to 18 credits, unconfirmed"


def test_a_call_that_never_reached_the_provider_costs_nothing(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(ProviderUnavailable):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    logged = only_call()
    assert (logged.state, logged.credits, logged.credits_unconfirmed) == (CallState.FAILED, {}, {})


def test_a_leadiq_partial_answer_beside_errors_is_unconfirmed(mocked, key_for, team_a, bob):
    key_for("leadiq")
    body = fixture("leadiq", "search_people")
    body["errors"] = [{"message": "Internal error", "extensions": {"code": "UNEXPECTED"}}]
    mocked.post(LEADIQ, json=body)
    with pytest.raises(ProviderUnavailable):
        call(
            team_a,
            bob,
            "leadiq",
            LeadiqClient.search_people,
            linkedin_url=PROFILE,
            fields=("email",),
            limit=2,
        )
    logged = only_call()
    assert logged.credits == {} and logged.credits_unconfirmed == {"uc": 2.2}


# --- The row exists before the request leaves ---------------------------------------------------------------


def test_the_call_log_row_is_written_before_the_request_is_sent(mocked, key_for, team_a, bob):
    key_for("lix")
    seen = []

    def provider(request):
        # The HTTP call is in flight: its row must already say so, with the most it can cost.
        row = ProviderCall.objects.get()
        seen.append((row.state, row.credits_unconfirmed, row.user, row.outcome_unknown))
        return 200, {}, '{"name": "Ada"}'

    mocked.add_callback("GET", LIX_PERSON, callback=provider)
    call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert seen == [(CallState.SENT, {"standard": 1}, bob, False)]
    logged = only_call()
    assert (logged.state, logged.credits, logged.credits_unconfirmed) == (CallState.DONE, {"standard": 1}, {})


class TimeLimitReached(Exception):
    """What Celery raises inside a task that passes its soft time limit, wherever the task is."""


def test_a_call_interrupted_while_out_stays_an_outcome_unknown_row(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, body=TimeLimitReached())
    with pytest.raises(TimeLimitReached):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    logged = only_call()
    assert (logged.state, logged.credits_unconfirmed) == (CallState.UNKNOWN, {"standard": 1})
    assert "TimeLimitReached" in logged.message


def test_an_input_refused_before_sending_leaves_no_row(mocked, key_for, team_a, bob):
    key_for("lix")
    with pytest.raises(InvalidInput):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link="not a profile")
    assert not ProviderCall.objects.exists() and not mocked.calls


def test_parameters_the_client_refuses_are_refused_as_input_not_as_a_billing_error(
    mocked, key_for, team_a, bob
):
    key_for("leadiq")
    with pytest.raises(InvalidInput):
        call(
            team_a,
            bob,
            "leadiq",
            LeadiqClient.search_people,
            fields=("email",),
            linkedin_url=PROFILE,
            limit="5",
        )
    assert not ProviderCall.objects.exists() and not mocked.calls


def test_a_sent_row_without_an_answer_reads_as_outcome_unknown(key_for, team_a, settings):
    key = key_for("linkup", country="FR")
    row = ProviderCall.objects.create(
        team=team_a, key=key, provider="linkup", endpoint="check", method="", outcome="", state=CallState.SENT
    )
    assert not row.outcome_unknown and row.state_words() == "Sent, waiting for the answer"
    settings.PROVIDER_TIMEOUT = (0, 0)
    ProviderCall.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=2020))
    row.refresh_from_db()
    assert row.outcome_unknown and row.state_words().startswith("Outcome unknown")


def test_a_redelivered_key_check_whose_first_attempt_was_cut_off_is_not_repeated(
    mocked, key_for, team_a, settings
):
    key = key_for("linkup", country="FR")
    ProviderKey.objects.filter(pk=key.pk).update(is_sandbox=True)  # the demo's set-up task checks these
    mocked.get(f"{settings.SANDBOX_URL}/_sandbox/health", json={"ok": True})
    ProviderCall.objects.create(
        team=team_a, key=key, provider="linkup", endpoint="check", method="", outcome="", state=CallState.SENT
    )
    set_up_demo_key(key.pk)  # the task as a worker runs it again after the first worker was killed
    assert [c.request.url for c in mocked.calls] == [f"{settings.SANDBOX_URL}/_sandbox/health"]
    assert ProviderCall.objects.count() == 1
    assert ProviderKey.objects.get(pk=key.pk).checked_at is None


# --- Price tables (what the key form will use) -------------------------------------------------------------


def test_price_tables_parse_to_what_differs_from_the_documented_defaults():
    assert parse_price_table("lusha", "email 1, phone 8") == {"phone": 8}
    assert parse_price_table("lusha", "phone: 2.5\nsignal=0") == {"phone": 2.5, "signal": 0}
    assert parse_price_table("leadiq", "profile 0.2") == {"profile": 0.2}
    assert parse_price_table("leadiq", "  ") == {}
    assert format_price_table("leadiq") == "email 1, phone 10, company 3, profile 0.1"
    assert format_price_table("lusha", {"phone": 8}) == "email 1, phone 8, company 1, signal 1"


@pytest.mark.parametrize(
    ("provider", "text", "message"),
    [
        ("lusha", "fax 3", "no data point “fax”"),
        ("lusha", "phone five", "is not a price"),
        ("lusha", "phone 5, phone 6", "given twice"),
        ("leadiq", "phone 100000", "between 0 and 1000"),
        ("lusha", "phone -1", "is not a price"),
        ("lix", "email 1", "no per-data-point prices"),
    ],
)
def test_a_wrong_price_table_is_refused_with_a_message(provider, text, message):
    with pytest.raises(ValidationError, match=message):
        parse_price_table(provider, text)


def test_a_keys_prices_are_its_own_over_the_defaults(key_for):
    key = key_for("lusha", prices={"phone": 8, "unknown": 3})
    assert prices_for(key) == {"email": 1, "phone": 8, "company": 1, "signal": 1}
    assert max_credits("lusha", "person", {"email": "a@b.co", "reveal_emails": True}, prices_for(key)) == {
        "credits": 1
    }
