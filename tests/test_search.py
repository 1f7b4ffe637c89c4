"""Search: one page of a provider search through call_provider, its rows marked with what the team
already knows, the price said (and confirmed) before a paid page, and selected rows kept as records."""

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospecting.models import (
    Company,
    ContactPoint,
    Identifier,
    Person,
    ProspectList,
    ProviderCall,
    Suppression,
)
from prospecting.providers.facts import CompanyFacts, PersonFacts
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.lists import create_list
from prospecting.services.records import keep_people
from prospecting.services.search import (
    Row,
    job_id_in,
    keep_results,
    lix_kind_for,
    mark_rows,
    run_search,
    search_cost,
    search_params,
    url_page,
    with_page,
)
from tests.sandbox.conftest import sandbox_urls

FIXTURES = Path(__file__).parent / "fixtures"
LIX_SEARCH = "https://api.lix-it.com/v1/li/linkedin/search/people"
LUSHA_SEARCH = "https://api.lusha.com/prospecting/contact/search"
LUSHA_FILTERS = "https://api.lusha.com/prospecting/filters/contacts"
LEADIQ_URL = "https://api.leadiq.com/graphql"
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
    # identifiers, contact points, list entries, and the three of the one suppression rule
    assert len(queries) == 6
    assert sum(1 for row in rows if row.record_id) == count // 2
    assert ContactPoint.objects.count() == count // 2


def test_a_company_entry_for_an_email_domain_marks_a_search_row_suppressed(team_a):
    Suppression.objects.create(team=team_a, kind="company", value="corp.test")
    rows = [
        Row(
            person=PersonFacts(
                linkedin_url="https://www.linkedin.com/in/ann", emails=(("ann@corp.test", ""),)
            )
        ),
        Row(
            person=PersonFacts(linkedin_url="https://www.linkedin.com/in/bo", company_domain="www.corp.test")
        ),
        Row(person=PersonFacts(linkedin_url="https://www.linkedin.com/in/cy", company_domain="other.test")),
    ]
    mark_rows(team=team_a, rows=rows)
    assert [row.suppressed for row in rows] == [True, True, False]


def test_a_company_row_is_marked_suppressed_by_its_domain_or_linkedin_id(team_a):
    Suppression.objects.create(team=team_a, kind="company", value="corp.test")
    Suppression.objects.create(team=team_a, kind="domain", value="acme.test")
    rows = [
        Row(company=CompanyFacts(name="Corp", domain="corp.test")),
        Row(company=CompanyFacts(name="Acme", domain="https://acme.test/")),
        Row(company=CompanyFacts(name="Other", domain="other.test")),
    ]
    mark_rows(team=team_a, rows=rows)
    assert [row.suppressed for row in rows] == [True, True, False]


def test_a_kept_person_whose_record_is_suppressed_is_marked_in_a_search(team_a, bob):
    # The search row names no email; the team bought one earlier, and its domain is on the list.
    keep_people(
        team=team_a,
        user=bob,
        facts=[
            PersonFacts(linkedin_url="https://www.linkedin.com/in/dee", emails=(("dee@corp.test", "valid"),))
        ],
        source="import",
    )
    Suppression.objects.create(team=team_a, kind="company", value="corp.test")
    rows = [Row(person=PersonFacts(linkedin_url="https://linkedin.com/in/dee/"))]
    mark_rows(team=team_a, rows=rows)
    assert rows[0].suppressed


# --- The pages ---------------------------------------------------------------------------------------------


def test_search_is_in_the_navigation(alice_client):
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert f'href="{reverse("search")}"' in page


def test_a_paid_lix_search_asks_first_and_sends_nothing_until_confirmed(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    asked = alice_client.get(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL})
    page = asked.content.decode()
    assert "Search and spend 1 standard credit" in page and "Nothing has been sent yet" in page
    assert len(mocked.calls) == 0 and not ProviderCall.objects.exists()
    # A POST without the confirmation asks again, and sends nothing either.
    alice_client.post(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL})
    assert len(mocked.calls) == 0
    done = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "page": "3", "confirm": "1"}
    )
    page = done.content.decode()
    assert len(mocked.calls) == 1 and "Alfie Lambert" in page and "Emma Cardona" in page
    assert 'name="selected" value="1"' in page and "Keep selected" in page
    assert "Next page (1 standard credit, asks first)" in page and "this page cost 1 standard credit" in page


