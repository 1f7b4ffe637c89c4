import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from prospecting.providers.base import InvalidInput, KeyRejected, NotFound, OutOfCredits, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.providers.lookc import LookcClient
from prospecting.sandbox import lookc
from prospecting.sandbox.core import stable_number
from tests.sandbox.conftest import billed, control, sandbox_urls

KEY = "sandbox-lookc-test-key"
ORG = "5b3e0f7e-9a6d-4c2e-8f51-0b6f3f2a9d10"


def email_where(wanted_async, with_hits=True):
    """A deterministic email that LookC answers at once (or later), and that matches someone."""
    for index in range(1000):
        email = f"ada.lovelace{index}@northwind.io"
        if lookc.answers_later(email) == wanted_async and bool(lookc.lookup(email)["hits"]) == with_hits:
            return email
    raise AssertionError("no such email")


SYNC_EMAIL, ASYNC_EMAIL = email_where(False), email_where(True)


@pytest.fixture
def server(sandbox):
    return sandbox(lookc.PROVIDER)


@pytest.fixture
def client(server):
    return LookcClient(KEY, urls=sandbox_urls(server))


def test_email_lookup_answers_at_once_with_a_plausible_profile(client):
    first = client.person_by_email(SYNC_EMAIL)
    assert first.call.status == 200 and first.data["complete"] is True and first.data["request_id"] is None
    hit = first.data["person"]["hits"][0]
    assert hit["name"].startswith("Ada Lovelace") and "/" not in hit["liProfileUrl"]
    assert hit["salesNavUrl"].startswith("https://linkedin.com/sales/")
    assert first.data["person"]["org"]["name"] == "Northwind Analytics"
    assert first.data["person"]["domainInfo"] == {"isFreeEmailDomain": False}
    assert client.person_by_email(SYNC_EMAIL).data == first.data


def test_free_email_domain_has_no_organisation(client):
    email = next(f"x{i}@gmail.com" for i in range(100) if not lookc.answers_later(f"x{i}@gmail.com"))
    person = client.person_by_email(email).data["person"]
    assert person["domainInfo"]["isFreeEmailDomain"] is True and person["org"] is None


def test_some_emails_match_nobody(client):
    email = email_where(False, with_hits=False)
    assert client.person_by_email(email).data["person"]["hits"] == []


class Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 - http.server's name
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    httpd = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, Receiver.received
    httpd.shutdown()
    httpd.server_close()


def test_async_lookup_posts_the_webhook_and_status_turns_complete(server, client, receiver):
    httpd, received = receiver
    hook = f"http://127.0.0.1:{httpd.server_address[1]}/hooks/lookc"
    control(server, "accounts", {"provider": "lookc", "key": KEY, "webhook_url": hook})

    accepted = client.person_by_email(ASYNC_EMAIL)
    assert accepted.call.status == 202 and accepted.data["complete"] is False
    request_id = accepted.data["request_id"]
    pending = client.request_status(request_id)
    assert pending.data == {"request_id": request_id, "complete": False, "status": "pending", "person": None}

    deadline = time.monotonic() + 3
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1
    assert received[0]["type"] == "search.person.by-email"
    assert client.parse("person_by_email", received[0]["data"])["person"]["hits"]

    done = client.request_status(request_id)
    assert done.data["complete"] is True and done.data["status"] == "complete"
    assert done.data["person"] == received[0]["data"] == lookc.lookup(ASYNC_EMAIL)


def test_unknown_or_foreign_request_id_is_not_found(server, client):
    request_id = client.person_by_email(ASYNC_EMAIL).data["request_id"]
    other = LookcClient("sandbox-lookc-other-key", urls=sandbox_urls(server))
    with pytest.raises(NotFound):
        other.request_status(request_id)
    with pytest.raises(NotFound):
        client.request_status("no-such-request")


def test_org_employees_pages_with_the_after_cursor_to_the_end(client):
    pages, after = [], None
    while True:
        page = client.org_employees(ORG, after=after, page_size=40).data
        pages.append(page)
        after = page["next_after"]
        if after is None:
            break
    employees = [e for page in pages for e in page["employees"]]
    assert len(pages) >= 2 and all(len(page["employees"]) == 40 for page in pages[:-1])
    assert (
        len({e["personId"] for e in employees})
        == len(employees)
        == 15 + stable_number("headcount", ORG) % 120
    )
    assert {e["currentOrg"]["orgId"] for e in employees} == {ORG}
    assert employees[0]["links"]["linkedin"].startswith("https://linkedin.com/in/")
    assert client.org_employees(ORG, after=pages[0]["next_after"], page_size=40).data == pages[1]


def test_org_employees_refuses_an_id_that_is_not_a_uuid(client):
    with pytest.raises(InvalidInput) as raised:
        client.org_employees("org-1")
    assert raised.value.status == 400 and raised.value.provider_code == "params_invalid"


def test_check_accepts_a_sandbox_key_and_rejects_others(server, client):
    assert client.check().data == {"key_accepted": True}
    wrong = LookcClient("not-a-sandbox-key", urls=sandbox_urls(server))
    with pytest.raises(KeyRejected):
        wrong.check()
    with pytest.raises(KeyRejected):
        wrong.person_by_email(SYNC_EMAIL)
    with pytest.raises(NotImplementedError):
        client.balances()


def test_exhausted_org_credits_answer_402(server, client):
    control(server, "accounts", {"provider": "lookc", "key": KEY, "balances": {"organisation": 0}})
    with pytest.raises(OutOfCredits) as raised:
        client.person_by_email(SYNC_EMAIL)
    assert raised.value.status == 402
    # A page of employees is billed too (LookC answers it 402 without credits [E2]).
    with pytest.raises(OutOfCredits):
        client.org_employees(ORG)


def test_over_the_rate_limit_waits_then_succeeds(server, client):
    control(server, "limits", {"provider": "lookc", "windows": [[2, 1]]})
    client.org_employees(ORG)
    client.org_employees(ORG)
    with pytest.raises(RateLimited) as raised:
        client.org_employees(ORG)
    assert 0 < raised.value.retry_after <= 1
    time.sleep(raised.value.retry_after)
    assert client.org_employees(ORG).data["employees"]


def test_sandbox_bills_what_quarry_records(server, client):
    calls = [
        lambda: client.person_by_email(SYNC_EMAIL),
        lambda: client.person_by_email(ASYNC_EMAIL),
        lambda: client.person_by_email(email_where(False, with_hits=False)),
        lambda: client.org_employees(ORG, page_size=5),
        lambda: client.request_status("no-such-request"),
        lambda: client.org_employees("org-1"),
        lambda: client.check(),
    ]
    recorded = {}
    for call in calls:
        try:
            result = call()
            charged = credits_for(result.call, result.data)
        except (NotFound, InvalidInput) as exc:
            charged = credits_for(exc.call, None, exc)
        for kind, amount in charged.items():
            recorded[kind] = recorded.get(kind, 0) + amount
    # Three lookups (answered now, later, or with no hit) and one page of employees.
    assert recorded == {"organisation": 4}
    assert billed(server, "lookc", KEY) == recorded
