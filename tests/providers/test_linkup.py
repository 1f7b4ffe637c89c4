import json

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
    ProviderUnavailable,
    RateLimited,
)
from prospecting.providers.linkup import LinkupClient
from tests.providers import helpers

BASE = "https://linkup.test"
KEY = "linkup-api-key"
TOKEN = "AQEDAR-user-li_at"
PROFILE = "https://www.linkedin.com/in/johndoe/"
POST = "https://www.linkedin.com/posts/johndoe_activity-7123456789012345678-abcd"
RESPONSE_URL = f"{BASE}/v1/profile/info"


def fixture(name):
    return helpers.load_fixture("linkup", name)


_linkup_url = helpers.provider_urls(LINKUP_API_URL=BASE)


@pytest.fixture
def client():
    return LinkupClient(KEY, {"country": "FR"})


def make_response(status, content=b"", headers=None):
    return helpers.make_response(status, content, headers, url=RESPONSE_URL)


def with_token(body):
    return {**body, "login_token": TOKEN, "country": "FR"}


# (method, args, kwargs, path, body sent, fixture)
ENDPOINTS = [
    ("profile_info", [PROFILE], {}, "/profile/info", with_token({"linkedin_url": PROFILE}), "profile_info"),
    (
        "search_profiles",
        [],
        {
            "keyword": "cto",
            "location": ["Paris", "London"],
            "network": ["F", "s"],
            "company_url": "stripe",
            "fetch_invitation_state": True,
            "start_page": 2,
            "end_page": 3,
        },
        "/profile/search",
        with_token(
            {
                "keyword": "cto",
                "location": "Paris;London",
                "network": "F,S",
                "company_url": "stripe",
                "fetch_invitation_state": True,
                "start_page": 2,
                "end_page": 3,
            }
        ),
        "search_profiles",
    ),
    (
        "search_companies",
        [],
        {"keyword": "payments", "industry": ["Software", "Finance"], "total_results": 20},
        "/data/search/companies",
        with_token({"keyword": "payments", "industry": "Software;Finance", "total_results": 20}),
        "search_companies",
    ),
    (
        "connections",
        [],
        {"total_results": 10},
        "/network/connections",
        with_token({"total_results": 10}),
        "connections",
    ),
    (
        "send_invitation",
        [PROFILE],
        {"message": "Hello John, glad to connect."},
        "/network/connect",
        with_token({"linkedin_url": PROFILE, "message": "Hello John, glad to connect."}),
        "action_success",
    ),
    (
        "send_invitation",
        [PROFILE],
        {},
        "/network/connect",
        with_token({"linkedin_url": PROFILE}),
        "action_success",
    ),
    (
        "list_invitations",
        [],
        {"invitation_type": "connectionRequest", "start_page": 1, "end_page": 2},
        "/network/invitations",
        with_token({"invitation_type": "connectionRequest", "start_page": 1, "end_page": 2}),
        "invitations",
    ),
    (
        "list_sent_invitations",
        [],
        {"invitation_type": "connection", "total_results": 10},
        "/network/sent-invitations",
        with_token({"invitation_type": "CONNECTION", "total_results": 10}),
        "sent_invitations",
    ),
    (
        "invitation_status",
        [PROFILE],
        {},
        "/network/invitation-status",
        with_token({"linkedin_url": PROFILE}),
        "invitation_status",
    ),
    (
        "withdraw_invitation",
        [7331558767219683329],
        {},
        "/network/withdraw-invitation",
        with_token({"invitation_id": "7331558767219683329"}),
        "action_success",
    ),
    (
        "send_message",
        [PROFILE, "Hi John"],
        {"media_link": "https://cdn.example.com/deck.pdf"},
        "/messages/send-message",
        with_token(
            {
                "linkedin_url": PROFILE,
                "message_text": "Hi John",
                "media_link": "https://cdn.example.com/deck.pdf",
            }
        ),
        "send_message",
    ),
    (
        "send_message",
        ["ACoAAFHoUZgB6wGz0HEW1MdqGW45NI4e-JhvGqQ", "Hi"],
        {},
        "/messages/send-message",
        with_token({"linkedin_url": "ACoAAFHoUZgB6wGz0HEW1MdqGW45NI4e-JhvGqQ", "message_text": "Hi"}),
        "send_message",
    ),
    (
        "inbox",
        [],
        {"total_results": 20, "category": "inbox", "next_cursor": "REVTQ0VORElORyYx"},
        "/messages/inbox",
        with_token({"total_results": 20, "category": "INBOX", "next_cursor": "REVTQ0VORElORyYx"}),
        "inbox",
    ),
    (
        "conversation",
        [],
        {"linkedin_url": PROFILE, "total_results": 10},
        "/messages/conversation",
        with_token({"linkedin_url": PROFILE, "total_results": 10}),
        "conversation",
    ),
    (
        "conversation",
        [],
        {"conversation_id": "urn:li:msg_conversation:(x,2-y)"},
        "/messages/conversation",
        with_token({"conversation_id": "urn:li:msg_conversation:(x,2-y)"}),
        "conversation",
    ),
    (
        "react_to_post",
        [POST],
        {"reaction_type": "PRAISE"},
        "/posts/react",
        with_token({"post_url": POST, "reaction_type": "praise"}),
        "action_success",
    ),
    (
        "react_to_post",
        [POST],
        {},
        "/posts/react",
        with_token({"post_url": POST, "reaction_type": "like"}),
        "action_success",
    ),
    (
        "comment_post",
        [POST, "Great post!"],
        {},
        "/posts/comment",
        with_token({"post_url": POST, "message": "Great post!"}),
        "action_success",
    ),
]