def test_lix_next_page_link_keeps_the_sequence_id_and_asks_again(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    done = alice_client.post(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"})
    sequence_id = parse_qs(urlsplit(mocked.calls[0].request.url).query)["sequence_id"][0]
    next_url = re.search(r'href="([^"]+)">Next page', done.content.decode()).group(1).replace("&amp;", "&")
    assert f"sequence_id={sequence_id}" in next_url and "page=4" in next_url
    asked = alice_client.get(next_url)
    assert "Search and spend 1 standard credit" in asked.content.decode() and len(mocked.calls) == 1
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', asked.content.decode()))
    alice_client.post(reverse("search_lix"), fields)
    sent = parse_qs(urlsplit(mocked.calls[1].request.url).query)
    assert sent["sequence_id"] == [sequence_id] and "page=4" in sent["url"][0]


def test_a_url_that_is_not_a_search_is_refused_in_words_without_a_call(mocked, key_for, alice_client):
    key_for("lix")
    page = alice_client.get(
        reverse("search_lix"), {"run": "1", "url": "https://www.linkedin.com/in/alfie"}
    ).content.decode()
    assert "This is not a search Lix can run" in page and len(mocked.calls) == 0


def test_no_key_says_who_can_add_one(alice_client, team_a):
    page = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    assert "has no lusha key yet" in page and "A team admin can add or fix the Lusha key" in page


def test_a_provider_refusal_is_said_in_words_with_what_to_do(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "error_params_invalid"), status=400)
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    assert "The search did not run" in page and "Lix refused the request" in page
    assert "Check the search (the URL or the filters) and try again." in page


def test_a_rate_limited_search_says_when_to_try_again(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(
        LUSHA_SEARCH, json={"message": "Too many requests"}, status=429, headers={"Retry-After": "30"}
    )
    page = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    assert "Lusha asked Quarry to slow down" in page and "try again in 30 seconds" in page


def test_lusha_contact_search_is_free_runs_at_once_and_sends_the_filters(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    page = alice_client.get(
        reverse("search_lusha"),
        {"run": "1", "job_titles": "CTO, VP Engineering", "company_domains": "lusha.com"},
    ).content.decode()
    body = json.loads(mocked.calls[0].request.body)
    assert body["filters"]["contacts"]["include"]["jobTitles"] == ["CTO", "VP Engineering"]
    assert body["filters"]["companies"]["include"]["domains"] == ["lusha.com"]
    assert body["pages"] == {"page": 0, "size": 25}
    assert "Chris Karageorge" in page and "Search and spend" not in page


LUSHA_COMPANY_SEARCH = "https://api.lusha.com/prospecting/company/search"


def test_lusha_company_search_is_free_sends_only_company_filters_and_keeps_companies(
    mocked, key_for, alice_client, team_a
):
    key_for("lusha")
    mocked.post(LUSHA_COMPANY_SEARCH, json=fixture("lusha", "company_search"))
    page = alice_client.get(
        reverse("search_lusha"),
        {
            "run": "1",
            "find": "companies",
            "job_titles": "CTO",
            "company_names": "Amazon",
            "countries": "France",
        },
    ).content.decode()
    body = json.loads(mocked.calls[0].request.body)
    assert body["filters"] == {
        "companies": {"include": {"names": ["Amazon"], "locations": [{"country": "France"}]}}
    }
    assert "Lusha company search" in page and "this page was free" in page and "Search and spend" not in page
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Kept 1 company in your records." in kept
    assert list(Company.objects.for_team(team_a).values_list("domain", flat=True)) == ["amazon.com"]


def test_a_lusha_company_search_without_company_filters_is_refused_in_words(mocked, key_for, alice_client):
    key_for("lusha")
    page = alice_client.get(
        reverse("search_lusha"), {"run": "1", "find": "companies", "job_titles": "CTO"}
    ).content.decode()
    assert "a company search uses those" in page
    assert not [call for call in mocked.calls if "/search" in call.request.url]


def test_an_empty_lusha_company_search_says_so(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(LUSHA_COMPANY_SEARCH, json={"requestId": "r", "totalResults": 0, "companies": []})
    page = alice_client.get(
        reverse("search_lusha"), {"run": "1", "find": "companies", "company_domains": "nothing.test"}
    ).content.decode()
    assert "No results on this page" in page and "Widen the search" in page


LUSHA_ENRICH = "https://api.lusha.com/prospecting/contact/enrich"


def _lusha_results(mocked, key_for, client, **key_options):
    key_for("lusha", **key_options)
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    page = client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    assert "Enrich selected" in page
    return re.search(r'name="state" value="([^"]+)"', page).group(1)


def test_enrich_selected_shows_the_price_from_the_keys_price_table_and_sends_nothing(
    mocked, key_for, alice_client
):
    state = _lusha_results(mocked, key_for, alice_client, prices={"email": 2, "phone": 10})
    page = alice_client.post(reverse("search_enrich"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Enrich 1 contact?" in page and "Nothing has been sent yet" in page
    assert "Enrich and spend up to 12 credits" in page  # 2 for the email + 10 for the phone
    assert len(mocked.calls) == 1 and not ProviderCall.objects.filter(endpoint="enrich_contacts").exists()


def test_enrich_confirmed_keeps_the_revealed_people_with_the_call_as_provenance(
    mocked, key_for, alice_client, team_a
):
    state = _lusha_results(mocked, key_for, alice_client)
    mocked.post(LUSHA_ENRICH, json=fixture("lusha", "contact_enrich"))
    page = alice_client.post(
        reverse("search_enrich"), {"state": state, "selected": ["0"], "confirm": "1"}
    ).content.decode()
    body = json.loads(mocked.calls[-1].request.body)
    assert body["requestId"] == "b6effae6-35b8-493d-91aa-7d3b1b7c7dc7"
    assert body["contactIds"] == ["37b4c536-eaec-11ef-ad4b-a75f8e9e1484"]
    assert "Enriched and kept 1 person." in page
    person = Person.objects.for_team(team_a).get()
    assert person.full_name == "Carolina Portela"
    point = ContactPoint.objects.get(person=person, value="carolina@lusha.com")
    assert point.call == ProviderCall.objects.get(endpoint="enrich_contacts")


def test_enrich_refuses_suppressed_contacts_and_sends_nothing(mocked, key_for, alice_client, team_a):
    state = _lusha_results(mocked, key_for, alice_client)
    Suppression.objects.create(team=team_a, kind="company", value="lusha.com")
    for confirm in ({}, {"confirm": "1"}):
        page = alice_client.post(
            reverse("search_enrich"), {"state": state, "selected": ["0"], **confirm}
        ).content.decode()
        assert "on the do-not-contact list, and suppressed people are never enriched" in page
    assert len(mocked.calls) == 1 and not Person.objects.exists()


def test_a_rate_limited_enrichment_says_so_in_words(mocked, key_for, alice_client):
    state = _lusha_results(mocked, key_for, alice_client)
    mocked.post(
        LUSHA_ENRICH, json={"message": "Too many requests"}, status=429, headers={"Retry-After": "30"}
    )
    page = alice_client.post(
        reverse("search_enrich"), {"state": state, "selected": ["0"], "confirm": "1"}
    ).content.decode()
    assert "Nothing was enriched" in page and "try again in 30 seconds" in page
    assert not Person.objects.exists()


def test_only_lusha_contact_results_can_be_enriched(mocked, key_for, alice_client):
    _, state = _lix_results_state(mocked, key_for, alice_client)
    response = alice_client.post(
        reverse("search_enrich"), {"state": state, "selected": ["0"], "confirm": "1"}
    )
    assert response.status_code == 404 and len(mocked.calls) == 1


def test_an_empty_search_says_so_and_what_to_do(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(LUSHA_SEARCH, json={"requestId": "r", "totalResults": 0, "contacts": []})
    page = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "Nobody"}).content.decode()
    assert "No results on this page" in page and "Widen the search" in page


def test_leadiq_people_search_says_its_price_then_runs(mocked, key_for, alice_client):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=fixture("leadiq", "flat_advanced_search"))
    asked = alice_client.get(
        reverse("search_leadiq"),
        {"run": "1", "titles": "VP of Sales", "seniorities": ["VP"]},
    ).content.decode()
    assert "Search and spend 2.5 universal credits" in asked and len(mocked.calls) == 0
    page = alice_client.post(
        reverse("search_leadiq"),
        {"run": "1", "titles": "VP of Sales", "seniorities": ["VP"], "confirm": "1"},
    ).content.decode()
    variables = json.loads(mocked.calls[0].request.body)["variables"]["input"]
    assert variables["contactFilter"] == {"titles": ["VP of Sales"], "seniorities": ["VP"]}
    assert "Jane Doe" in page and "John Roe" in page


LEADIQ_COMPANY = {"run": "1", "find": "company", "company": "https://www.acme.com/about"}


def test_leadiq_company_search_says_its_price_then_runs_by_domain(mocked, key_for, alice_client, team_a):
    key_for("leadiq")
    mocked.post(LEADIQ_URL, json=fixture("leadiq", "search_company"))
    asked = alice_client.get(reverse("search_leadiq"), LEADIQ_COMPANY).content.decode()
    assert "Run this LeadIQ company search?" in asked and len(mocked.calls) == 0
    price = re.search(r"Search and spend ([^<]+)</button>", asked).group(1)
    page = alice_client.post(reverse("search_leadiq"), {**LEADIQ_COMPANY, "confirm": "1"}).content.decode()
    request = json.loads(mocked.calls[0].request.body)
    assert request["variables"]["input"] == {"domain": "acme.com"}
    assert "domain industry" in request["query"]  # the company data the price pays for
    assert "Acme Inc" in page and "LeadIQ company search" in page
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]})
    assert list(Company.objects.for_team(team_a).values_list("name", flat=True)) == ["Acme Inc"]
    assert f"a company search, with the company data that lets Quarry match it, up to {price}" in (
        alice_client.get(reverse("search_leadiq")).content.decode()
    )


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        (
            "https://www.linkedin.com/company/acme-inc/",
            {"linkedin_url": "https://www.linkedin.com/company/acme-inc/"},
        ),
        ("acme.com", {"domain": "acme.com"}),
        ("Acme Inc", {"name": "Acme Inc"}),
    ],
)
def test_leadiq_company_search_takes_a_linkedin_page_a_domain_or_a_name(typed, sent):
    assert search_params(provider="leadiq", kind="company", query={"company": typed}, page=1) == {
        "fields": ["company"],
        **sent,
    }


