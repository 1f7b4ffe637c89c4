import json
import time
import urllib.error
import urllib.request

import pytest

from prospecting.providers.base import InvalidInput, KeyRejected, OutOfCredits, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.providers.linkup import LinkupClient
from prospecting.sandbox import linkup
from tests.sandbox.conftest import billed, control, sandbox_urls

KEY = "sandbox-linkup-test-key"
PROFILE = "https://www.linkedin.com/in/ada-lovelace/"
POST = "https://www.linkedin.com/posts/ada_activity-7123456789012345678-abcd"
DIRECT = next(f"user{i}@example.com" for i in range(100) if not linkup.needs_code(f"user{i}@example.com"))
WITH_CODE = next(f"user{i}@example.com" for i in range(100) if linkup.needs_code(f"user{i}@example.com"))


@pytest.fixture
def server(sandbox):
    return sandbox(linkup.PROVIDER)


@pytest.fixture
def client(server):
    return LinkupClient(KEY, {"country": "FR"}, urls=sandbox_urls(server))


@pytest.fixture
def token(client):
    return client.login(DIRECT, "secret").data["login_token"]


def test_login_gives_a_token_or_asks_for_a_code_then_verify_gives_it(client):
    direct = client.login(DIRECT, "secret").data
    assert direct["verification_required"] is False and direct["login_token"].startswith("AQED")
    asked = client.login(WITH_CODE, "secret").data
    assert asked["verification_required"] is True and asked["login_token"] is None
    verified = client.verify_code(WITH_CODE, "123456").data
    assert (
        verified["login_token"]
        == linkup.token_for(WITH_CODE)
        == client.verify_code(WITH_CODE, "9999").data["login_token"]
    )
    with pytest.raises(InvalidInput) as raised:
        client.verify_code(WITH_CODE, linkup.WRONG_CODE)
    assert raised.value.status == 400 and "verification code" in raised.value.message


def test_profile_info_is_plausible_and_deterministic(client, token):
    first = client.profile_info(PROFILE, login_token=token)
    assert first.data["first_name"] and first.data["experience"][0]["company"]
    assert first.data["headline"].endswith(first.data["experience"][0]["company"])
    assert client.profile_info(PROFILE, login_token=token).data == first.data


def test_search_profiles_pages_and_counts(client, token):
    query = {"keyword": "cto", "location": ["Paris", "London"], "network": "F,S", "login_token": token}
    pages = client.search_profiles(start_page=2, end_page=3, fetch_invitation_state=True, **query)
    assert pages.call.units == 2 and len(pages.data["profiles"]) == 20
    assert pages.data["pagination"]["pages_fetched"] == 2 and pages.data["total_available_results"] >= 30
    assert {p["invitation_state"] for p in pages.data["profiles"]} <= {"CAN_INVITE", "INVITATION_SENT"}
    assert (
        client.search_profiles(start_page=2, end_page=3, fetch_invitation_state=True, **query).data
        == pages.data
    )
    found = pages.data["profiles"][0]
    opened = client.profile_info(found["profile_url"], login_token=token).data
    assert f"{opened['first_name']} {opened['last_name']}" == found["name"]
    total = client.search_profiles(total_results=15, **query).data
    assert len(total["profiles"]) == 15 and "pagination" not in total
    # Page 2 of the same search continues where page 1 stops.
    assert total["profiles"][10:15] == [
        {k: v for k, v in p.items() if k != "invitation_state"} for p in pages.data["profiles"][:5]
    ]


def test_search_companies(client, token):
    result = client.search_companies(keyword="software", total_results=5, login_token=token)
    assert len(result.data["companies"]) == 5 and result.call.units == 1
    assert all(
        c["company_url"].startswith("https://www.linkedin.com/company/") for c in result.data["companies"]
    )
    assert client.search_companies(keyword="software", total_results=5, login_token=token).data == result.data


def test_network_calls(client, token):
    connections = client.connections(start_page=1, end_page=2, login_token=token).data
    assert len(connections["connections"]) == 20 and connections["pagination"]["end_page"] == 2
    assert client.connections(start_page=1, end_page=2, login_token=token).data == connections
    received = client.list_invitations(total_results=5, login_token=token).data["invitations"]
    assert received and all(isinstance(i["invitation_id"], str) and i["shared_secret"] for i in received)
    sent = client.list_sent_invitations(invitation_type="connection", login_token=token).data["invitations"]
    assert sent and sent[0]["invitation_type"] == "CONNECTION"
    status = client.invitation_status(PROFILE, login_token=token).data
    assert status["invitation_state"] in ("ACCEPTED", "PENDING", "NONE") and status["member_distance"] >= 1
    assert client.send_invitation(PROFILE, message="Hello!", login_token=token).data["message"]
    assert (
        "withdrawn" in client.withdraw_invitation(sent[0]["invitation_id"], login_token=token).data["message"]
    )


