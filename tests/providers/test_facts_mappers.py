"""Every provider's fact mappers take any answer, however odd, and give plain facts without raising.
The per-provider tests (test_<provider>_facts.py) pin the exact facts of each fixture."""

import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prospecting.providers import PROVIDERS
from prospecting.providers.facts import CompanyFacts, PersonFacts
from tests.providers import helpers

# The field names the mappers read, so generated answers reach past the first lookup.
KEYS = st.sampled_from(
    (
        *("items", "people", "records", "results", "contacts", "companies", "employees", "profiles"),
        *("connections", "invitations", "succeeded", "person", "data", "hits", "org", "company", "outcome"),
        *("name", "firstName", "lastName", "first_name", "last_name", "fullName", "link", "salesNavLink"),
        *("linkedin", "linkedinUrl", "liProfileUrl", "profile_url", "public_id", "publicIdentifier", "links"),
        *("experience", "currentPositions", "companyInfo", "emails", "phones", "emailAddresses"),
        *("phoneNumbers", "personalPhones", "personalEmails", "mobilePhones", "workEmail", "emailStatus"),
        *("status", "value", "email", "number", "type", "location", "title", "jobTitle", "socialLinks"),
        *("social", "domains", "domain", "fqdn", "companySize", "signals", "signalDate", "alternatives"),
        *("li_id", "sales_nav_id", "lix_id", "id", "personId", "dateEnded", "timePeriod", "organisation"),
    )
) | st.text(max_size=5)
ANSWERS = helpers.json_values(keys=KEYS, max_keys=6, max_leaves=40)


def endpoints(client):
    """The client's public methods, as call_provider names endpoints, plus a name no provider has."""
    names = [name for name, member in inspect.getmembers(client, callable) if not name.startswith("_")]
    return [*names, "no_such_endpoint"]


@pytest.mark.parametrize("slug", sorted(PROVIDERS))
@given(data=ANSWERS, pick=st.randoms(use_true_random=False))
@helpers.FUZZ_SETTINGS
def test_mappers_never_raise_and_give_only_facts(slug, data, pick):
    client = PROVIDERS[slug]
    endpoint = pick.choice(endpoints(client))
    people = client.people_from(endpoint, data)
    companies = client.companies_from(endpoint, data)
    assert isinstance(people, list) and all(isinstance(one, PersonFacts) for one in people)
    assert isinstance(companies, list) and all(isinstance(one, CompanyFacts) for one in companies)
    for person in people:
        assert all(status in ("valid", "probable", "invalid", "unknown") for _, status in person.emails)
        assert all(isinstance(value, str) for value in vars(person).values() if not isinstance(value, tuple))


@pytest.mark.parametrize("slug", sorted(PROVIDERS))
def test_every_provider_registers_both_mappers(slug):
    client = PROVIDERS[slug]
    assert client.people_from("no_such_endpoint", {}) == []
    assert client.companies_from("no_such_endpoint", {}) == []