@pytest.mark.parametrize("method,args,kwargs,path,body,name", ENDPOINTS)
def test_endpoint_posts_json_body_with_token_and_country(client, method, args, kwargs, path, body, name):
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{BASE}/v1{path}",
            json=fixture(f"{name}.json"),
            match=[matchers.json_params_matcher(body), matchers.header_matcher({"x-api-key": KEY})],
        )
        result = getattr(client, method)(*args, login_token=TOKEN, **kwargs)
    assert result.call.endpoint == method and result.call.method == "POST"
    assert KEY not in result.call.url and TOKEN not in result.call.url
    expected = fixture(f"{name}.json")
    if isinstance(expected.get("data"), dict):
        for key, value in expected["data"].items():
            if key != "invitations":
                assert result.data[key] == value
    else:
        assert result.data == {"message": expected["message"]}


def test_invitation_ids_come_back_as_strings(client):
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/v1/network/invitations", json=fixture("invitations.json"))
        result = client.list_invitations(login_token=TOKEN)
    invitation = result.data["invitations"][0]
    assert invitation["invitation_id"] == "7331558767219683329"
    assert invitation["shared_secret"] == "9gAd0GPh"


def test_send_message_keeps_message_and_delivery_data(client):
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/v1/messages/send-message", json=fixture("send_message.json"))
        result = client.send_message(PROFILE, "Hi", login_token=TOKEN)
    assert result.data["message"] == "Message sent successfully"
    assert result.data["deliveredAt"] == 1753696188256


def test_country_comes_from_key_options():
    client = LinkupClient(KEY, {"country": "us"})
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{BASE}/v1/profile/info",
            json=fixture("profile_info.json"),
            match=[
                matchers.json_params_matcher({"linkedin_url": PROFILE, "login_token": TOKEN, "country": "US"})
            ],
        )
        client.profile_info(PROFILE, login_token=TOKEN)


def test_country_defaults_to_fr():
    client = LinkupClient(KEY)
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{BASE}/v1/network/connections",
            json=fixture("connections.json"),
            match=[matchers.json_params_matcher({"login_token": TOKEN, "country": "FR"})],
        )
        result = client.connections(login_token=TOKEN)
    assert result.data["connections"][0]["name"] == "John Doe"


# --- auth flow -----------------------------------------------------------------------------------


def test_login_returns_token_when_linkedin_gives_one(client):
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{BASE}/v1/auth/login",
            json=fixture("login_token.json"),
            match=[
                matchers.json_params_matcher(
                    {"email": "jo@example.com", "password": " pw ", "country": "FR"}
                ),
                matchers.header_matcher({"x-api-key": KEY}),
            ],
        )
        result = client.login("jo@example.com", " pw ")
    assert result.data["login_token"] == "AQEDAR-example-li_at-token"
    assert result.data["verification_required"] is False
    assert result.data["response"] == fixture("login_token.json")


def test_login_without_token_asks_for_verification_code(client):
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/v1/auth/login", json=fixture("login_code_required.json"))
        result = client.login("jo@example.com", "pw")
    assert result.data["login_token"] is None and result.data["verification_required"] is True


@pytest.mark.parametrize("status", [200, 400, 401])
def test_login_error_asking_for_a_code_is_the_next_step_not_a_failure(client, status):
    body = {"status": "error", "message": "Email verification code required"}
    with responses.RequestsMock() as rsps:
        rsps.post(f"{BASE}/v1/auth/login", json=body, status=status)
        result = client.login("jo@example.com", "pw")
    assert result.data["verification_required"] is True
    assert result.data["response"]["message"] == "Email verification code required"
    assert result.call.status == status


def test_verify_code_sends_code_and_returns_token(client):
    with responses.RequestsMock() as rsps:
        rsps.post(
            f"{BASE}/v1/auth/verify",
            json={"status": "success", "login_token": "tok-2"},
            match=[
                matchers.json_params_matcher({"email": "jo@example.com", "code": "123456", "country": "FR"})
            ],
        )
        result = client.verify_code("jo@example.com", "123456")
    assert result.data["login_token"] == "tok-2" and result.data["verification_required"] is False


