"""The real Lix client against the Lix sandbox over HTTP: every method, errors, limits and billing."""

import socket
import time

import pytest
import requests

from prospecting.providers.base import InvalidInput, KeyRejected, NotFound, OutOfCredits, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.providers.lix import LixClient
from prospecting.sandbox import lix
from tests.sandbox.conftest import control, sandbox_urls

KEY = "sandbox-lix-test-key"
VIEWER = "alfie-lambert"
PROFILE = "https://www.linkedin.com/in/alfie-lambert"
PEOPLE_URL = "https://www.linkedin.com/search/results/people/?keywords=lix&origin=SWITCH_SEARCH_VERTICAL"
SALES_URL = "https://www.linkedin.com/sales/search/people?query=(keywords%3Alix)"
SKILL = {"text": "Machine Learning", "entity": "urn:li:ts_skill:3289"}

# method, args, kwargs: every public call the client makes (balances and allowance: see below).
CALLS = [
    ("connections", (), {"count": 5, "start": 10}),
    ("person_ids", (), {"li_flagship_id": "alfie-lambert"}),
    ("organisation_ids", (), {"li_flagship_id": "northwind"}),
    ("person_by_linkedin", (PROFILE,), {}),
    ("organisation_by_linkedin", (), {"linkedin_url": "https://www.linkedin.com/company/northwind"}),
    ("organisation_by_linkedin", (), {"sales_nav_url": "https://www.linkedin.com/sales/company/1337"}),
    ("enrich_job", ("3556453411",), {}),
    ("enrich_post", ("urn:li:activity:7019605025920286720",), {}),
    ("job_hirers", ("3556453411",), {}),
    ("search_people", (PEOPLE_URL,), {"sequence_id": "seq-1"}),
    ("search_jobs", ("https://www.linkedin.com/jobs/search/?keywords=lix",), {"sequence_id": "seq-1"}),
    ("search_posts", ("https://www.linkedin.com/search/results/content/?keywords=lix",), {"start": 10}),
    ("search_orgs", ("https://www.linkedin.com/search/results/companies/?keywords=london",), {}),
    ("search_sales_people", (SALES_URL,), {"sequence_id": "seq-2"}),
    ("search_recruiter_people", ([SKILL],), {"sequence_id": "seq-3"}),
    ("sales_facet", ("E", "SENIORITY_V2"), {}),
    ("recruiter_facet", ("Javascrip",), {"count": 10}),
    ("email_by_linkedin", (PROFILE,), {}),
]


@pytest.fixture
def server(sandbox):
    server = sandbox(lix.PROVIDER)
    # server.py answers in two writes (headers, body): Nagle and delayed ACKs then cost ~40 ms per call
    # on a kept-alive connection. Accepted sockets inherit TCP_NODELAY from the listening one.
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Lix allows one call per 3 s; the tests that are not about the limit lift it.
    control(server, "limits", {"provider": "lix", "windows": [[1000, 1]]})
    return server


@pytest.fixture
def client(server):
    return LixClient(KEY, {"viewer_id": VIEWER}, urls=sandbox_urls(server))


def without_generated_ids(data):
    """Searches without a sequence_id get a fresh one from the client: compare the rest."""
    return {k: v for k, v in data.items() if k not in ("sequence_id", "raw")} if "items" in data else data


