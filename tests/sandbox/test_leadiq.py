"""The LeadIQ sandbox (GraphQL and Prospector) driven over HTTP by the real LeadiqClient."""

import base64
import time

import pytest
import requests

from prospecting.providers.base import InvalidInput, KeyRejected, NotFound, OutOfCredits, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.providers.leadiq import LeadiqClient
from prospecting.sandbox import leadiq
from prospecting.sandbox.core import DEFAULT_BALANCE
from tests.sandbox.conftest import billed, control, sandbox_urls

RAW_KEY = "sandbox-leadiq-test-key"
KEY = base64.b64encode(RAW_KEY.encode()).decode()
EVERYTHING = ("company", "email", "phone", "profile")
SALES_VPS = {"contactFilter": {"roles": ["Sales"], "seniorities": ["VP", "Director"]}}


@pytest.fixture
def server(sandbox):
    return sandbox(leadiq.PROVIDER, leadiq.PROSPECTOR)


@pytest.fixture
def client(server):
    return LeadiqClient(KEY, urls=sandbox_urls(server))


def graphql(server, query, variables=None, key=KEY):
    body = {"query": query, "variables": variables or {}}
    answer = requests.post(
        f"{server.url}/leadiq/graphql", json=body, headers={"Authorization": f"Basic {key}"}
    )
    return answer.status_code, answer.json()


def enriched(client, count=16):
    """Full answers for several LinkedIn profiles, by URL."""
    urls = [f"https://www.linkedin.com/in/sandbox-person-{index}" for index in range(count)]
    return {url: client.search_people(fields=EVERYTHING, linkedin_url=url).data for url in urls}


def contact(person, kind):
    values = [x for p in person["currentPositions"] for x in p.get(kind) or []]
    values += person.get("personalPhones") or [] if kind == "phones" else []
    return [x["value"] for x in values if x["status"] != "Suppressed"]


def test_check_and_balances_report_universal_credits_going_down(client):
    account = client.check().data
    assert account["universalPlan"]["available"] == DEFAULT_BALANCE
    assert account["plans"][0]["status"] == "Active"
    result = client.search_people(
        fields=EVERYTHING, linkedin_url="https://www.linkedin.com/in/sandbox-person-1"
    )
    spent = credits_for(result.call, result.data)["uc"]
    assert spent > 0
    rows = {row["label"]: row["value"] for row in client.balances().data}
    assert rows["Universal credits available"] == pytest.approx(DEFAULT_BALANCE - spent)
    assert rows["Universal credits used"] == pytest.approx(spent)


def test_search_people_answers_only_the_selected_field_groups(client):
    people = enriched(client)
    url, person = next(
        (u, p["results"][0]) for u, p in people.items() if p["results"] and contact(p["results"][0], "emails")
    )
    profile = client.search_people(fields=("profile",), linkedin_url=url).data["results"][0]
    assert profile["name"] == person["name"] and profile["id"] == person["id"]
    assert "emails" not in profile["currentPositions"][0] and "personalPhones" not in profile
    assert set(profile["currentPositions"][0]["companyInfo"]) == {"id", "name"}
    ids_only = client.search_people(fields=(), linkedin_url=url).data
    assert ids_only["results"] == [{"id": person["id"]}]
    assert person["currentPositions"][0]["companyInfo"]["domain"] in contact(person, "emails")[0]
    assert client.search_people(fields=EVERYTHING, linkedin_url=url).data == people[url]  # deterministic


def test_some_people_are_unknown_or_come_without_email_or_phone(client):
    answers = list(enriched(client).values())
    found = [a["results"][0] for a in answers if a["results"]]
    assert any(a["totalResults"] == 0 for a in answers)
    assert any(contact(p, "emails") for p in found) and any(not contact(p, "emails") for p in found)
    assert any(contact(p, "phones") for p in found) and any(not contact(p, "phones") for p in found)


def test_search_people_by_email_or_by_name_and_company(client):
    emails = [f"grace{i}@initech.cloud" for i in range(8)]
    answers = {email: client.search_people(fields=("profile", "email"), email=email).data for email in emails}
    email, answer = next((e, a) for e, a in answers.items() if a["results"])
    found = answer["results"][0]
    assert found["currentPositions"][0]["emails"][0]["value"] == email
    assert found["currentPositions"][0]["companyInfo"] == {
        "id": found["currentPositions"][0]["companyId"],
        "name": "Initech Cloud",
    }
    named = {"full_name": "Grace Hopper", "company_domain": "acme-robotics.com"}
    answer = client.search_people(fields=("profile", "company"), **named).data
    assert answer == client.search_people(fields=("profile", "company"), **named).data
    assert answer["results"][0]["name"]["fullName"] == "Grace Hopper"
    assert answer["results"][0]["currentPositions"][0]["companyInfo"]["domain"] == "acme-robotics.com"


