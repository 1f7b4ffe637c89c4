"""Quarry's Lusha filters and LeadIQ grouped search against the sandbox, end to end: the look-ups answer
realistically, a filtered Lusha search lists only people the filters fit (and enrichment finds them), and
a grouped LeadIQ page is priced, confirmed, shown by company and kept."""

import re

import pytest
from django.urls import reverse

from prospecting.models import Person, ProviderCall
from prospecting.sandbox import lusha_data as records
from prospecting.sandbox.people import person_for
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.lusha_filters import encoded
from tests.sandbox.conftest import billed, control


@pytest.fixture
def keys(running_sandbox, team_a, alice):
    for provider in ("lusha", "leadiq"):
        key = connect_sandbox_key(team=team_a, actor=alice, provider=provider)
        key.options = {**key.options, "rate_limits": [[1000, 1]]}
        key.save()
        control(running_sandbox, "limits", {"provider": provider, "windows": [[1000, 1]]})
    return running_sandbox


def test_the_lusha_form_and_typeahead_show_the_sandboxs_values(keys, alice_client):
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert 'name="department_choices" value="Sales"' in page and "11–50 employees" in page
    assert "Has a phone" in page and "All of " in page
    found = alice_client.get(
        reverse("search_lusha_typeahead"), {"field": "contact_locations", "contact_location_text": "lond"}
    ).content.decode()
    assert "London, United Kingdom" in found


def test_a_lusha_search_by_location_lists_only_people_there(keys, alice_client, team_a):
    london = next(item for item in records.FILTERS["contacts/locations"] if item["city"] == "London")
    wide = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    narrow = alice_client.get(
        reverse("search_lusha"), {"run": "1", "job_titles": "CTO", "contact_locations": [encoded(london)]}
    ).content.decode()
    total = int(re.search(r"(\d+) results? in all", wide).group(1))
    there = int(re.search(r"(\d+) results? in all", narrow).group(1))
    assert 0 < there < total
    # Enriching the ticked rows reveals people who are in London.
    state = re.search(r'name="state" value="([^"]+)"', narrow).group(1)
    asked = alice_client.post(
        reverse("search_enrich"), {"state": state, "selected": ["0", "1"]}
    ).content.decode()
    assert "Enrich and spend up to" in asked
    alice_client.post(reverse("search_enrich"), {"state": state, "selected": ["0", "1"], "confirm": "1"})
    people = Person.objects.for_team(team_a)
    assert people.exists() and all("London" in person.location for person in people)


def test_the_sandbox_filters_on_seniority_and_data_points():
    people = [person_for(f"seed#{index}") for index in range(60)]
    with_phone = [p for p in people if records.fits(p, {"existing_data_points": ["phone"]})]
    assert with_phone and all(p["phone"] for p in with_phone) and len(with_phone) < len(people)
    founders = [p for p in people if records.fits(p, {"seniority": [10]})]
    assert all(p["title"] == "Founder & CEO" for p in founders)


def test_a_grouped_leadiq_page_on_the_sandbox_is_priced_shown_by_company_and_kept(keys, alice_client, team_a):
    wanted = {"run": "1", "find": "grouped", "titles": "VP of Sales", "people_per_company": "2"}
    asked = alice_client.get(reverse("search_leadiq"), wanted).content.decode()
    assert "Search and spend 2 universal credits" in asked
    page = alice_client.post(reverse("search_leadiq"), wanted | {"confirm": "1"}).content.decode()
    headings = re.findall(r'<tr class="group-heading">', page)
    assert len(headings) >= 3
    call = ProviderCall.objects.get(endpoint="grouped_advanced_search")
    assert billed(keys, "leadiq") == call.credits and 0 < call.credits["uc"] <= 0.1 * 2 * len(headings)
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    kept = alice_client.post(
        reverse("search_keep"), {"state": state, "selected": ["0", "1"]}
    ).content.decode()
    assert "Kept 2 people in your records." in kept
    assert all(person.company_name for person in Person.objects.for_team(team_a))


def test_a_lusha_company_search_by_location_and_size_lists_fewer_companies(keys, alice_client):
    germany = next(i for i in records.FILTERS["companies/locations"] if i["country"] == "Germany")
    band = encoded({"min": 51, "max": 200})
    wanted = {"run": "1", "find": "companies", "company_domains": "", "technologies": ["salesforce"]}
    wide = alice_client.get(reverse("search_lusha"), wanted).content.decode()
    narrow = alice_client.get(
        reverse("search_lusha"), wanted | {"company_locations": [encoded(germany)], "sizes": [band]}
    ).content.decode()
    total = int(re.search(r"(\d+) results? in all", wide).group(1))
    there = int(re.search(r"(\d+) results? in all", narrow).group(1))
    assert there < total
    listed = [records.listed_company("any-search", index) for index in range(200)]
    fits = [
        c
        for c in listed
        if records.company_fits(c, {"locations": [germany], "sizes": [{"min": 51, "max": 200}]})
    ]
    assert fits and all(c["country"] == "Germany" and 51 <= c["employees"] <= 200 for c in fits)