def test_every_client_method_answers_plausibly_and_the_same_twice(client):
    for method, args, kwargs in CALLS:
        first, second = (getattr(client, method)(*args, **kwargs) for _ in range(2))
        assert first.call.status == 200 and first.call.url.startswith(client.base_url)
        assert without_generated_ids(first.data) == without_generated_ids(second.data), method
    data = {method: getattr(client, method)(*args, **kwargs).data for method, args, kwargs in CALLS}
    assert len(data["connections"]["items"]) == 5 and data["connections"]["start"] == 10
    assert data["connections"]["total"] >= 40 and data["connections"]["items"][0]["publicIdentifier"]
    assert data["person_ids"]["li_id"] == "alfie-lambert"
    assert data["person_ids"]["sales_nav_id"].startswith("ACoA")
    assert data["organisation_ids"]["name"] == "Northwind Analytics" and data["organisation_ids"]["li_id"]
    person = data["person_by_linkedin"]
    assert person["name"] == "Alfie Lambert" and person["link"] == PROFILE
    assert person["experience"][0]["dateEnded"] == "Present"
    assert isinstance(person["skills"][0]["numOfEndorsement"], str)
    organisation = data["organisation_by_linkedin"]
    assert organisation["name"] and organisation["link"].startswith("https://www.linkedin.com/company/")
    assert isinstance(organisation["liEmployeeCount"], str) and organisation["size"]
    assert data["enrich_job"]["link"].endswith("/jobs/view/3556453411") and data["enrich_job"]["title"]
    assert data["enrich_post"]["urn"] == "urn:li:activity:7019605025920286720"
    assert data["enrich_post"]["author"]["link"].startswith("https://www.linkedin.com/in/")
    assert all(p["link"].startswith("https://www.linkedin.com/in/") for p in data["job_hirers"]["people"])
    for method in ("search_people", "search_jobs", "search_posts", "search_orgs", "search_sales_people",
                   "search_recruiter_people"):  # fmt: skip
        page = data[method]
        assert page["items"] and page["total"] >= len(page["items"]) and page["count"] in (10, 25), method
    sequence_ids = [
        data[m]["sequence_id"] for m in ("search_people", "search_sales_people", "search_recruiter_people")
    ]
    assert sequence_ids == ["seq-1", "seq-2", "seq-3"] and data["search_posts"]["start"] == 10
    assert data["sales_facet"]["items"][0] == {"id": "3", "text": "Entry"}
    assert {item["text"] for item in data["recruiter_facet"]["items"]} >= {"JavaScript"}
    assert all(item["id"].startswith("urn:li:ts_skill:") for item in data["recruiter_facet"]["items"])
    email = data["email_by_linkedin"]
    assert email["status"] in ("VALID", "PROBABLE") and "@" in email["email"]


def test_account_calls_report_what_is_left(client):
    before = {row["label"]: row["value"] for row in client.balances().data}
    allowance = client.daily_allowance().data
    client.person_by_linkedin(PROFILE)
    after = {row["label"]: row["value"] for row in client.check().data}
    assert before["Standard credits"] > 0 and after["Standard credits"] == before["Standard credits"] - 1
    assert after["Email credits"] == before["Email credits"]
    assert allowance[0]["label"] == "Requests remaining today" and 0 < allowance[0]["value"] <= 10_000
    assert client.daily_allowance().data[0]["value"] < allowance[0]["value"]
    assert allowance[1]["label"] == "Daily allowance refreshes at"


def test_search_pages_continue_with_the_same_sequence_id(client):
    first = client.search_people(PEOPLE_URL)
    second = client.search_people(PEOPLE_URL, start=10, sequence_id=first.data["sequence_id"])
    assert second.data["sequence_id"] == first.data["sequence_id"] and second.data["start"] == 10
    assert first.data["total"] == second.data["total"] <= 1000
    assert not {p["link"] for p in first.data["items"]} & {p["link"] for p in second.data["items"]}
    # Lix's own examples page with &page=N in the search URL.
    assert client.search_people(f"{PEOPLE_URL}&page=2").data["items"] == second.data["items"]
    last = client.search_people(PEOPLE_URL, start=first.data["total"])
    assert last.data["items"] == [] and last.data["total"] == first.data["total"]


def test_the_same_person_whatever_the_way_in(client):
    found = client.search_sales_people(SALES_URL).data["items"][0]
    person = client.person_by_linkedin(found["link"]).data
    assert person["name"] == found["name"] and person["description"] == found["description"]
    ids = client.person_ids(li_flagship_id=found["link"].rsplit("/", 1)[-1]).data
    assert client.person_ids(sales_nav_id=ids["sales_nav_id"]).data["li_id"] == ids["li_id"]
    assert client.person_ids(lix_id=ids["lix_id"]).data["sales_nav_id"] == ids["sales_nav_id"]
    org = client.organisation_ids(li_flagship_id="acme-robotics").data
    assert client.organisation_ids(lix_id=org["lix_id"]).data["name"] == org["name"] == "Acme Robotics"
    assert client.organisation_ids(sales_nav_id=org["sales_nav_id"]).data["li_id"] == "acme-robotics"


