"""LeadIQ's grouped search (people grouped by company) and the price of each selection: said on the form,
confirmed before a page runs, the page shown by company, people kept with their company, paging, marks in
a constant number of queries, and a saved grouped search run again."""

import json
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospecting.models import Person, ProviderCall, SavedSearch
from prospecting.providers.facts import PersonFacts
from prospecting.services.records import keep_people
from prospecting.services.search import search_cost

FIXTURES = Path(__file__).parent / "fixtures"
LEADIQ_URL = "https://api.leadiq.com/graphql"
GROUPED = {"run": "1", "find": "grouped", "titles": "VP of Sales"}


def fixture(name):
    return json.loads((FIXTURES / "leadiq" / f"{name}.json").read_text())


def _answer(companies, people_each, total=None):
    """A groupedAdvancedSearch answer of `companies` companies with `people_each` people each."""
    groups = [
        {
            "totalContactsInCompany": 12,
            "company": {
                "id": f"c{c:023d}",
                "name": f"Corp {c}",
                "domain": f"corp{c}.test",
                "employeeCount": 50,
            },
            "people": [
                {
                    "id": f"{c:012d}{p:012d}",
                    "name": f"Person {c}-{p}",
                    "title": "VP of Sales",
                    "linkedinUrl": f"https://www.linkedin.com/in/person-{c}-{p}",
                }
                for p in range(people_each)
            ],
        }
        for c in range(companies)
    ]
    total = companies if total is None else total
    return {"data": {"groupedAdvancedSearch": {"totalCompanies": total, "companies": groups}}}


def _variables(mocked, index=0):
    return json.loads(mocked.calls[index].request.body)["variables"]["input"]


def test_the_form_says_what_each_selection_costs_a_page(alice_client):
    page = alice_client.get(reverse("search_leadiq")).content.decode()
    assert "People grouped by company" in page and 'name="people_per_company"' in page
    assert (
        "A people page (25 people): up to 2.5 universal credits, or 77.5 universal credits with company data."
        in page
    )
    assert (
        "A grouped page (10 companies, 3 people each): up to 3 universal credits, or 33 universal credits"
        in page
    )
    assert "Search · up to 2.5 universal credits a page (3 universal credits grouped)" in page


def test_a_grouped_page_says_its_price_for_the_selection_and_sends_nothing_first(
    mocked, key_for, alice_client
):
    key_for("leadiq")
    asked = alice_client.get(reverse("search_leadiq"), GROUPED).content.decode()
    assert "Run this LeadIQ people search, grouped by company?" in asked
    assert "Search and spend 3 universal credits" in asked and not mocked.calls
    richer = alice_client.get(
        reverse("search_leadiq"), GROUPED | {"take": "company", "people_per_company": "5"}
    ).content.decode()
    # 10 companies x 5 people x 0.1 for the profiles, and 10 x 3 for the companies' data
    assert "Search and spend 35 universal credits" in richer and not mocked.calls


def test_a_richer_flat_selection_says_its_price_first(mocked, key_for, alice_client):
    key_for("leadiq")
    asked = alice_client.get(
        reverse("search_leadiq"), {"run": "1", "titles": "CTO", "take": "company"}
    ).content.decode()
    assert "Search and spend 77.5 universal credits" in asked and not mocked.calls
    mocked.post(LEADIQ_URL, json=fixture("flat_advanced_search"))
    alice_client.post(
        reverse("search_leadiq"), {"run": "1", "titles": "CTO", "take": "company", "confirm": "1"}
    )
    query = json.loads(mocked.calls[0].request.body)["query"]
    assert "employeeCount" in query  # the company data that was priced


def test_a_confirmed_grouped_page_shows_people_under_their_company(mocked, key_for, alice_client, team_a):
    key_for("leadiq", prices={"profile": 0.1, "company": 3, "email": 1, "phone": 10})
    mocked.post(LEADIQ_URL, json=fixture("grouped_advanced_search"))
    page = alice_client.post(reverse("search_leadiq"), GROUPED | {"confirm": "1"}).content.decode()
    sent = _variables(mocked)
    assert sent == {
        "contactFilter": {"titles": ["VP of Sales"]},
        "limit": 10,
        "skip": 0,
        "limitPerCompany": 3,
    }
    assert "groupedAdvancedSearch" in json.loads(mocked.calls[0].request.body)["query"]
    heading = re.search(r'<tr class="group-heading">(.*?)</tr>', page, re.S).group(1)
    assert "Acme Inc" in heading and "acme.com" in heading and "LeadIQ has 12 people here" in heading
    assert page.index("Acme Inc") < page.index("Jane Doe")
    assert 'name="selected" value="0"' in page and "1 company in all" in page
    assert "this page cost 0.1 universal credits" in page
    assert ProviderCall.objects.get(endpoint="grouped_advanced_search").credits == {"uc": 0.1}