# --- check and balances --------------------------------------------------------------------------


def test_check_is_a_get_without_body(client):
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{BASE}/v1/check",
            json={"status": "success"},
            match=[matchers.header_matcher({"x-api-key": KEY})],
        )
        result = client.check()
        assert rsps.calls[0].request.body is None
    assert result.data == {"status": "success"} and result.call.method == "GET"


def test_check_with_rejected_key_raises(client):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{BASE}/v1/check", json={"status": "error", "message": "Invalid API key"}, status=401)
        with pytest.raises(KeyRejected):
            client.check()


def test_balances_is_not_available(client):
    with pytest.raises(NotImplementedError, match="no balance"):
        client.balances()


# --- local validation: LinkUp bills 4xx, so a bad input must never reach it ---------------------

INVALID = [
    lambda c: c.profile_info("https://example.com/in/johndoe", login_token=TOKEN),
    lambda c: c.profile_info("https://www.linkedin.com/company/stripe", login_token=TOKEN),
    lambda c: c.profile_info("linkedin.com/in/johndoe", login_token=TOKEN),
    lambda c: c.profile_info("https://evil-linkedin.com/in/johndoe", login_token=TOKEN),
    lambda c: c.profile_info("http://[::1", login_token=TOKEN),
    lambda c: c.profile_info(PROFILE, login_token=""),
    lambda c: c.profile_info(PROFILE, login_token=None),
    lambda c: c.profile_info("", login_token=TOKEN),
    lambda c: c.search_profiles(login_token=TOKEN),
    lambda c: c.search_profiles(login_token=TOKEN, fetch_invitation_state=True),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", colour="blue"),
    lambda c: c.search_profiles(login_token=TOKEN, keyword=""),
    lambda c: c.search_profiles(login_token=TOKEN, network="F,X"),
    lambda c: c.search_profiles(login_token=TOKEN, location=[]),
    lambda c: c.search_profiles(login_token=TOKEN, location=["Paris;Lyon"]),
    lambda c: c.search_profiles(login_token=TOKEN, company_url="https://example.com/company/x"),
    lambda c: c.search_profiles(login_token=TOKEN, school_url="https://www.linkedin.com/in/johndoe"),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", fetch_invitation_state="yes"),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", total_results=10, start_page=1),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", total_results=0),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", total_results=1001),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", total_results="10"),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", start_page=3, end_page=2),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", start_page=0),
    lambda c: c.search_profiles(login_token=TOKEN, keyword="cto", start_page=1, end_page=101),
    lambda c: c.search_companies(login_token=TOKEN),
    lambda c: c.search_companies(login_token=TOKEN, sector="Software"),
    lambda c: c.connections(login_token=TOKEN, total_results=-1),
    lambda c: c.connections(login_token=TOKEN, start_page=True),
    lambda c: c.send_invitation(PROFILE, login_token=TOKEN, message="x" * 301),
    lambda c: c.send_invitation(PROFILE, login_token=TOKEN, message="   "),
    lambda c: c.send_invitation("https://www.linkedin.com/feed/", login_token=TOKEN),
    lambda c: c.list_invitations(login_token=TOKEN, invitation_type=""),
    lambda c: c.list_sent_invitations(login_token=TOKEN, invitation_type="FRIENDS"),
    lambda c: c.invitation_status("johndoe", login_token=TOKEN),
    lambda c: c.withdraw_invitation("", login_token=TOKEN),
    lambda c: c.withdraw_invitation("urn:li:invitation:1", login_token=TOKEN),
    lambda c: c.withdraw_invitation(True, login_token=TOKEN),
    lambda c: c.send_message(PROFILE, "", login_token=TOKEN),
    lambda c: c.send_message(PROFILE, "x" * 8001, login_token=TOKEN),
    lambda c: c.send_message("john doe", "Hi", login_token=TOKEN),
    lambda c: c.send_message(PROFILE, "Hi", login_token=TOKEN, media_link="https://cdn.example.com/a.exe"),
    lambda c: c.send_message(PROFILE, "Hi", login_token=TOKEN, media_link="ftp://cdn.example.com/a.png"),
    lambda c: c.inbox(login_token=TOKEN, category="in box!"),
    lambda c: c.inbox(login_token=TOKEN, next_cursor=""),
    lambda c: c.inbox(login_token=TOKEN, total_results=5000),
    lambda c: c.conversation(login_token=TOKEN),
    lambda c: c.conversation(login_token=TOKEN, linkedin_url=PROFILE, conversation_id="urn:li:x"),
    lambda c: c.react_to_post(POST, login_token=TOKEN, reaction_type="angry"),
    lambda c: c.react_to_post("https://www.linkedin.com/in/johndoe", login_token=TOKEN),
    lambda c: c.react_to_post("https://example.com/posts/x", login_token=TOKEN),
    lambda c: c.comment_post(POST, "", login_token=TOKEN),
    lambda c: c.comment_post(POST, "x" * 1251, login_token=TOKEN),
    lambda c: c.login("not-an-email", "pw"),
    lambda c: c.login("jo@example.com", ""),
    lambda c: c.verify_code("jo@example.com", "12 34"),
    lambda c: c.verify_code("jo@example.com", ""),
    lambda c: LinkupClient(KEY, {"country": "XX"}).profile_info(PROFILE, login_token=TOKEN),
    lambda c: LinkupClient(KEY, {"country": "XX"}).login("jo@example.com", "pw"),
]