def email_outcomes(client, count=40):
    outcomes = {}
    for index in range(count):
        url = f"https://www.linkedin.com/in/ada-lovelace-{index}"
        try:
            outcomes.setdefault(client.email_by_linkedin(url).data["status"], []).append(url)
        except NotFound as missing:
            assert missing.status == 404 and missing.provider_code == "unknown_record"
            outcomes.setdefault("none", []).append(url)
    return outcomes


def test_emails_are_valid_probable_or_missing(client):
    outcomes = email_outcomes(client)
    assert set(outcomes) == {"VALID", "PROBABLE", "none"}
    valid = client.email_by_linkedin(outcomes["VALID"][0]).data
    assert valid["valid"] and valid["email"].startswith("ada.lovelace@")
    assert valid["alternatives"] == [valid["email"]]
    probable = client.email_by_linkedin(outcomes["PROBABLE"][0]).data
    assert not probable["valid"] and len(probable["alternatives"]) == 3 and "@" in probable["email"]
    assert email_outcomes(client) == outcomes


def test_wrong_or_missing_key_is_rejected(server):
    for key in ("lix-real-looking-key", "sandbox-"):
        with pytest.raises(KeyRejected) as rejected:
            LixClient(key, urls=sandbox_urls(server)).balances()
        assert rejected.value.status == 401 and rejected.value.provider_code == "unauthorised"
    answer = requests.get(f"{server.url}/lix/v1/account/balances", timeout=5)
    assert answer.status_code == 401 and answer.json()["error"]["type"] == "unauthorised"


def test_empty_account_answers_402_and_free_calls_still_work(server, client):
    control(
        server,
        "accounts",
        {"provider": "lix", "key": KEY, "balances": {"standard": 0, "organisation": 0, "email": 0}},
    )
    with pytest.raises(OutOfCredits) as empty:
        client.person_by_linkedin(PROFILE)
    assert empty.value.status == 402 and empty.value.permanent
    with pytest.raises(OutOfCredits):
        client.organisation_ids(li_flagship_id="lix")
    assert [row["value"] for row in client.balances().data] == [0, 0]
    assert client.sales_facet("Dir", "SENIORITY_V2").data["items"] == [{"id": "6", "text": "Director"}]
    assert control(server, "billed")["totals"] == {}


def test_over_the_rate_limit_waits_then_succeeds(server, client):
    assert lix.PROVIDER.default_limits == [[1, 3]]
    control(server, "limits", {"provider": "lix", "windows": [[2, 1]]})
    client.balances()
    client.balances()
    with pytest.raises(RateLimited) as limited:
        client.balances()
    assert limited.value.status == 429 and 0 < limited.value.retry_after <= 1
    assert limited.value.provider_code == "rate_limit"
    time.sleep(limited.value.retry_after)
    assert client.balances().call.status == 200


def test_bad_input_gets_lix_400_and_unknown_paths_404_unbilled(server):
    def get(path, **params):
        return requests.get(
            f"{server.url}/lix{path}", params=params, headers={"Authorization": KEY}, timeout=5
        )

    for answer in (get("/v1/person"), get("/v1/person", profile_link="https://example.com/in/x"),
                   get("/v1/person/ids", li_flagship_id="a", lix_id="b"), get("/v1/connections"),
                   get("/v1/li/recruiter/search/people", viewer_id=VIEWER)):  # fmt: skip
        assert answer.status_code == 400 and answer.json()["error"]["type"] == "params_invalid"
    not_a_profile = get("/v1/person", profile_link="https://www.linkedin.com/company/x")
    assert not_a_profile.status_code == 404 and not_a_profile.json()["error"]["type"] == "unknown_record"
    assert get("/v1/nothing/here").json()["error"]["type"] == "unknown_route"
    assert control(server, "billed")["totals"] == {}