def test_kept_people_of_a_grouped_page_keep_their_company(mocked, key_for, alice_client, team_a):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=fixture("grouped_advanced_search"))
    page = alice_client.post(reverse("search_leadiq"), GROUPED | {"confirm": "1"}).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Kept 1 person in your records." in kept
    person = Person.objects.for_team(team_a).get()
    assert person.full_name == "Jane Doe" and person.company_name == "Acme Inc"
    assert person.company is not None and person.company.domain == "acme.com"
    # The page shown again keeps its grouping and marks Jane as kept.
    assert '<tr class="group-heading">' in kept and "In your records" in kept


def test_grouped_pages_are_paged_by_company_and_each_asks_first(mocked, key_for, alice_client):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=_answer(10, 2, total=25))
    page = alice_client.post(reverse("search_leadiq"), GROUPED | {"confirm": "1"}).content.decode()
    assert "25 companies in all" in page
    next_url = re.search(r'href="([^"]+)">Next page \(3 universal credits, asks first\)', page).group(1)
    asked = alice_client.get(next_url.replace("&amp;", "&")).content.decode()
    assert "page 2 costs up to" in asked and len(mocked.calls) == 1
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked))
    assert hidden["find"] == "grouped" and hidden["page"] == "2"
    alice_client.post(reverse("search_leadiq"), hidden)
    assert _variables(mocked, 1)["skip"] == 10 and _variables(mocked, 1)["limitPerCompany"] == 3


def _grouped_page_queries(mocked, client, team, user, companies):
    answer = _answer(companies, 5)
    people = [
        PersonFacts(linkedin_url=one["linkedinUrl"], full_name=one["name"])
        for group in answer["data"]["groupedAdvancedSearch"]["companies"]
        for one in group["people"]
    ]
    keep_people(team=team, user=user, facts=people[::2], source="import")
    mocked.replace("POST", LEADIQ_URL, json=answer)
    ran = client.post(reverse("search_leadiq"), GROUPED | {"confirm": "1", "people_per_company": "5"})
    state = re.search(r'name="state" value="([^"]+)"', ran.content.decode()).group(1)
    # Measured on the page shown again from its state: the search itself also counts rate-limit rows.
    with CaptureQueriesContext(connection) as queries:
        page = client.post(reverse("search_keep"), {"state": state, "back": "1"})
    return page.content.decode(), len(queries)


def test_marks_of_a_grouped_page_take_the_same_queries_for_10_and_50_people(
    mocked, key_for, alice_client, team_a, bob
):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=_answer(1, 1))
    alice_client.get(reverse("search_leadiq"))  # the session's first request does its own bookkeeping
    small, small_queries = _grouped_page_queries(mocked, alice_client, team_a, bob, 2)
    Person.objects.all().delete()
    large, large_queries = _grouped_page_queries(mocked, alice_client, team_a, bob, 10)
    assert small.count("In your records") == 5 and large.count("In your records") == 25
    assert small.count('class="group-heading"') == 2 and large.count('class="group-heading"') == 10
    assert small_queries == large_queries


def test_a_saved_grouped_search_runs_again_asking_first(mocked, key_for, alice_client, team_a):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=fixture("grouped_advanced_search"))
    wanted = GROUPED | {"people_per_company": "4", "take": "company"}
    page = alice_client.post(reverse("search_leadiq"), wanted | {"confirm": "1"}).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    alice_client.post(reverse("saved_search_create"), {"state": state, "name": "VPs by company"})
    saved = SavedSearch.objects.get(team=team_a, name="VPs by company")
    assert (saved.kind, saved.query["people_per_company"], saved.query["take"]) == ("grouped", 4, "company")
    asked = alice_client.get(reverse("saved_search_run", args=[saved.pk]), follow=True).content.decode()
    assert "Search and spend 34 universal credits" in asked and len(mocked.calls) == 1
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked)
    alice_client.post(reverse("search_leadiq"), dict(hidden))
    assert _variables(mocked, 1) == _variables(mocked, 0)
    saved.refresh_from_db()
    assert saved.last_result_count == 1 and saved.last_run_at is not None


def test_the_price_of_a_grouped_page_counts_people_per_company(key_for, team_a):
    key_for("leadiq")
    cost = search_cost(
        team=team_a,
        provider="leadiq",
        kind="grouped",
        query={"titles": "CTO", "people_per_company": 10},
        page=1,
    )
    assert cost == {"uc": 10.0}