@pytest.mark.parametrize("call", INVALID)
def test_invalid_input_raises_before_any_http_call(client, call):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        with pytest.raises(InvalidInput) as raised:
            call(client)
        assert len(rsps.calls) == 0
    assert raised.value.call is None and raised.value.permanent is True


# --- errors --------------------------------------------------------------------------------------


def body(name):
    return json.dumps(fixture(name)).encode()


@pytest.mark.parametrize(
    "status,content,headers,error,permanent,retry_after,provider_code",
    [
        # HTTP 200 carrying an error: "V1 returned 200 for most errors" (LinkUp's v2 migration page).
        (200, body("error_cookie.json"), {}, InvalidInput, True, None, "login_token_rejected"),
        (200, body("error_credits.json"), {}, OutOfCredits, True, None, ""),
        (200, body("error_rate_limit.json"), {}, RateLimited, False, None, ""),
        (200, body("error_missing_parameter.json"), {}, InvalidInput, True, None, ""),
        (200, body("error_data_text.json"), {}, NotFound, True, None, ""),
        (400, body("error_missing_parameter.json"), {}, InvalidInput, True, None, ""),
        (401, body("error_cookie.json"), {}, InvalidInput, True, None, "login_token_rejected"),
        (401, b'{"status": "error", "message": "Invalid API key"}', {}, KeyRejected, True, None, ""),
        (403, b"", {}, KeyRejected, True, None, ""),
        (402, b'{"status": "error", "message": "Payment required"}', {}, OutOfCredits, True, None, ""),
        (404, b'{"status": "error", "message": "Resource"}', {}, NotFound, True, None, ""),
        (429, body("error_rate_limit.json"), {"Retry-After": "30"}, RateLimited, False, 30.0, ""),
        (429, b"", {}, RateLimited, False, None, ""),
        (500, b'{"status": "error", "message": "Internal error"}', {}, ProviderUnavailable, False, None, ""),
        (502, b"<html>bad gateway</html>", {}, ProviderUnavailable, False, None, ""),
        (418, b"teapot", {}, InvalidInput, True, None, ""),
    ],
)
def test_documented_errors_map_to_error_classes(
    client, status, content, headers, error, permanent, retry_after, provider_code
):
    with pytest.raises(error) as raised:
        client.handle(make_response(status, content, headers), Call("linkup", "profile_info", "POST", BASE))
    exc = raised.value
    assert type(exc) is error
    assert exc.permanent is permanent and exc.retry_after == retry_after
    assert exc.provider_code == provider_code
    assert exc.status == status and exc.call.status == status


def test_error_with_text_in_data_uses_it_as_message(client):
    with pytest.raises(NotFound, match="Profile not found"):
        client.handle(make_response(200, body("error_data_text.json")), Call("linkup", "x", "POST", BASE))


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'"text"'])
def test_unreadable_success_is_malformed(client, content):
    with pytest.raises(MalformedResponse):
        client.handle(make_response(200, content), Call("linkup", "profile_info", "POST", BASE))


# --- fuzz ----------------------------------------------------------------------------------------

JSON = helpers.JSON
linkup_like = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["success", "error"]) | JSON,
        "message": JSON,
        "data": JSON,
        "login_token": JSON,
    },
)


@helpers.FUZZ_SETTINGS
@given(
    status=helpers.STATUSES,
    content=helpers.bodies(JSON, linkup_like),
    headers=helpers.header_dicts(["Retry-After"], max_size=1),
    endpoint=st.sampled_from(["login", "verify_code", "check", "profile_info", "list_invitations", "inbox"]),
)
def test_handle_returns_result_or_provider_error_for_any_answer(status, content, headers, endpoint):
    call = Call("linkup", endpoint, "POST", BASE)
    helpers.assert_handle_never_raises_foreign(
        LinkupClient(KEY), call, status, content, headers, url=RESPONSE_URL
    )
