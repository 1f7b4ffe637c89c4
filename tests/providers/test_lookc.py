import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st
from responses import matchers

from prospecting.providers.base import (
    Call,
    InvalidInput,
    KeyRejected,
    MalformedResponse,
    NotFound,
    OutOfCredits,
    Pending,
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.lookc import LookcClient
from tests.providers import helpers

BASE = "https://lookc.test"
KEY = "lookc-secret-token"
RESPONSE_URL = f"{BASE}/v1/search/person/by-email"


def fixture(name):
    return helpers.load_fixture("lookc", name)


_lookc_url = helpers.provider_urls(LOOKC_API_URL=BASE)


@pytest.fixture
def client():
    return LookcClient(KEY)


def auth():
    # The raw token, no "Bearer" (seed 001).
    return matchers.header_matcher({"Authorization": KEY})


def make_response(status, content=b"", headers=None):
    return helpers.make_response(status, content, headers, url=RESPONSE_URL)


# --- endpoints -----------------------------------------------------------------------------------


def test_person_by_email_sends_raw_token_and_returns_complete_result(client):
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/v1/search/person/by-email",
            json=fixture("person_by_email.json"),
            match=[matchers.query_param_matcher({"email": "alfie@lix-it.com"}), auth()],
        )
        result = client.person_by_email(" alfie@lix-it.com ")
    assert result.data["complete"] is True
    assert result.data["request_id"] is None
    assert result.data["person"]["hits"][0]["liProfileUrl"] == "alfie-lambert"
    assert result.data["person"]["org"]["name"] == "Lix"
    assert result.call.endpoint == "person_by_email" and result.call.status == 200
    assert KEY not in result.call.url


def test_person_by_email_percent_encodes_the_email(client):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/v1/search/person/by-email", json=fixture("person_by_email.json"))
        client.person_by_email("alfie+test@lix-it.com")
        assert rsps.calls[0].request.url.endswith("?email=alfie%2Btest%40lix-it.com")


@pytest.mark.parametrize("status", [200, 202])
def test_person_by_email_accepted_async_gives_request_id_to_poll(client, status):
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/v1/search/person/by-email", json=fixture("person_by_email_pending.json"), status=status
        )
        result = client.person_by_email("alfie@lix-it.com")
    assert result.data == {
        "request_id": "1234-f197-1fsd8-fs987",
        "complete": False,
        "status": "pending",
        "person": None,
    }


def test_person_by_email_bare_request_id_is_pending(client):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/v1/search/person/by-email", json={"requestId": "abc-1"}, status=202)
        result = client.person_by_email("alfie@lix-it.com")
    assert result.data["complete"] is False and result.data["request_id"] == "abc-1"


def test_request_status_complete_unwraps_data(client):
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/v1/request",
            json=fixture("request_status_complete.json"),
            match=[matchers.query_param_matcher({"request_id": "1234-f197-1fsd8-fs987"}), auth()],
        )
        result = client.request_status("1234-f197-1fsd8-fs987")
    assert result.data["complete"] is True
    assert result.data["request_id"] == "1234-f197-1fsd8-fs987"
    assert result.data["person"] == fixture("person_by_email.json")


def test_request_status_not_complete_has_no_person(client):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/v1/request", json={"status": "processing"})
        result = client.request_status("r-1")
    assert result.data == {"request_id": "r-1", "complete": False, "status": "processing", "person": None}


def test_webhook_payload_data_normalises_like_a_result(client):
    data = client.parse("person_by_email", fixture("webhook.json")["data"])
    assert data["complete"] is True and data["person"]["domainInfo"] == {"isFreeEmailDomain": False}


def test_org_employees_sends_cursor_and_page_size_and_returns_next_cursor(client):
    org = "5b3e0f7e-9a6d-4c2e-8f51-0b6f3f2a9d10"
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/org/{org}/employees",
            json=fixture("org_employees.json"),
            match=[matchers.query_param_matcher({"after": "abc==", "page_size": "50"}), auth()],
        )
        result = client.org_employees(org, after="abc==", page_size=50)
    assert result.data["employees"][0]["personId"] == "8d0f5a52-3f0e-4c1b-9d55-2a1f6e0c7b11"
    assert result.data["next_after"] == "eyJpZCI6MTAwfQ=="


def test_org_employees_last_page_has_no_next_cursor(client):
    org = "5b3e0f7e-9a6d-4c2e-8f51-0b6f3f2a9d10"
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/org/{org}/employees",
            json=fixture("org_employees_last.json"),
            match=[matchers.query_param_matcher({})],
        )
        result = client.org_employees(org)
    assert result.data["employees"] == [] and result.data["next_after"] is None


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.person_by_email("not-an-email"),
        lambda c: c.person_by_email(""),
        lambda c: c.person_by_email(None),
        lambda c: c.request_status("  "),
        lambda c: c.request_status("../v1/search"),
        lambda c: c.org_employees("a/b"),
        lambda c: c.org_employees("org-1", page_size=0),
        lambda c: c.org_employees("org-1", page_size=True),
        lambda c: c.org_employees("org-1", after=""),
    ],
)
def test_invalid_input_makes_no_http_call(client, call):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(InvalidInput):
            call(client)
        assert len(rsps.calls) == 0