def test_messages(client, token):
    text = client.send_message(PROFILE, "Hello Ada", login_token=token)
    media = client.send_message(PROFILE, "See this", media_link="https://x.test/deck.pdf", login_token=token)
    assert text.call.units == 1 and media.call.units == 2
    assert text.data["conversation_id"] == media.data["conversation_id"] and text.data["entityUrn"]
    first = client.inbox(total_results=10, login_token=token).data
    assert len(first["conversations"]) == 10 and first["next_cursor"]
    second = client.inbox(total_results=10, next_cursor=first["next_cursor"], login_token=token).data
    assert not {c["conversation_id"] for c in first["conversations"]} & {
        c["conversation_id"] for c in second["conversations"]
    }
    by_url = client.conversation(linkedin_url=PROFILE, total_results=10, login_token=token).data
    assert by_url["conversation_id"] == text.data["conversation_id"] and by_url["messages"]
    by_id = client.conversation(
        conversation_id=by_url["conversation_id"], total_results=10, login_token=token
    )
    assert by_id.data["messages"] == by_url["messages"]


def test_post_actions_and_check(client, token):
    assert client.react_to_post(POST, reaction_type="praise", login_token=token).data["message"]
    assert client.comment_post(POST, "Great post", login_token=token).data["message"]
    assert client.check().data["status"] == "success"
    with pytest.raises(NotImplementedError):
        client.balances()


def test_missing_login_token_is_refused_in_linkups_shape_and_billed(server):
    request = urllib.request.Request(
        f"{server.url}/linkup/v1/profile/info",
        method="POST",
        data=json.dumps({"linkedin_url": PROFILE, "country": "FR"}).encode(),
        headers={"x-api-key": KEY, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 400
    assert json.loads(raised.value.read()) == {
        "status": "error",
        "message": "Missing required parameter: login_token",
    }
    assert billed(server, "linkup", KEY).get("credits", 0) == 1


def test_wrong_key_is_rejected(server):
    wrong = LinkupClient("wrong-key", {"country": "FR"}, urls=sandbox_urls(server))
    with pytest.raises(KeyRejected):
        wrong.check()
    with pytest.raises(KeyRejected):
        wrong.profile_info(PROFILE, login_token="AQEDAR-x")


def test_exhausted_credits_answer_402(server, client, token):
    control(server, "accounts", {"provider": "linkup", "key": KEY, "balances": {"credits": 0}})
    with pytest.raises(OutOfCredits) as raised:
        client.profile_info(PROFILE, login_token=token)
    assert raised.value.status == 402


def test_over_the_rate_limit_waits_then_succeeds(server, client, token):
    control(server, "limits", {"provider": "linkup", "windows": [[2, 1]]})
    client.check()
    client.check()
    with pytest.raises(RateLimited) as raised:
        client.check()
    assert 0 < raised.value.retry_after <= 1
    time.sleep(raised.value.retry_after)
    assert client.check().data["status"] == "success"


def test_sandbox_bills_what_quarry_records_including_4xx(server, client):
    before = billed(server, "linkup", KEY).get("credits", 0)
    token = client.verify_code(WITH_CODE, "123456").data["login_token"]
    calls = [
        lambda: client.login(WITH_CODE, "secret"),
        lambda: client.verify_code(WITH_CODE, linkup.WRONG_CODE),  # a 400, billed all the same
        lambda: client.profile_info(PROFILE, login_token=token),
        lambda: client.search_profiles(title="cto", start_page=1, end_page=4, login_token=token),
        lambda: client.search_profiles(title="cto", total_results=25, login_token=token),
        lambda: client.search_companies(industry="Banking", login_token=token),
        lambda: client.connections(total_results=31, login_token=token),
        lambda: client.send_message(PROFILE, "Hi", media_link="https://x.test/a.png", login_token=token),
        lambda: client.conversation(conversation_id="nope", start_page=2, end_page=3, login_token=token),
        lambda: client.check(),
    ]
    recorded = 0
    for call in calls:
        try:
            result = call()
            recorded += credits_for(result.call, result.data).get("credits", 0)
        except InvalidInput as exc:
            assert exc.status == 400
            recorded += credits_for(exc.call, None).get("credits", 0)
    assert recorded == 1 + 1 + 1 + 4 + 3 + 1 + 4 + 2 + 2 + 1
    after = billed(server, "linkup", KEY).get("credits", 0)
    assert after - before - 1 == recorded  # the verify that made the token cost 1
