"""LinkUp answers (as the client parses them) mapped to plain person and company facts."""

import pytest

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.linkup import LinkupClient, companies_from, people_from
from tests.providers import helpers


def parsed(endpoint, name):
    return LinkupClient("linkup-key").parse(endpoint, helpers.load_fixture("linkup", name))


def test_the_registry_offers_linkups_mappers():
    assert PROVIDERS["linkup"].people_from is people_from
    assert PROVIDERS["linkup"].companies_from is companies_from


def test_a_profile_search_gives_each_profile():
    people = people_from("search_profiles", parsed("search_profiles", "search_profiles.json"))
    assert people == [
        PersonFacts(
            linkedin_url="https://www.linkedin.com/in/johndoe/",
            full_name="John Doe",
            title="Software Engineer at Tech Company",
            location="San Francisco Bay Area",
        ),
        PersonFacts(
            linkedin_url="https://www.linkedin.com/in/janesmith/",
            full_name="Jane Smith",
            title="Product Manager at Innovative Solutions",
            location="New York Metropolitan Area",
        ),
    ]


def test_profile_info_gives_names_and_the_latest_role():
    assert people_from("profile_info", parsed("profile_info", "profile_info.json")) == [
        PersonFacts(
            linkedin_url="johndoe",
            full_name="John Doe",
            first_name="John",
            last_name="Doe",
            title="Software Engineer",
            location="San Francisco Bay Area",
            company_name="Tech Company",
        )
    ]


def test_connections_are_people():
    assert people_from("connections", parsed("connections", "connections.json")) == [
        PersonFacts(
            linkedin_url="https://www.linkedin.com/in/johndoe/",
            full_name="John Doe",
            title="Software Engineer at Tech Company",
        )
    ]


@pytest.mark.parametrize(
    ("endpoint", "fixture", "url", "title"),
    [
        ("list_invitations", "invitations.json", "https://www.linkedin.com/in/sandrine-brunet-6a910b94",
         "Cost and Time killer"),
        ("list_sent_invitations", "sent_invitations.json", "https://www.linkedin.com/in/michelle-heppler",
         "Co-Founder & CCO at Unique AI"),
    ],
)  # fmt: skip
def test_invitations_name_their_people(endpoint, fixture, url, title):
    (person,) = people_from(endpoint, parsed(endpoint, fixture))
    assert (person.linkedin_url, person.title) == (url, title)


def test_a_company_search_gives_companies():
    data = parsed("search_companies", "search_companies.json")
    assert companies_from("search_companies", data) == [
        CompanyFacts(
            name="Stripe",
            linkedin_url="https://www.linkedin.com/company/stripe/",
            industry="Financial Services",
            location="San Francisco",
        )
    ]
    assert people_from("search_companies", data) == []


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"profiles": None, "connections": {}, "invitations": "x", "companies": None},
        {"profiles": [None, {}, {"name": None, "profile_url": None}], "companies": [None, {}]},
        {"experience": None},
        {"experience": [None]},
    ],
)
def test_empty_or_odd_answers_give_no_facts(data):
    for endpoint in (*("search_profiles", "connections", "list_invitations", "profile_info"), "inbox"):
        assert people_from(endpoint, data) == []
    for endpoint in ("search_companies", "search_profiles"):
        assert companies_from(endpoint, data) == []