def test_sandbox_bills_what_quarry_records(server, client):
    expected, valid_emails = {}, 0
    emails = email_outcomes(client)
    control(server, "reset", {})
    control(server, "limits", {"provider": "lix", "windows": [[1000, 1]]})
    calls = [*CALLS, ("balances", (), {}), ("daily_allowance", (), {})]
    calls += [("email_by_linkedin", (url,), {}) for url in emails["VALID"] + emails["PROBABLE"]]
    for method, args, kwargs in calls:
        result = getattr(client, method)(*args, **kwargs)
        valid_emails += method == "email_by_linkedin" and result.data["valid"]
        for kind, amount in credits_for(result.call, result.data).items():
            expected[kind] = expected.get(kind, 0) + amount
    with pytest.raises(NotFound):
        client.email_by_linkedin(emails["none"][0])  # unknown_record costs nothing
    assert control(server, "billed")["totals"] == expected
    # CALLS bill 11 Standard (connections included) and 4 Organisation credits; each VALID email one Email
    # credit, PROBABLE none.
    assert expected["standard"] == 11 and expected["organisation"] == 4
    assert expected["email"] == valid_emails >= len(emails["VALID"]) > 0


def test_the_sandbox_serves_the_recruiter_facet_at_the_path_lixs_docs_fixed(server, client):
    headers = {"Authorization": KEY}
    params = {"query": "Java", "type": "skill", "viewer_id": VIEWER}
    seed = requests.get(
        f"{server.url}/lix/v1/search/recruiter/facet", params=params, headers=headers, timeout=5
    )
    assert seed.status_code == 404 and seed.json()["error"]["type"] == "unknown_route"
    assert client.recruiter_facet("Java").call.url.startswith(
        f"{server.url}/lix/v1/li/recruiter/search/facet"
    )
    # A key set to the seed's path is told, in words, which option to set back.
    seeded = LixClient(KEY, {"recruiter_facet_path": "/v1/search/recruiter/facet"}, urls=sandbox_urls(server))
    with pytest.raises(InvalidInput, match="Recruiter facet path"):
        seeded.recruiter_facet("Java")


def test_a_pasted_page_is_that_page_and_the_next_one_follows_it(client):
    pasted = client.search_people(f"{PEOPLE_URL}&page=3").data
    by_offset = client.search_people(PEOPLE_URL, start=20, sequence_id=pasted["sequence_id"]).data
    assert pasted["start"] == 20 and pasted["page"] == 3 and pasted["items"] == by_offset["items"]
    following = client.search_people(
        f"{PEOPLE_URL}&page=3", start=pasted["next_start"], sequence_id=pasted["sequence_id"]
    ).data
    assert following["page"] == 4 and following["sequence_id"] == pasted["sequence_id"]
    assert following["items"] == client.search_people(f"{PEOPLE_URL}&page=4").data["items"]
    assert not {p["link"] for p in pasted["items"]} & {p["link"] for p in following["items"]}


def test_a_sales_navigator_page_after_the_hash_is_honoured(server, client):
    url = "https://www.linkedin.com/sales/search/people#query=(keywords%3Alix)&sessionId=abc"
    second = client.search_sales_people(f"{url}&page=2").data
    assert second["start"] == 25 and second["page"] == 2
    assert second["items"] == client.search_sales_people(url, start=25).data["items"]
    # As Lix's example sends it: the page in the URL only, no `start` [E2].
    raw = requests.get(
        f"{server.url}/lix/v1/li/sales/search/people",
        params={"url": f"{url}&page=2", "viewer_id": VIEWER},
        headers={"Authorization": KEY},
        timeout=5,
    ).json()
    assert raw["paging"]["start"] == 25 and raw["people"] == second["items"]


def test_the_last_page_says_there_is_no_next_one(client):
    first = client.search_orgs("https://www.linkedin.com/search/results/companies/?keywords=london").data
    last_start = (first["total"] - 1) // 10 * 10
    last = client.search_orgs(
        "https://www.linkedin.com/search/results/companies/?keywords=london", start=last_start
    ).data
    assert first["next_start"] == 10 and last["items"] and last["next_start"] is None
