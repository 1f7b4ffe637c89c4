"""LookC answers (as the client parses them) mapped to plain person and company facts."""

import pytest

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.providers.lookc import LookcClient, companies_from, people_from
from tests.providers import helpers

ALFIE = PersonFacts(
    linkedin_url="alfie-lambert",
    sales_nav_id="https://linkedin.com/sales/ACwAAAXQSFkBI1hIhlJLnr04EL-0FSqe1SIXTEM,NAME,undefined",
    full_name="Alfie Lambert",
    company_name="Lix",
    company_linkedin_url="https://linkedin.com/company/lix",
)
LIX = CompanyFacts(name="Lix", linkedin_url="https://linkedin.com/company/lix")


def parsed(endpoint, name):
    return LookcClient("lookc-key").parse(endpoint, helpers.load_fixture("lookc", name))


def test_the_registry_offers_lookcs_mappers():
    assert PROVIDERS["lookc"].people_from is people_from
    assert PROVIDERS["lookc"].companies_from is companies_from


@pytest.mark.parametrize(
    ("endpoint", "fixture"),
    [("person_by_email", "person_by_email.json"), ("request_status", "request_status_complete.json")],
)
def test_an_email_lookup_gives_the_bare_slug_and_the_org(endpoint, fixture):
    assert people_from(endpoint, parsed(endpoint, fixture)) == [ALFIE]
    assert companies_from(endpoint, parsed(endpoint, fixture)) == [LIX]


def test_a_webhook_delivery_maps_like_the_answer_it_carries():
    payload = helpers.load_fixture("lookc", "webhook.json")
    assert people_from("person_by_email", payload) == [ALFIE]
    parsed_delivery = LookcClient("lookc-key").parse("person_by_email", payload["data"])
    assert people_from("person_by_email", parsed_delivery) == [ALFIE]


def test_a_pending_lookup_gives_no_facts():
    data = parsed("person_by_email", "person_by_email_pending.json")
    assert people_from("person_by_email", data) == [] and companies_from("person_by_email", data) == []


def test_employees_give_profile_sales_nav_title_and_current_org():
    assert people_from("org_employees", parsed("org_employees", "org_employees.json")) == [
        PersonFacts(
            linkedin_url="https://linkedin.com/in/alfie-lambert",
            sales_nav_id="https://linkedin.com/sales/lead/ACwAAAXQSFkBI1hIhlJLnr04EL-0FSqe1SIXTEM",
            full_name="Alfie Lambert",
            title="Founder",
            location="London, United Kingdom",
            company_name="Lix",
        )
    ]
    assert companies_from("org_employees", parsed("org_employees", "org_employees.json")) == []


def test_a_former_employees_old_title_is_not_taken_as_current():
    employee = {"name": "Emma", "title": "Founder", "dateEnded": "2020-01-01", "links": {"linkedin": "emma"}}
    (person,) = people_from("org_employees", {"employees": [employee]})
    assert person.title == ""


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"person": None},
        {"person": {"hits": None, "org": None}},
        {"person": {"hits": [None, {}, {"name": None}], "org": "Lix"}},
        {"employees": None},
        {"employees": [None, {"links": None, "currentOrg": []}]},
    ],
)
def test_empty_or_odd_answers_give_no_facts(data):
    for endpoint in ("person_by_email", "request_status", "org_employees", "check"):
        assert people_from(endpoint, data) == []
        assert companies_from(endpoint, data) == []