def test_leadiq_company_search_without_a_company_is_refused_in_words(mocked, key_for, alice_client):
    key_for("leadiq")
    page = alice_client.get(reverse("search_leadiq"), {"run": "1", "find": "company"}).content.decode()
    assert "Give the company&#x27;s domain, name or LinkedIn URL" in page and not mocked.calls


def test_an_empty_leadiq_company_search_says_so(mocked, key_for, alice_client):
    key_for("leadiq")
    mocked.post(
        LEADIQ_URL, json={"data": {"searchCompany": {"totalResults": 0, "hasMore": False, "results": []}}}
    )
    page = alice_client.post(reverse("search_leadiq"), {**LEADIQ_COMPANY, "confirm": "1"}).content.decode()
    assert "No results on this page" in page and "Widen the search" in page


LIX_HIRERS = "https://api.lix-it.com/v1/li/linkedin/jobs/hirers"
JOB_URL = "https://www.linkedin.com/jobs/view/senior-engineer-at-acme-4012345678/?trk=public"


@pytest.mark.parametrize(
    ("text", "job_id"),
    [
        (JOB_URL, "4012345678"),
        ("linkedin.com/jobs/view/4012345678", "4012345678"),
        ("4012345678", "4012345678"),
        ("https://www.linkedin.com/jobs/search/?keywords=python", ""),
        ("https://example.com/jobs/view/4012345678", ""),
    ],
)
def test_a_job_postings_url_or_id_names_its_hirers_search(text, job_id):
    assert job_id_in(text) == job_id
    assert (lix_kind_for(text) == "job_hirers") == bool(job_id)


