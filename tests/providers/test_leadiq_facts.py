"""LeadIQ answers (as the client parses them) mapped to plain person and company facts."""

import pytest

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.leadiq import LeadiqClient, companies_from, people_from
from tests.providers import helpers

JANE_ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
ACME_ID = "c0ffee0000000000000000aa"
JANE_URL = "https://www.linkedin.com/in/janedoe"
PLACE = "Manchester, New Hampshire, United States"


def parsed(endpoint, name):
    return LeadiqClient(LeadiqClient.issued_key("leadiq-test")).parse(
        endpoint, helpers.load_fixture("leadiq", name)
    )


def test_the_registry_offers_leadiqs_mappers():
    assert PROVIDERS["leadiq"].people_from is people_from
    assert PROVIDERS["leadiq"].companies_from is companies_from


def test_a_people_search_gives_ids_current_role_and_contact_points():
    data = parsed("search_people", "search_people.json")
    assert people_from("search_people", data) == [
        PersonFacts(
            linkedin_url=JANE_URL,
            leadiq_id=JANE_ID,
            full_name="Jane Doe",
            first_name="Jane",
            last_name="Doe",
            title="VP of Sales",
            location=PLACE,
            company_name="Acme Inc",
            company_domain="acme.com",
            company_linkedin_url="https://www.linkedin.com/company/acme",
            emails=(("jane.doe@acme.com", "valid"), ("jdoe@acme.com", "unknown")),
            phones=(("+1 603 555 0100", "WorkPhone"), ("+1 603 555 0199", "PersonalMobile")),
        )
    ]
    assert companies_from("search_people", data) == [
        CompanyFacts(
            name="Acme Inc",
            domain="acme.com",
            linkedin_url="https://www.linkedin.com/company/acme",
            industry="Computer Software",
            size="201-500",
            location=PLACE,
            leadiq_id=ACME_ID,
        )
    ]


def test_a_flat_advanced_search_gives_every_person_with_their_company():
    people = people_from("flat_advanced_search", parsed("flat_advanced_search", "flat_advanced_search.json"))
    assert people[1] == PersonFacts(
        leadiq_id="5f1a2b3c4d5e6f7a8b9c0d1f",
        full_name="John Roe",
        first_name="John",
        last_name="Roe",
        title="Sales Director",
        location="Nashua, New Hampshire, United States",
        company_name="Globex",
    )
    companies = companies_from(
        "flat_advanced_search", parsed("flat_advanced_search", "flat_advanced_search.json")
    )
    assert [company.leadiq_id for company in companies] == [ACME_ID, "c0ffee0000000000000000bb"]


def test_a_grouped_search_gives_each_person_their_groups_company():
    data = parsed("grouped_advanced_search", "grouped_advanced_search.json")
    assert people_from("grouped_advanced_search", data) == [
        PersonFacts(
            linkedin_url=JANE_URL,
            leadiq_id=JANE_ID,
            full_name="Jane Doe",
            title="VP of Sales",
            company_name="Acme Inc",
            company_domain="acme.com",
        )
    ]
    assert companies_from("grouped_advanced_search", data) == [
        CompanyFacts(
            name="Acme Inc", domain="acme.com", industry="Computer Software", size="250", leadiq_id=ACME_ID
        )
    ]


def test_a_company_search_gives_companies():
    assert companies_from("search_company", parsed("search_company", "search_company.json")) == [
        CompanyFacts(
            name="Acme Inc",
            domain="acme.com",
            industry="Computer Software",
            size="250",
            location=PLACE,
            leadiq_id=ACME_ID,
        )
    ]


def test_a_prospect_names_the_leadiq_person_not_the_prospect_record():
    (jane,) = people_from("add_prospect", parsed("add_prospect", "prospect.json"))
    assert jane.leadiq_id == JANE_ID and jane.linkedin_url == JANE_URL
    assert jane.emails == (("jane.doe@acme.com", "valid"),)
    assert jane.phones == (("+1 603 555 0199", ""),)
    assert jane.location == "Manchester, New Hampshire, United States"
    (page_jane,) = people_from("list_prospects", parsed("list_prospects", "prospects_page.json"))
    assert page_jane.leadiq_id == "" and page_jane.company_domain == "acme.com"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Verified", "valid"),
        ("VerifiedLikely", "probable"),
        ("Unverified", "unknown"),
        ("Invalid", "invalid"),
        ("Suppressed", "invalid"),
        (None, "unknown"),
    ],
)
def test_email_statuses_map_from_leadiqs_words(status, expected):
    person = {"id": "p1", "currentPositions": [{"emails": [{"value": "a@b.co", "status": status}]}]}
    assert people_from("search_people", {"results": [person]})[0].emails == (("a@b.co", expected),)


def test_suppressed_or_invalid_phones_are_left_out():
    phones = [{"value": "+1", "status": "Suppressed"}, {"value": "+2", "status": "Invalid"}, {"value": "+3"}]
    person = {"id": "p1", "currentPositions": [{"phones": phones}]}
    assert people_from("search_people", {"results": [person]})[0].phones == (("+3", ""),)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"results": None, "people": {}, "companies": "x", "items": None, "succeeded": None},
        {"results": [None, {}], "people": [None, {"name": None, "company": None}]},
        {"companies": [None, {"company": None, "people": None}, {"people": [None, {}]}]},
        {"results": [{"currentPositions": [None, {"companyInfo": None, "emails": None, "phones": [None]}]}]},
        {"items": [None, {"company": None, "personalEmails": None, "mobilePhones": {}}]},
        {"items": [{"personalEmails": True}]},  # found by the fuzz test: a bool is not a list of emails
    ],
)
def test_empty_or_odd_answers_give_no_facts(data):
    endpoints = (
        *("search_people", "flat_advanced_search", "grouped_advanced_search"),
        "list_prospects",
        "whoami",
    )
    for endpoint in endpoints:
        assert people_from(endpoint, data) == []
    for endpoint in ("search_company", "grouped_advanced_search", "search_people", "list_prospects"):
        assert companies_from(endpoint, data) == []
