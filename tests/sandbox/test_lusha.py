"""The Lusha sandbox answers the real LushaClient over HTTP: every method, errors, quotas and billing."""

import time

import pytest
import requests

from prospecting.providers.base import InvalidInput, KeyRejected, LegalRefusal, OutOfCredits, RateLimited
from prospecting.providers.billing import credits_for
from prospecting.providers.lusha import FILTER_LOOKUPS, LushaClient, rate_limit_state
from prospecting.sandbox import lusha
from prospecting.sandbox import lusha_data as records
from tests.sandbox.conftest import billed, control, sandbox_urls

KEY = "sandbox-lusha-test-key"


@pytest.fixture
def server(sandbox):
    return sandbox(lusha.PROVIDER)


@pytest.fixture
def client(server):
    return LushaClient(KEY, urls=sandbox_urls(server))


def email_with(outcome, domain="northwind.io"):
    """An email whose person the sandbox answers with `outcome` (found ones have an email and a phone)."""
    for index in range(1000):
        email = f"person{index}@{domain}"
        seed, person = records.find_person({"email": email})
        if records.outcome_of(seed, person, {"email": email}) == outcome and (
            outcome != "found" or person["phone"]
        ):
            return email
    raise AssertionError(f"no {outcome} email")


def by_id(result):
    return {record["id"]: record for record in result.data["records"]}


def test_person_is_found_by_each_identifier_and_charged_per_data_point(client, server):
    email = email_with("found")
    first = client.person(email=email)

    assert billed(server, "lusha")["credits"] == 6  # an email (1) and a phone (5), Lusha's example prices
    assert first.data == client.person(email=email).data
    assert first.data["outcome"] == "found" and first.data["credit_charged"] is True
    data = first.data["data"]
    assert data["emailAddresses"][0]["email"] == email and data["phoneNumbers"][0]["number"]
    assert data["company"]["name"] == "Northwind Analytics" and data["fullName"]
    by_url = client.person(linkedin_url="https://www.linkedin.com/in/grace-h", signals=["promotion"]).data
    assert by_url["outcome"] == "found" and "promotion" in by_url["data"]["signals"]
    named = client.person(first_name="Grace", last_name="Hopper", company_domain="acme-robotics.com").data
    assert named["data"]["fullName"] == "Grace Hopper" and named["data"]["companyName"] == "Acme Robotics"
    before = billed(server, "lusha")["credits"]
    only_emails = client.person(email=email, reveal_emails=True, reveal_phones=False)
    assert only_emails.data["data"]["emailAddresses"] and only_emails.data["data"]["phoneNumbers"] == []
    assert credits_for(only_emails.call, only_emails.data) == {"credits": 1}  # the email only
    assert billed(server, "lusha")["credits"] - before == 1


def test_no_match_is_free_and_a_gdpr_hold_is_a_451(client, server):
    missing = client.person(email="nobody@example.com").data
    assert missing["outcome"] == "not_found" and missing["credit_charged"] is False
    assert missing["error"]["name"] == "EMPTY_DATA"

    with pytest.raises(LegalRefusal) as refused:
        client.person(email=email_with("gdpr"))

    assert refused.value.status == 451 and "GDPR" in refused.value.message and refused.value.permanent
    assert billed(server, "lusha") == {}


def test_bulk_people_give_each_record_its_outcome_inside_a_200(client, server):
    contacts = [
        {"contactId": "found", "email": email_with("found")},
        {"contactId": "missing", "email": email_with("missing")},
        {"contactId": "gdpr", "email": email_with("gdpr")},
        {"contactId": "bad", "linkedinUrl": "https://www.linkedin.com/company/acme"},
        {"contactId": "named", "fullName": "Ada Lovelace", "companies": [{"name": "Blue Harbor Bank"}]},
    ]

    result = client.bulk_people(contacts=contacts, signals=["allSignals"])

    records_ = by_id(result)
    assert records_["found"]["outcome"] == "found" and records_["found"]["credit_charged"] is True
    assert records_["found"]["data"]["company"]["name"] == "Northwind Analytics"  # from the companies map
    assert set(records_["found"]["data"]["signals"]) == {"promotion", "companyChange"}
    assert records_["missing"]["outcome"] == "not_found" and records_["missing"]["credit_charged"] is False
    assert records_["gdpr"]["outcome"] == "error" and "GDPR" in records_["gdpr"]["error"]["message"]
    assert records_["bad"]["outcome"] == "error" and records_["bad"]["error"]["name"] == "INVALID_INPUT"
    assert records_["named"]["data"]["fullName"] == "Ada Lovelace"
    assert result.data["charged_records"] == 2
    assert billed(server, "lusha") == credits_for(result.call, result.data)
    assert client.bulk_people(contacts=contacts, signals=["allSignals"]).data == result.data