def test_flat_advanced_search_pages_and_its_ids_enrich_the_same_person(client):
    first = client.flat_advanced_search(fields=("profile",), filters=SALES_VPS, limit=3, skip=0).data
    second = client.flat_advanced_search(fields=("profile",), filters=SALES_VPS, limit=3, skip=3).data
    assert first["totalPeople"] == second["totalPeople"] > 6
    ids = [p["id"] for p in first["people"] + second["people"]]
    assert len(set(ids)) == 6
    assert all(p["seniority"] in ("VP", "Director") and p["role"] == "Sales" for p in first["people"])
    assert set(first["people"][0]["company"]) == {"id", "name"}
    assert client.flat_advanced_search(fields=(), filters=SALES_VPS, limit=3).data["people"] == [
        {"id": one} for one in ids[:3]
    ]
    again = client.search_people(fields=("profile",), person_id=ids[0]).data["results"][0]
    assert again["id"] == ids[0] and again["name"]["fullName"] == first["people"][0]["name"]


def test_grouped_advanced_search_groups_people_by_company(client):
    answer = client.grouped_advanced_search(
        fields=EVERYTHING[::3], filters=SALES_VPS, limit=2, limit_per_company=2
    )
    groups = answer.data["companies"]
    assert answer.data["totalCompanies"] >= len(groups) == 2
    for group in groups:
        assert group["company"]["domain"] and 1 <= len(group["people"]) <= 2
        assert all(p["companyId"] == group["company"]["id"] for p in group["people"])
    assert (
        answer.data
        == client.grouped_advanced_search(
            fields=EVERYTHING[::3], filters=SALES_VPS, limit=2, limit_per_company=2
        ).data
    )


def test_search_company_selects_firmographics_only_when_asked(client):
    free = client.search_company(fields=(), domain="acme-robotics.com")
    paid = client.search_company(fields=("company",), domain="acme-robotics.com")
    assert set(free.data["results"][0]) == {"id", "name"} and credits_for(free.call, free.data) == {}
    company = paid.data["results"][0]
    assert company["name"] == "Acme Robotics" and company["domain"] == "acme-robotics.com"
    assert company["linkedinUrl"].endswith("/acme-robotics") and credits_for(paid.call, paid.data) == {
        "uc": 3
    }
    by_id = client.search_company(fields=("company",), company_id=company["id"]).data["results"]
    assert by_id == [company]
    assert client.search_company(fields=(), name="Nobody Inc", strict=True).data["results"] == []


def test_prospector_lists_take_prospects_and_page_with_the_cursor(client, server):
    made = client.create_list(name="Sales leaders", description="VPs").data
    with pytest.raises(InvalidInput) as duplicate:
        client.create_list(name="Sales leaders")
    assert duplicate.value.status == 409 and duplicate.value.provider_code == "list_name_exists"
    one = client.add_prospect(
        made["id"], {"firstName": "Jane", "lastName": "Doe", "phone": "+1 603 555 0199"}
    )
    assert one.data["listIds"] == [made["id"]] and one.data["mobilePhones"][0]["value"] == "+1 603 555 0199"
    batch = client.add_prospects(
        made["id"], [{"firstName": f"P{i}", "lastName": "Roe"} for i in range(3)]
    ).data
    assert len(batch["succeeded"]) == 3 and batch["failed"] == []
    first = client.list_prospects(made["id"], limit=3).data
    rest = client.list_prospects(made["id"], limit=3, cursor=first["nextCursor"]).data
    assert [p["name"] for p in first["items"] + rest["items"]] == ["Jane Doe", "P0 Roe", "P1 Roe", "P2 Roe"]
    assert rest["nextCursor"] is None and first == client.list_prospects(made["id"], limit=3).data
    # A bad prospect fails alone in a batch (the client checks its input, so this goes around it).
    raw = requests.post(
        f"{server.url}/leadiq-prospector/v1/lists/{made['id']}/prospects/batch",
        json=[{"firstName": "A", "lastName": "B"}, {"firstName": "C", "lastName": "D", "mobilePhone": "1"}],
        headers={"X-API-Key": RAW_KEY},
    )
    assert raw.status_code == 200 and [f["index"] for f in raw.json()["failed"]] == [1]
    with pytest.raises(NotFound):
        client.list_prospects("0" * 24)
    who = client.whoami().data
    assert who == client.whoami().data and "@" in who["user"]["email"] and who["team"]["domain"]