def test_lix_job_hirers_says_its_price_then_runs_once_without_pages(mocked, key_for, alice_client, team_a):
    key_for("lix")
    mocked.get(LIX_HIRERS, json=fixture("lix", "job_hirers"))
    asked = alice_client.get(reverse("search_lix"), {"run": "1", "url": JOB_URL}).content.decode()
    assert "Run this Hirers of a LinkedIn job posting?" in asked
    assert "Search and spend 1 standard credit" in asked and not mocked.calls
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": JOB_URL, "confirm": "1"}
    ).content.decode()
    assert parse_qs(urlsplit(mocked.calls[0].request.url).query)["job_id"] == ["4012345678"]
    assert "Emma Cardona" in page and "Next page" not in page
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]})
    assert list(Person.objects.for_team(team_a).values_list("full_name", flat=True)) == ["Emma Cardona"]


def test_a_job_with_no_hirers_says_so(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(LIX_HIRERS, json={"people": []})
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": JOB_URL, "confirm": "1"}
    ).content.decode()
    assert "No results on this page" in page and "Lix found no hirers for this job posting" in page
    assert "Next page" not in page


LIX_CONNECTIONS = "https://api.lix-it.com/v1/connections"


def test_lix_connections_of_the_keys_seat_say_their_price_then_run(mocked, key_for, alice_client):
    key_for("lix", viewer_id="ACoAAB123")
    mocked.get(LIX_CONNECTIONS, json=fixture("lix", "connections"))
    asked = alice_client.get(reverse("search_lix"), {"run": "1", "find": "connections"}).content.decode()
    assert "Search and spend 1 standard credit" in asked and not mocked.calls
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "find": "connections", "confirm": "1"}
    ).content.decode()
    sent = parse_qs(urlsplit(mocked.calls[0].request.url).query)
    assert sent["viewer_id"] == ["ACoAAB123"] and sent["start"] == ["0"] and sent["count"] == ["100"]
    assert "Alfie Lambert" in page and "Emma Cardona" in page and "Next page" not in page