def test_companies_single_and_bulk(client, server):
    found = client.company(domain="northwind.io", signals=["riskNews"]).data
    assert found["outcome"] == "found" and found["data"]["name"] == "Northwind Analytics"
    assert "riskNews" in found["data"] and found["data"]["employees"]
    assert client.company(domain="gone.example").data["outcome"] == "not_found"
    assert client.company(company="Acme Robotics").data["data"]["domain"] == "acme-robotics.com"

    companies = [
        {"id": "1", "domain": "blueharbor.com"},
        {"id": "2", "name": "Stark Energy"},
        {"id": "3", "domain": "gone.example"},
    ]
    result = by_id(client.bulk_companies(companies=companies, signals=["surgeInHiring"]))

    assert result["1"]["outcome"] == result["2"]["outcome"] == "found"
    assert result["1"]["data"]["name"] == "Blue Harbor Bank" and result["1"]["data"]["lushaCompanyId"]
    assert result["3"]["outcome"] == "not_found"
    assert billed(server, "lusha")["credits"] == 4  # two single finds and two bulk ones


def test_the_other_bulk_company_path_answers_404_and_the_client_says_which_to_use(server):
    other = LushaClient(KEY, {"bulk_company_path": "/bulk/company/v2"}, urls=sandbox_urls(server))

    with pytest.raises(InvalidInput) as raised:
        other.bulk_companies(companies=[{"id": "1", "domain": "northwind.io"}])

    assert raised.value.status == 404 and "/v2/company" in raised.value.message


def test_every_filter_lookup_answers_values(client):
    for method, (_path, searched) in FILTER_LOOKUPS.items():
        values = getattr(client, method)(text="a") if searched else getattr(client, method)()
        assert values.data and values.call.endpoint == method, method
    assert client.company_technologies(text="sales").data == [{"name": "salesforce"}]
    assert {"id": 9, "name": "c-suite"} in client.contact_seniorities().data


def test_contact_search_pages_and_enrich_charges_the_enriched(client, server):
    # Departments are not among the filters the sandbox applies: every listed person stays.
    filters = {"contacts": {"include": {"departments": ["Engineering"]}}}
    first, second = client.search_contacts(filters=filters), client.search_contacts(filters=filters, page=1)

    assert first.data == client.search_contacts(filters=filters).data
    assert first.data["requestId"] == second.data["requestId"] and first.data["totalResults"] >= 40
    assert len(first.data["contacts"]) == 20 and first.data["contacts"] != second.data["contacts"]
    ids = [contact["contactId"] for contact in first.data["contacts"]]
    enriched = client.enrich_contacts(request_id=first.data["requestId"], contact_ids=[*ids, "not-a-contact"])

    outcomes = {record["id"]: record["outcome"] for record in enriched.data["records"]}
    assert outcomes["not-a-contact"] == "not_found" and list(outcomes.values()).count("found") >= 15
    found = next(r["data"] for r in enriched.data["records"] if r["outcome"] == "found")
    assert found["fullName"] and isinstance(found["jobTitle"], str) and found["seniority"]
    # Each enriched contact costs its email and its phone (1 + 5), or the email alone when it has no phone.
    assert billed(server, "lusha") == credits_for(enriched.call, enriched.data)
    assert billed(server, "lusha")["credits"] >= 6 * list(outcomes.values()).count("found") - 5 * 20


def test_company_search_and_enrich(client, server):
    search = client.search_companies(filters={"companies": {"include": {"mainIndustriesIds": [4]}}}, size=10)

    ids = [company["id"] for company in search.data["companies"]]
    assert len(ids) == 10 and len(set(ids)) == 10
    enriched = by_id(
        client.enrich_companies(request_id=search.data["requestId"], company_ids=[*ids[:3], "42"])
    )

    assert [enriched[i]["outcome"] for i in ids[:3]] == ["found"] * 3
    assert enriched["42"]["outcome"] == "not_found"
    assert enriched[ids[0]]["data"]["name"] == search.data["companies"][0]["name"]
    assert billed(server, "lusha")["credits"] == 3


def test_signals_charge_each_type_that_returns_data(client, server):
    assert client.signal_options(object_type="contact").data["signals"][0] == "allSignals"
    assert "newsEventTypes" in client.signal_options(object_type="company").data["filterOptions"]
    calls = [
        ("contact_signals", {"contact_ids": [1, 2, 3, 4, 5], "signals": ["allSignals"]}),
        (
            "search_contact_signals",
            {
                "contacts": [{"id": "a", "social_link": "https://www.linkedin.com/in/ada"}],
                "signals": ["promotion"],
            },
        ),
        ("company_signals", {"company_ids": [7, 8], "signals": ["allSignals"], "start_date": "2026-01-01"}),
        (
            "search_company_signals",
            {"companies": [{"id": "n", "domain": "northwind.io"}], "signals": ["allSignals"]},
        ),
    ]
    total = 0
    for method, kwargs in calls:
        result = getattr(client, method)(**kwargs)
        assert result.data == getattr(client, method)(**kwargs).data
        with_data = sum(
            1 for record in result.data["records"] for events in record["signals"].values() if events
        )
        assert result.data["credit_charged"] == with_data
        total += 2 * with_data
    assert total and billed(server, "lusha")["credits"] == total
    assert result.data["records"][0]["data"]["domain"] == "northwind.io"