# --- account -------------------------------------------------------------------------------------


def test_check_accepts_key_when_nil_org_is_not_found(client):
    nil = "00000000-0000-0000-0000-000000000000"
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/org/{nil}/employees",
            status=404,
            json={"error": {"type": "unknown_record", "message": "organisation not found"}},
            match=[matchers.query_param_matcher({"page_size": "1"}), auth()],
        )
        result = client.check()
    assert result.data == {"key_accepted": True}
    assert result.call.status == 404 and result.call.endpoint == "check"


@pytest.mark.parametrize(
    "status,error", [(401, KeyRejected), (402, OutOfCredits), (503, ProviderUnavailable)]
)
def test_check_reports_rejected_key_and_missing_credits(client, status, error):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/org/00000000-0000-0000-0000-000000000000/employees", status=status)
        with pytest.raises(error):
            client.check()


def test_balances_is_not_available(client):
    with pytest.raises(NotImplementedError, match="no balance endpoint"):
        client.balances()


def test_client_needs_a_key():
    with pytest.raises(KeyRejected):
        LookcClient("")


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,body,headers,error,permanent,retry_after",
    [
        (400, fixture("error_params_invalid.json"), {}, InvalidInput, True, None),
        (401, {"error": {"type": "params_invalid"}}, {}, KeyRejected, True, None),
        (403, None, {}, KeyRejected, True, None),
        (402, None, {}, OutOfCredits, True, None),
        (404, {"error": {"type": "unknown_record"}}, {}, NotFound, True, None),
        (404, None, {}, NotFound, True, None),
        (404, {"error": {"type": "unknown_route"}}, {}, InvalidInput, True, None),
        (400, {"error": {"type": "not_found"}}, {}, NotFound, True, None),
        (400, fixture("error_queued.json"), {}, Pending, False, None),
        (400, {"error": {"type": "daily_limit"}}, {}, OutOfCredits, True, None),
        (429, {"error": {"type": "rate_limit"}}, {"Retry-After": "7"}, RateLimited, False, 7.0),
        (429, None, {}, RateLimited, False, None),
        (500, {"error": {"type": "api_error"}}, {}, ProviderUnavailable, False, None),
        (503, b"<html>down</html>", {}, ProviderUnavailable, False, None),
    ],
)
def test_documented_errors_map_to_error_classes(client, status, body, headers, error, permanent, retry_after):
    content = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    with pytest.raises(error) as raised:
        client.handle(make_response(status, content, headers), Call("lookc", "person_by_email", "GET", BASE))
    assert raised.value.permanent is permanent
    assert raised.value.retry_after == retry_after
    assert raised.value.status == status
    assert raised.value.call.status == status


def test_rate_limit_retry_after_accepts_http_date(client):
    # Dated when the test runs: a date taken at import is in the past after a long suite.
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    response = make_response(429, b"", {"Retry-After": in_a_minute})
    with pytest.raises(RateLimited) as raised:
        client.handle(response, Call("lookc", "person_by_email", "GET", BASE))
    assert 0 < raised.value.retry_after <= 60


@pytest.mark.parametrize(
    "content", [b"not json", b"[]", b"{}", b'{"hits": "nope"}', b'{"status": "complete"}']
)
def test_unreadable_success_is_malformed(client, content):
    with pytest.raises(MalformedResponse):
        client.handle(make_response(200, content), Call("lookc", "person_by_email", "GET", BASE))


# --- fuzz ----------------------------------------------------------------------------------------

JSON = helpers.JSON
lookc_like = st.fixed_dictionaries(
    {},
    optional={
        "hits": JSON,
        "status": st.sampled_from(["complete", "pending"]) | JSON,
        "data": JSON,
        "request_id": JSON,
        "employees": JSON,
        "paging": JSON,
        "error": st.fixed_dictionaries({}, optional={"type": st.text() | JSON, "message": JSON}),
    },
)


@helpers.FUZZ_SETTINGS
@given(
    status=helpers.STATUSES,
    content=helpers.bodies(JSON, lookc_like),
    headers=helpers.header_dicts(["Retry-After"], max_size=1),
    endpoint=st.sampled_from(["person_by_email", "request_status", "org_employees", "check"]),
)
def test_handle_returns_result_or_provider_error_for_any_answer(status, content, headers, endpoint):
    call = Call("lookc", endpoint, "GET", BASE)
    helpers.assert_handle_never_raises_foreign(
        LookcClient(KEY), call, status, content, headers, url=RESPONSE_URL
    )