def test_a_wrong_key_is_rejected_by_both_apis(server):
    stranger = LeadiqClient(base64.b64encode(b"not-a-sandbox-key").decode(), urls=sandbox_urls(server))
    with pytest.raises(KeyRejected):
        stranger.check()
    with pytest.raises(KeyRejected) as refused:
        stranger.whoami()
    assert refused.value.status == 401
    status, body = graphql(server, "{ account { plans { name } } }", key=RAW_KEY)  # not base64: refused
    assert status == 200 and body["errors"][0]["extensions"]["response"]["status"] == 401


def test_an_exhausted_balance_is_out_of_credits_but_free_queries_still_answer(client, server):
    control(server, "accounts", {"provider": "leadiq", "key": RAW_KEY, "balances": {"uc": 0}})
    with pytest.raises(OutOfCredits):
        client.search_company(fields=("company",), domain="acme-robotics.com")
    assert client.search_company(fields=(), domain="acme-robotics.com").data["totalResults"] == 1
    assert client.check().data["universalPlan"]["available"] == 0
    assert billed(server, "leadiq") == {}


def test_going_over_the_rate_limit_waits_the_time_given(client, server):
    for provider in ("leadiq", "leadiq-prospector"):
        control(server, "limits", {"provider": provider, "windows": [[2, 1]]})
    for call in (client.check, client.whoami):
        call(), call()
    waits = []
    for call in (client.check, client.whoami):
        with pytest.raises(RateLimited) as limited:
            call()
        assert 0 < limited.value.retry_after <= 1
        waits.append(limited.value.retry_after)
    time.sleep(max(waits))
    assert client.check().data["universalPlan"] and client.whoami().data["user"]


def test_the_sandbox_bills_what_quarry_records(client, server):
    # These profiles include a Suppressed email, people without email or phone, and an unknown person.
    urls = [f"https://www.linkedin.com/in/billing-{index}" for index in range(6)]
    results = [
        client.search_people(fields=fields, linkedin_url=url)
        for url in urls
        for fields in (EVERYTHING, ("profile",), ("email", "company"))
    ]
    results += [
        client.flat_advanced_search(fields=("profile", "company"), filters=SALES_VPS, limit=5),
        client.grouped_advanced_search(fields=("profile", "company"), filters=SALES_VPS, limit=3),
        client.search_company(fields=("company",), name="Globex Health"),
        client.check(),
    ]
    expected = {}
    for result in results:
        for kind, amount in credits_for(result.call, result.data).items():
            expected[kind] = round(expected.get(kind, 0) + amount, 4)
    assert billed(server, "leadiq", RAW_KEY) == expected and expected["uc"] > 0
    client.create_list(name="Free")
    assert billed(server, "leadiq-prospector") == {}


def test_graphql_refuses_what_leadiq_would_refuse_in_a_200(server):
    cases = [
        (
            "{ searchPeople(input: $input) { results { nickname } } }",
            {"input": {"id": "0" * 24}},
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "query Q($input: SearchPeopleInput!) { searchPeople(input: $input) { totalResults } }",
            {"input": {}},
            "InvalidParameters",
        ),
        (
            "query Q($input: SearchPeopleInput!) { searchPeople(input: $input) { totalResults } }",
            {"input": {"foo": 1}},
            "BAD_USER_INPUT",
        ),
        ("{ account { plans } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("{ account { plans { name } ", None, "GRAPHQL_PARSE_FAILED"),
        ("", None, "MISSING_QUERY_STRING"),
    ]
    for query, variables, code in cases:
        status, body = graphql(server, query, variables)
        assert status == 200 and body["errors"][0]["extensions"]["code"] == code, query
    status, body = graphql(server, "query { account { universalPlan { available } } }")
    assert body == {"data": {"account": {"universalPlan": {"available": DEFAULT_BALANCE}}}}