def test_lix_connections_without_a_viewer_id_say_who_can_set_it_and_send_nothing(
    mocked, key_for, alice_client
):
    key_for("lix")
    page = alice_client.get(reverse("search_lix"), {"run": "1", "find": "connections"}).content.decode()
    assert "the Lix key has no viewer_id" in page and "set the viewer_id" in page
    assert not mocked.calls and not ProviderCall.objects.exists()


def test_keep_selected_keeps_only_the_ticked_rows_and_marks_them(mocked, key_for, alice_client, team_a):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Kept 1 person in your records." in kept
    assert list(Person.objects.for_team(team_a).values_list("full_name", flat=True)) == ["Alfie Lambert"]
    assert kept.count("In your records") == 1 and len(mocked.calls) == 1  # no second provider call


def _lix_results_state(mocked, key_for, client):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    page = client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    return page, re.search(r'name="state" value="([^"]+)"', page).group(1)


def test_keep_selected_into_a_new_list_creates_it_with_the_kept_people(
    mocked, key_for, alice_client, team_a, alice
):
    page, state = _lix_results_state(mocked, key_for, alice_client)
    assert 'value="new"' in page
    kept = alice_client.post(
        reverse("search_keep"),
        {"state": state, "selected": ["0", "1"], "to_list": "new", "new_list_name": " Founders "},
    ).content.decode()
    founders = ProspectList.objects.get(team=team_a)
    assert founders.name == "Founders" and founders.created_by == alice
    assert set(founders.entries.values_list("person__full_name", flat=True)) == set(
        Person.objects.for_team(team_a).values_list("full_name", flat=True)
    )
    assert founders.entries.count() == 2
    assert "Kept 2 people in your records and added 2 to the list “Founders”." in kept
    assert kept.count("In Founders") == 2


def test_keep_selected_into_an_existing_list_adds_only_the_ones_not_in_it(
    mocked, key_for, alice_client, team_a, alice
):
    page, state = _lix_results_state(mocked, key_for, alice_client)
    existing = create_list(team=team_a, user=alice, name="Hot")
    alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"], "to_list": existing.pk})
    kept = alice_client.post(
        reverse("search_keep"), {"state": state, "selected": ["0", "1"], "to_list": existing.pk}
    ).content.decode()
    assert existing.entries.count() == 2
    assert "added 1 to the list “Hot” (1 was in it already)." in kept
    assert ProspectList.objects.count() == 1


def test_keep_selected_into_a_new_list_without_a_name_keeps_nothing(mocked, key_for, alice_client, team_a):
    page, state = _lix_results_state(mocked, key_for, alice_client)
    kept = alice_client.post(
        reverse("search_keep"), {"state": state, "selected": ["0"], "to_list": "new", "new_list_name": " "}
    ).content.decode()
    assert "name the new list" in kept
    assert not Person.objects.for_team(team_a).exists() and not ProspectList.objects.exists()


