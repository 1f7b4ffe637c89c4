"""Lix answers (as the client parses them) mapped to plain person and company facts."""

import pytest

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.lix import LixClient, companies_from, people_from
from tests.providers import helpers

ALFIE = "https://www.linkedin.com/in/alfie-lambert"
ALFIE_SALES = "https://linkedin.com/sales/lead/ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg,NAME_SEARCH,undefined"


def parsed(endpoint, name):
    """What `Result.data` holds for this fixture: the client's own parse of it."""
    return LixClient("lix-key").parse(endpoint, helpers.load_fixture("lix", name))


def test_the_registry_offers_lixs_mappers():
    assert PROVIDERS["lix"].people_from is people_from
    assert PROVIDERS["lix"].companies_from is companies_from


@pytest.mark.parametrize(
    ("endpoint", "fixture"),
    [
        ("search_people", "search_people.json"),
        ("search_people", "search_people_seed.json"),
        ("search_people", "search_people_response_wrapper.json"),
        ("search_sales_people", "sales_search_people.json"),
        ("search_recruiter_people", "recruiter_search_people.json"),
    ],
)
def test_a_search_page_gives_each_person_with_profile_sales_nav_link_headline_and_location(endpoint, fixture):
    people = people_from(endpoint, parsed(endpoint, fixture))
    assert people[0] == PersonFacts(
        linkedin_url=ALFIE,
        sales_nav_id=ALFIE_SALES,
        full_name="Alfie Lambert",
        title="Co-founder | Product & Growth Lead",
        location="London, England, United Kingdom",
    )
    assert companies_from(endpoint, parsed(endpoint, fixture)) == []


def test_an_enriched_person_takes_title_and_company_from_the_current_role():
    assert people_from("person_by_linkedin", parsed("person_by_linkedin", "person.json")) == [
        PersonFacts(
            linkedin_url=ALFIE,
            sales_nav_id=ALFIE_SALES,
            full_name="Alfie Lambert",
            title="Co-founder & Head of Growth",
            location="London, England, United Kingdom",
            company_name="BizCrunch",
            company_linkedin_url="https://linkedin.com/sales/company/96199986",
        )
    ]


def test_connections_give_the_bare_public_id_and_names():
    people = people_from("connections", parsed("connections", "connections.json"))
    assert people[1] == PersonFacts(
        linkedin_url="emmalowery",
        full_name="Emma Cardona",
        first_name="Emma",
        last_name="Cardona",
        title="Associate Director",
    )


def test_job_hirers_are_people():
    people = people_from("job_hirers", parsed("job_hirers", "job_hirers.json"))
    assert [person.linkedin_url for person in people] == [
        "https://www.linkedin.com/in/emmalowery",
        "https://www.linkedin.com/in/philistersidigu",
    ]
    assert people[0].title == "Associate Director, People & Operations"


@pytest.mark.parametrize("fixture", ["person_ids.json", "person_ids_object.json"])
def test_person_ids_give_every_identifier(fixture):
    (person,) = people_from("person_ids", parsed("person_ids", fixture))
    assert person.linkedin_url in ("alfie-lambert", ALFIE)
    assert person.sales_nav_id.startswith("ACoAAAXQSFkBYBAvJOtLzKQz7X0qXjByqI9m7Tg")
    assert person.lix_id == "cGVyc29uOjk3MDgyNQ=="


def test_a_probable_email_and_its_alternatives_keep_lixs_confidence():
    assert people_from("email_by_linkedin", parsed("email_by_linkedin", "email_probable.json")) == [
        PersonFacts(
            emails=(
                ("alfie@lix-it.com", "probable"),
                ("a.lambert@lix-it.com", "unknown"),
                ("alfie.lambert@lix-it.com", "unknown"),
            )
        )
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [("VALID", "valid"), ("valid", "valid"), ("Probable", "probable"), ("", "unknown")],
)
def test_email_statuses_map_from_lixs_words(status, expected):
    data = {"email": "alfie@lix-it.com", "status": status, "alternatives": []}
    assert people_from("email_by_linkedin", data)[0].emails == (("alfie@lix-it.com", expected),)


def test_masked_emails_are_not_kept():
    assert people_from("email_by_linkedin", parsed("email_by_linkedin", "email.json")) == []


def test_post_authors_without_a_profile_are_not_people():
    assert people_from("search_posts", parsed("search_posts", "search_posts.json")) == []
    post = {"author": {"name": "Alfie Lambert", "link": ALFIE}}
    assert people_from("enrich_post", post) == [PersonFacts(linkedin_url=ALFIE, full_name="Alfie Lambert")]


@pytest.mark.parametrize("fixture", ["search_orgs.json", "search_orgs_seed.json"])
def test_an_org_search_gives_companies(fixture):
    assert companies_from("search_orgs", parsed("search_orgs", fixture)) == [
        CompanyFacts(
            name="Lix", linkedin_url="https://www.linkedin.com/company/lix", industry="Computer Software"
        )
    ]


def test_an_organisation_gives_domain_size_industry_and_headquarters():
    assert companies_from(
        "organisation_by_linkedin", parsed("organisation_by_linkedin", "organisation.json")
    ) == [
        CompanyFacts(
            name="LinkedIn",
            domain="https://careers.linkedin.com",
            linkedin_url="https://www.linkedin.com/company/linkedin",
            industry="Computer Software",
            size="10001+",
            location="Sunnyvale, US",
        )
    ]


def test_organisation_ids_give_the_linkedin_id_and_page():
    assert companies_from("organisation_ids", parsed("organisation_ids", "organisation_ids.json")) == [
        CompanyFacts(name="Lix", linkedin_url="https://www.linkedin.com/company/lix", linkedin_id="59688920")
    ]


def test_job_postings_name_their_company():
    data = parsed("search_jobs", "search_jobs.json")
    assert companies_from("search_jobs", data) == [CompanyFacts(name="Lix")]
    assert people_from("search_jobs", data) == []


@pytest.mark.parametrize(
    "item",
    [
        {},
        {"name": None, "link": None},
        {"name": 42, "experience": None},
        {"name": "A", "experience": [None, "x", {"organisation": None, "timePeriod": None}]},
        {"name": "A", "experience": {"title": "not a list"}},
    ],
)
def test_odd_people_never_raise(item):
    for endpoint in ("search_people", "connections"):
        people = people_from(endpoint, {"items": [item, None, "text"]})
        assert all(isinstance(person, PersonFacts) for person in people)
    assert len(people_from("person_by_linkedin", item)) <= 1


@pytest.mark.parametrize("data", [None, {}, [], "text", {"items": None}, {"items": {}}, {"people": "x"}])
def test_empty_or_odd_answers_give_no_facts(data):
    for endpoint in ("search_people", "job_hirers", "person_ids", "email_by_linkedin", "balances"):
        assert people_from(endpoint, data) == []
    for endpoint in ("search_orgs", "organisation_by_linkedin", "organisation_ids", "search_jobs"):
        assert companies_from(endpoint, data) == []