def test_account_usage_shows_the_credits_going_down(client):
    before = client.account_usage().data["usage"]["credits"]
    client.person(email=email_with("found"))
    after = client.check().data["usage"]["credits"]

    # A found contact with an email and a phone: 1 + 5 credits.
    assert after["remaining"] == before["remaining"] - 6 and after["used"] == before["used"] + 6
    rows = {row["label"]: row["value"] for row in client.balances().data}
    assert rows["Credits remaining"] == after["remaining"] and rows["Requests allowed per second"] == 25


def test_a_wrong_key_is_rejected(server):
    with pytest.raises(KeyRejected) as raised:
        LushaClient("not-a-sandbox-key", urls=sandbox_urls(server)).account_usage()
    assert raised.value.status == 401


def test_an_empty_balance_answers_402_to_billable_calls_only(client, server):
    control(server, "accounts", {"provider": "lusha", "key": KEY, "balances": {"credits": 0}})

    with pytest.raises(OutOfCredits) as raised:
        client.person(email=email_with("found"))

    assert raised.value.status == 402
    assert client.person(email="nobody@example.com").data["outcome"] == "not_found"  # a no match is free
    assert client.account_usage().data["usage"]["credits"]["remaining"] == 0 and billed(server, "lusha") == {}


def test_going_over_the_rate_limit_is_a_429_with_its_wait(client, server):
    control(server, "limits", {"provider": "lusha", "windows": [[2, 1], [100, 60]]})
    client.account_usage()
    exhausted = client.account_usage()
    state = rate_limit_state(exhausted.call.headers)
    assert state["second"]["remaining"] == 0 and state["minute"]["remaining"] == 98
    assert 0 < exhausted.call.retry_after <= 1  # the success already says to wait

    with pytest.raises(RateLimited) as raised:
        client.account_usage()

    assert 0 < raised.value.retry_after <= 1
    time.sleep(raised.value.retry_after)
    assert client.account_usage().data["usage"]["credits"]["remaining"]


def test_the_sandbox_validates_like_lusha(server):
    def call(method, path, **kwargs):
        answer = requests.request(
            method, f"{server.url}/lusha{path}", headers={"api_key": KEY}, timeout=5, **kwargs
        )
        return answer.status_code, answer.json()

    status, body = call("GET", "/v2/person")
    assert status == 400 and body["statusCode"] == 400 and body["errors"]
    assert (
        call("POST", "/v2/person", json={"contacts": [{"contactId": "1", "fullName": "Madonna"}]})[0] == 412
    )
    assert call("POST", "/prospecting/contact/search", json={"pages": {"page": 0, "size": 5}})[0] == 400
    assert (
        call("POST", "/api/signals/companies", json={"companyIds": [1], "signals": ["promotion"]})[0] == 400
    )
    assert call("GET", "/api/signals/filters/person")[0] == 400
    assert call("GET", "/v9/nothing")[0] == 404
    assert billed(server, "lusha") == {}


def test_the_sandbox_bills_what_quarry_records(client, server):
    filters = {"contacts": {"include": {"seniority": [9]}}}
    search = client.search_contacts(filters=filters)
    results = [
        client.person(email=email_with("found", "initech.cloud")),
        client.person(email="nobody@example.com"),
        client.bulk_people(
            contacts=[{"contactId": str(i), "email": f"p{i}@waynemedia.com"} for i in range(12)]
        ),
        client.company(domain="starkenergy.com"),
        client.bulk_companies(
            companies=[{"id": "1", "domain": "northwind.io"}, {"id": "2", "domain": "x.example"}]
        ),
        search,
        client.enrich_contacts(
            request_id=search.data["requestId"],
            contact_ids=[c["contactId"] for c in search.data["contacts"][:8]],
        ),
        client.enrich_companies(request_id="unknown", company_ids=["1"]),
        client.contact_signals(contact_ids=[11, 12], signals=["allSignals"]),
        client.search_company_signals(companies=[{"id": "s", "name": "Wayne Media"}], signals=["allSignals"]),
        client.account_usage(),
        client.contact_departments(),
    ]
    with pytest.raises(LegalRefusal):
        client.person(email=email_with("gdpr"))

    expected = sum(credits_for(result.call, result.data).get("credits", 0) for result in results)
    assert expected > 10 and billed(server, "lusha") == {"credits": expected}
