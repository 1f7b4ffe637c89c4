"""Lusha answers (as the client parses them) mapped to plain person and company facts."""

import pytest

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.lusha import LushaClient
from prospecting.providers.lusha_facts import companies_from, people_from
from tests.providers import helpers


def parsed(endpoint, name):
    return LushaClient("lusha-key").parse(endpoint, helpers.load_fixture("lusha", name))


def test_the_registry_offers_lushas_mappers():
    assert PROVIDERS["lusha"].people_from is people_from
    assert PROVIDERS["lusha"].companies_from is companies_from


def test_a_person_lookup_gives_ids_contact_points_and_company():
    data = parsed("person", "person.json")
    assert people_from("person", data) == [
        PersonFacts(
            linkedin_url="https://www.linkedin.com/in/dustin/",
            lusha_id="123456",
            full_name="Dustin Moskovitz",
            first_name="Dustin",
            last_name="Moskovitz",
            title="CEO",
            location="Boston, MA, US",
            company_name="Lusha",
            company_domain="https://www.lusha.com",
            company_linkedin_url="https://linkedin.com/company/lusha",
            emails=(("dustin@lusha.com", "valid"),),
            phones=(("+1-555-123-4567", "Mobile"),),
        )
    ]
    assert companies_from("person", data) == [
        CompanyFacts(
            name="Lusha",
            domain="https://www.lusha.com",
            linkedin_url="https://linkedin.com/company/lusha",
            size="201-500",
            location="Boston, MA, US",
            lusha_id="33222678",
        )
    ]


def test_a_bulk_lookup_gives_the_found_contacts_only():
    people = people_from("bulk_people", parsed("bulk_people", "person_bulk.json"))
    assert [person.lusha_id for person in people] == ["1312840528", "3965070011"]
    assert people[0].emails == (("john.doe@amazon.com", "valid"),)
    assert people[0].phones == (("+1 555-123-4567", "direct"),)
    assert people[0].company_domain == "amazon.com"


def test_a_contact_search_gives_names_titles_and_companies_but_not_its_per_search_ids():
    assert people_from("search_contacts", parsed("search_contacts", "contact_search.json")) == [
        PersonFacts(
            full_name="Chris Karageorge",
            title="Senior Director of Technical Operations",
            company_name="Lusha",
            company_domain="lusha.com",
        )
    ]


def test_enriched_contacts_give_their_emails_and_phones():
    (person,) = people_from("enrich_contacts", parsed("enrich_contacts", "contact_enrich.json"))
    assert person.full_name == "Carolina Portela"
    assert person.emails == (("carolina@lusha.com", "probable"),)
    assert person.phones == (("+1 555-000-1111", "Mobile"),)


@pytest.mark.parametrize(
    ("grade", "status"),
    [("A+", "valid"), ("A", "probable"), ("B", "probable"), ("C", "unknown"), (None, "unknown")],
)
def test_email_grades_map_to_statuses(grade, status):
    data = {"outcome": "found", "data": {"emailAddresses": [{"email": "a@b.co", "emailConfidence": grade}]}}
    assert people_from("person", data)[0].emails == (("a@b.co", status),)


def test_the_deprecated_simple_lists_are_read_when_nothing_else_is_there():
    data = {"outcome": "found", "data": {"emails": ["a@b.co", None], "phones": ["+1 2"]}}
    (person,) = people_from("person", data)
    assert person.emails == (("a@b.co", "unknown"),) and person.phones == (("+1 2", ""),)


def test_contact_signals_give_the_current_title_and_company():
    (person,) = people_from("contact_signals", parsed("contact_signals", "signals_contacts.json"))
    assert person == PersonFacts(
        lusha_id="115889",
        title="Senior Manager, IT Solutions",
        company_name="Callaway Golf",
        company_domain="vendavo.com",
    )


def test_a_company_lookup_gives_the_company():
    assert companies_from("company", parsed("company", "company.json")) == [
        CompanyFacts(
            name="Lusha",
            domain="lusha.com",
            linkedin_url="https://linkedin.com/company/lusha",
            industry="Technology",
            size="201-500",
            location="Boston, Massachusetts, United States",
            lusha_id="33222678",
        )
    ]


@pytest.mark.parametrize(
    ("endpoint", "fixture", "names"),
    [
        ("bulk_companies", "company_bulk.json", ["Lusha", "Google"]),
        ("search_companies", "company_search.json", ["Amazon"]),
        ("enrich_companies", "company_enrich.json", ["Amazon"]),
    ],
)
def test_company_lists_give_their_found_companies(endpoint, fixture, names):
    companies = companies_from(endpoint, parsed(endpoint, fixture))
    assert [company.name for company in companies] == names
    assert all(company.lusha_id for company in companies)


def test_an_enriched_company_gives_size_industry_and_place():
    (amazon,) = companies_from("enrich_companies", parsed("enrich_companies", "company_enrich.json"))
    assert amazon == CompanyFacts(
        name="Amazon",
        domain="amazon.com",
        industry="Technology, Information & Media",
        size="10001-100000",
        location="Seattle, United States",
        lusha_id="1586",
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"outcome": "not_found", "data": {"fullName": "Nobody"}},
        {"outcome": "found", "data": None},
        {
            "outcome": "found",
            "data": {"jobTitle": None, "location": None, "company": None, "socialLinks": None},
        },
        {"outcome": "found", "data": {"emailAddresses": None, "phoneNumbers": [None, {}], "company": []}},
        {"records": None, "contacts": None, "companies": None},
        {"records": [None, {"outcome": "found"}], "contacts": [None, {}], "companies": [{}, None]},
        {"records": [{"outcome": "found", "signals": {"promotion": [None, {"signalDate": None}]}}]},
    ],
)
def test_empty_or_odd_answers_give_no_facts(data):
    endpoints = (
        "person",
        "bulk_people",
        "search_contacts",
        "enrich_contacts",
        "contact_signals",
        "account_usage",
    )
    for endpoint in endpoints:
        assert people_from(endpoint, data) == []
    for endpoint in ("company", "bulk_companies", "search_companies", "enrich_companies", "person"):
        assert companies_from(endpoint, data) == []