def test_keep_selected_refuses_another_teams_list(mocked, key_for, alice_client, team_a, team_b, carol):
    page, state = _lix_results_state(mocked, key_for, alice_client)
    theirs = create_list(team=team_b, user=carol, name="Theirs")
    response = alice_client.post(
        reverse("search_keep"), {"state": state, "selected": ["0"], "to_list": theirs.pk}
    )
    assert response.status_code == 404
    assert not theirs.entries.exists() and not Person.objects.for_team(team_a).exists()


def test_kept_results_of_another_team_are_refused(mocked, key_for, alice_client, carol_client, team_b):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=fixture("lix", "search_people"))
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    assert carol_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]}).status_code == 404
    assert (
        alice_client.post(reverse("search_keep"), {"state": state + "x", "selected": ["0"]}).status_code
        == 404
    )
    assert not Person.objects.for_team(team_b).exists()


def test_every_search_runs_against_the_sandbox_and_its_rows_can_be_kept(
    sandbox, settings, team_a, alice, alice_client
):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    for provider in ("lix", "lusha", "leadiq"):
        connect_sandbox_key(team=team_a, actor=alice, provider=provider)
    lix = alice_client.post(reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"})
    lusha = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"})
    leadiq = alice_client.post(reverse("search_leadiq"), {"run": "1", "titles": "VP", "confirm": "1"})
    for response in (lix, leadiq):
        page = response.content.decode()
        assert 'name="selected" value="0"' in page, page[page.find("<main") :][:1500]
    # Lusha's prospects carry no identifier before they are revealed: listed, kept by enriching them.
    assert lusha.content.decode().count("Enrich to keep: Lusha shows names only until") > 0
    state = re.search(r'name="state" value="([^"]+)"', lix.content.decode()).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0", "1"]})
    assert "Kept 2 people in your records." in kept.content.decode()
    assert Person.objects.for_team(team_a).filter(is_sandbox=True).count() == 2


def _results_page_queries(client, team, rows):
    state = {
        "team": team.pk,
        "provider": "lix",
        "kind": "linkedin_people",
        "query": {"url": PEOPLE_URL},
        "page": 1,
        "rows": [dataclasses.asdict(row.person) for row in rows],
    }
    signed = signing.dumps(state, salt="prospecting.search.results", compress=True)
    with CaptureQueriesContext(connection) as queries:
        page = client.post(reverse("search_keep"), {"state": signed}).content.decode()
    return page, len(queries)


def test_a_results_page_takes_the_same_queries_for_10_and_100_rows(alice_client, team_a, bob):
    alice_client.get(reverse("search_lix"))  # the session's first request does its own bookkeeping
    small, small_queries = _results_page_queries(alice_client, team_a, _people(team_a, bob, 10))
    Person.objects.all().delete()
    large, large_queries = _results_page_queries(alice_client, team_a, _people(team_a, bob, 100))
    assert small.count("In your records") == 5 and large.count("In your records") == 50
    assert small_queries == large_queries


def test_the_lusha_form_offers_lushas_own_departments_and_seniorities(mocked, key_for, alice_client):
    key_for("lusha")
    filters = fixture("lusha", "filters")
    mocked.get(f"{LUSHA_FILTERS}/departments", json=filters["contact_departments"])
    mocked.get(f"{LUSHA_FILTERS}/seniority", json=filters["contact_seniorities"])
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert 'name="department_choices" value="Engineering"' in page
    assert 'name="seniority" value="10"' in page and "founder" in page
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    alice_client.get(
        reverse("search_lusha"),
        {"run": "1", "department_choices": ["Engineering"], "departments": "Sales", "seniority": ["10", "9"]},
    )
    body = json.loads(mocked.calls[-1].request.body)
    assert body["filters"]["contacts"]["include"] == {
        "departments": ["Engineering", "Sales"],
        "seniority": [10, 9],
    }


def test_the_lusha_form_falls_back_to_typed_filters_when_the_look_ups_fail(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.get(f"{LUSHA_FILTERS}/departments", json={"message": "Server error"}, status=500)
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert (
        "department_choices" not in page and 'name="departments"' in page and 'name="seniority"' not in page
    )


def test_lusha_rows_are_kept_by_enriching_them_and_say_so(mocked, key_for, alice_client, team_a):
    key_for("lusha")
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    page = alice_client.get(reverse("search_lusha"), {"run": "1", "job_titles": "CTO"}).content.decode()
    words = "Enrich to keep: Lusha&#x27;s search shows names only; enriching reveals the contact and keeps it"
    assert words in page.replace("Lusha's", "Lusha&#x27;s")
    assert page.count("Enrich to keep: Lusha shows names only until the contact is revealed.") == 1  # one row
    # Ticked for enrichment: the rows are selectable, though Keep alone cannot keep them.
    assert 'name="selected" value="0"' in page and "Enrich selected" in page
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0"]}).content.decode()
    assert "Nothing was kept: Lusha&#x27;s search shows names only. Enrich the ticked contacts" in kept
    assert not Person.objects.for_team(team_a).exists()


def test_rows_nothing_identifies_cannot_be_kept(team_a):
    rows = [Row(person=PersonFacts(full_name="Someone", title="CTO"))]
    mark_rows(team=team_a, rows=rows)
    assert rows[0].keepable is False


def test_a_providers_link_is_rebuilt_from_the_profile_id_never_shown_as_sent(mocked, key_for, alice_client):
    key_for("lix")
    answer = {
        "people": [
            {"name": "Alfie Lambert", "link": "https://uk.linkedin.com/in/alfie-lambert?trk=x"},
            {"name": "Mallory", "link": "javascript:alert(1)//linkedin.com/in/mallory"},
        ],
        "paging": {"count": 25, "start": 0, "total": 2},
    }
    mocked.get(LIX_SEARCH, json=answer)
    page = alice_client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    assert 'href="https://www.linkedin.com/in/alfie-lambert/"' in page
    assert "javascript:" not in page


def test_every_search_form_shows_without_a_key(alice_client):
    for name in ("search_lix", "search_lusha", "search_leadiq", "saved_searches"):
        assert alice_client.get(reverse(name)).status_code == 200
    assert alice_client.get(reverse("search")).url == reverse("search_lix")


def test_the_search_button_says_what_a_page_costs_from_the_billing_rules(alice_client):
    lix = alice_client.get(reverse("search_lix")).content.decode()
    assert "Search · up to 1 standard credit a page" in lix
    leadiq = alice_client.get(reverse("search_leadiq")).content.decode()
    assert "Search · up to 2.5 universal credits a page" in leadiq
    lusha = alice_client.get(reverse("search_lusha")).content.decode()
    assert "a page</button>" not in lusha


def test_changing_a_search_from_its_confirmation_keeps_the_filters_but_starts_afresh(key_for, alice_client):
    key_for("lix")
    asked = alice_client.get(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "page": "5", "sequence_id": "abc"}
    ).content.decode()
    back = re.search(r'href="([^"]+)">Change the search', asked).group(1).replace("&amp;", "&")
    form = alice_client.get(back).content.decode()
    assert 'value="https://www.linkedin.com/search/results/people/?keywords=founder&amp;page=3"' in form
    assert 'name="sequence_id"' in form and 'value="abc"' not in form and 'value="5"' not in form


@pytest.mark.parametrize("name", ["x" * 201, "Bad\x1bname"])
def test_keep_selected_into_a_new_list_with_a_name_the_list_form_refuses_keeps_nothing(
    name, mocked, key_for, alice_client, team_a
):
    page, state = _lix_results_state(mocked, key_for, alice_client)
    kept = alice_client.post(
        reverse("search_keep"), {"state": state, "selected": ["0"], "to_list": "new", "new_list_name": name}
    ).content.decode()
    assert "Nothing was kept" in kept
    assert not ProspectList.objects.for_team(team_a).exists()
    assert not Person.objects.for_team(team_a).exists()


def test_a_group_of_checkboxes_has_its_label_above_it_not_beside_one_box(alice_client):
    page = alice_client.get(reverse("search_leadiq")).content.decode()
    group = re.search(r'<div class="field[^"]*">\s*<label[^>]*>Seniorit', page)
    assert group is not None, "the seniorities group has no label of its own"
    assert "field-checkbox" not in group.group(0)
