"""Search: one page of a provider search through call_provider, its rows marked with what the team
already knows, the price said (and confirmed) before a paid page, and selected rows kept as records."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prospecting.models import ContactPoint, Identifier, Person, ProviderCall, Suppression
from prospecting.providers.facts import PersonFacts
from prospecting.services.records import keep_people
from prospecting.services.search import (
    Row,
    keep_results,
    lix_kind_for,
    mark_rows,
    run_search,
    search_cost,
    url_page,
    with_page,
)

FIXTURES = Path(__file__).parent / "fixtures"
LIX_SEARCH = "https://api.lix-it.com/v1/li/linkedin/search/people"
PEOPLE_URL = "https://www.linkedin.com/search/results/people/?keywords=founder&page=3"


def fixture(provider, name):
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def test_a_pasted_url_names_its_lix_search_and_page():
    assert lix_kind_for(PEOPLE_URL) == "linkedin_people"
    assert lix_kind_for("linkedin.com/sales/search/people?query=(x)") == "sales_nav_people"
    assert (
        lix_kind_for("https://www.linkedin.com/search/results/companies/?keywords=x") == "linkedin_companies"
    )
    assert lix_kind_for("https://www.linkedin.com/search/results/content/?keywords=x") == "linkedin_posts"
    assert lix_kind_for("https://www.linkedin.com/jobs/search/?keywords=x") == "linkedin_jobs"
    assert lix_kind_for("https://example.com/search/results/people/") == ""
    assert url_page(PEOPLE_URL) == 3 and url_page("https://www.linkedin.com/search/results/people/") == 1
    assert "page=4" in with_page(PEOPLE_URL, 4) and "page=3" not in with_page(PEOPLE_URL, 4)
    assert "page" not in with_page(PEOPLE_URL, 1)


def test_a_lix_search_page_costs_a_credit_said_before_running(key_for, team_a):
    key_for("lix")
    cost = search_cost(team=team_a, provider="lix", kind="linkedin_people", query={"url": PEOPLE_URL}, page=3)
    assert cost == {"standard": 1}
    lusha = key_for("lusha")
    assert (
        lusha
        and search_cost(team=team_a, provider="lusha", kind="contacts", query={"job_titles": "CTO"}, page=1)
        == {}
    )


def test_lix_search_rows_are_marked_and_the_call_logged(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    keep_people(
        team=team_a,
        user=bob,
        facts=[
            PersonFacts(linkedin_url="linkedin.com/in/alfie-lambert/", emails=(("alfie@x.test", "valid"),))
        ],
        source="import",
    )
    Suppression.objects.create(team=team_a, kind="linkedin", value="emmalowery")
    results = run_search(
        team=team_a, user=bob, provider="lix", kind="linkedin_people", query={"url": PEOPLE_URL}, page=3
    )
    sent = mocked.calls[0].request.url
    assert "page%3D3" in sent  # the pasted page is the page asked for
    assert [row.name for row in results.rows] == ["Alfie Lambert", "Emma Cardona"]
    alfie, emma = results.rows
    assert alfie.record_id == Person.objects.get().pk and alfie.emails == [("alfie@x.test", "valid")]
    assert not alfie.suppressed and emma.suppressed and emma.record_id is None
    assert results.sequence_id and results.has_next and results.total == 1000
    call = ProviderCall.objects.get(endpoint="search_people")
    assert results.call_id == call.pk and call.credits == {"standard": 1}


def test_lix_paging_keeps_the_sequence_id(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    first = run_search(
        team=team_a, user=bob, provider="lix", kind="linkedin_people", query={"url": PEOPLE_URL}, page=3
    )
    run_search(
        team=team_a,
        user=bob,
        provider="lix",
        kind="linkedin_people",
        query={"url": PEOPLE_URL},
        page=4,
        sequence_id=first.sequence_id,
    )
    assert f"sequence_id={first.sequence_id}" in mocked.calls[1].request.url
    assert "page%3D4" in mocked.calls[1].request.url


def test_kept_rows_become_records_with_the_search_call_as_provenance(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    results = run_search(
        team=team_a, user=bob, provider="lix", kind="linkedin_people", query={"url": PEOPLE_URL}, page=1
    )
    kept = keep_results(team=team_a, user=bob, results=results, selected=[1])
    assert [person.full_name for person in kept] == ["Emma Cardona"]
    assert Identifier.objects.filter(kind="linkedin", value="emmalowery").exists()
    assert {fact.call_id for fact in kept[0].facts.all()} == {results.call_id}


def _people(team, user, count):
    facts = [
        PersonFacts(
            linkedin_url=f"https://www.linkedin.com/in/someone-{i}",
            full_name=f"Someone {i}",
            emails=((f"someone{i}@corp{i}.test", "valid"),),
            company_domain=f"corp{i}.test",
        )
        for i in range(count)
    ]
    keep_people(team=team, user=user, facts=facts[: count // 2], source="import")
    return [Row(person=item) for item in facts]


@pytest.mark.parametrize("count", [10, 100])
def test_marking_a_page_takes_the_same_queries_for_10_and_100_rows(team_a, bob, count):
    rows = _people(team_a, bob, count)
    with CaptureQueriesContext(connection) as queries:
        mark_rows(team=team_a, rows=rows)
    assert len(queries) == 4
    assert sum(1 for row in rows if row.record_id) == count // 2
    assert ContactPoint.objects.count() == count // 2
