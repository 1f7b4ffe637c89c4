"""The Lix search builders: a Sales Navigator lead search made of facet values looked up as you type, and
a Recruiter search by skills. Typeahead values come from the team's own Lix key, cached; a built search
runs as the pasted one does (price, confirmation, paging with sequence_id, saved searches)."""

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.urls import reverse

from prospecting.forms import LixSearchForm
from prospecting.models import ProviderCall, SavedSearch
from prospecting.providers.sales_nav import Selection, Skill, decode_selection, lead_search_url
from prospecting.services.keys import add_provider_key
from tests.test_search import fixture

BASE = "https://api.lix-it.com"
SALES_FACET = f"{BASE}/v1/search/sales/facet"
RECRUITER_FACET = f"{BASE}/v1/li/recruiter/search/facet"
SALES_SEARCH = f"{BASE}/v1/li/sales/search/people"
RECRUITER_SEARCH = f"{BASE}/v1/li/recruiter/search/people"
VALUES = "search_lix_values"
HTMX_VALUES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lix-facet-values"}
HTMX_CHOSEN = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lix-chosen"}
GEO = {"data": {"elements": [{"id": "103644278", "displayValue": "United States"}], "paging": {}}}
US = Selection("BING_GEO", "103644278", "United States")
ACME = Selection("COMPANY_WITH_LIST", "urn:li:organization:42", "Acme, Inc. (UK): Ltd")
PYTHON = Skill("urn:li:ts_skill:1", "Python", "required")
PERL = Skill("urn:li:ts_skill:2", "Perl", "excluded")


def page_of(response):
    return response.content.decode()


def typeahead(client, facet_type, text, **extra):
    query = {"find": "sales_nav", "facet_type": facet_type, "facet_query": text} | extra
    return page_of(client.get(reverse(VALUES), query, **HTMX_VALUES))


def sent_url(call):
    return parse_qs(urlsplit(call.request.url).query)["url"][0]


# --- Typeahead -----------------------------------------------------------------------------------------


def test_typeahead_lists_lixs_values_with_include_and_exclude_and_asks_once(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_FACET, json=GEO)
    first = typeahead(alice_client, "BING_GEO", "united")
    assert "United States" in first and ">Include<" in first and ">Exclude<" in first
    assert f'value="{US.encoded}"' in first and "<html" not in first
    # A pick asks the builder's own URL, with and without JavaScript.
    assert first.count(f'hx-get="{reverse(VALUES)}"') == first.count(f'formaction="{reverse(VALUES)}"') == 2
    again = typeahead(alice_client, "BING_GEO", "united")
    assert again == first and len(mocked.calls) == 1
    sent = parse_qs(urlsplit(mocked.calls[0].request.url).query)
    assert sent["type"] == ["BING_GEO"] and sent["query"] == ["united"]


def test_a_headcount_can_only_be_included_as_in_sales_navigator(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_FACET, json={"data": {"elements": [{"id": "C", "displayValue": "11-50"}]}})
    page = typeahead(alice_client, "COMPANY_SIZE", "11")
    assert ">Include<" in page and ">Exclude<" not in page


def test_typeahead_below_two_letters_says_so_and_asks_nobody(mocked, key_for, alice_client):
    key_for("lix")
    page = typeahead(alice_client, "BING_GEO", "u")
    assert "Type at least 2 letters" in page and not mocked.calls


def test_typeahead_with_no_match_says_so(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_FACET, json={"data": {"elements": []}})
    assert "Lix has no value matching “zzz”" in typeahead(alice_client, "TITLE", "zzz")


def test_a_busy_lix_is_said_in_words_and_the_next_keystroke_does_not_wait_or_call(
    mocked, key_for, alice_client
):
    key_for("lix")
    limited = {"error": {"type": "rate_limit", "message": "slow down"}}
    mocked.get(SALES_FACET, json=limited, status=429, headers={"Retry-After": "30"})
    page = typeahead(alice_client, "BING_GEO", "lon")
    assert "Lix is busy" in page and "in a moment" in page
    # The key is held back 30 s: the next look-up answers at once, without a call.
    page = typeahead(alice_client, "BING_GEO", "lond")
    assert "Lix is busy" in page and len(mocked.calls) == 1


def test_a_rejected_key_is_said_with_who_can_fix_it(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_FACET, json={"error": {"type": "", "message": "API key not authorised"}}, status=401)
    page = typeahead(alice_client, "BING_GEO", "lon")
    assert "A team admin can add or fix the Lix key under Provider keys" in page


def test_without_a_lix_key_typeahead_says_who_can_add_one(mocked, alice_client):
    page = typeahead(alice_client, "BING_GEO", "lon")
    assert "has no lix key yet" in page and "A team admin can add or fix the Lix key" in page
    assert not mocked.calls


def test_typeahead_uses_the_requesting_teams_key_only(
    mocked, alice, alice_client, carol, carol_client, team_a, team_b
):
    def lix_key(team, actor, secret):
        options = {"rate_limits": [[1000, 1]]}
        add_provider_key(team=team, actor=actor, provider="lix", secret=secret, options=options)

    lix_key(team_b, carol, "team-b-lix-key-0000")
    mocked.get(SALES_FACET, json=GEO)
    assert "has no lix key yet" in typeahead(alice_client, "BING_GEO", "united") and not mocked.calls
    assert "United States" in typeahead(carol_client, "BING_GEO", "united")
    lix_key(team_a, alice, "team-a-lix-key-1111")
    # Team B's cached answer is not team A's: A's key asks Lix itself.
    assert "United States" in typeahead(alice_client, "BING_GEO", "united")
    assert [c.request.headers["Authorization"] for c in mocked.calls] == [
        "team-b-lix-key-0000",
        "team-a-lix-key-1111",
    ]
    assert ProviderCall.objects.filter(team=team_b).count() == 1
    assert ProviderCall.objects.filter(team=team_a).count() == 1


def test_recruiter_typeahead_offers_each_skill_as_must_nice_or_exclude(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(RECRUITER_FACET, json=fixture("lix", "recruiter_facet"))
    query = {"find": "recruiter", "facet_type": "skill", "facet_query": "javas"}
    page = page_of(alice_client.get(reverse(VALUES), query, **HTMX_VALUES))
    assert "JavaScript" in page and ">Must have<" in page and ">Nice to have<" in page and ">Exclude<" in page
    assert parse_qs(urlsplit(mocked.calls[0].request.url).query)["type"] == ["skill"]


# --- Picking values ---------------------------------------------------------------------------------------


def test_a_pick_adds_the_value_to_the_chosen_ones_without_calling_lix(mocked, key_for, alice_client):
    key_for("lix")
    query = {"find": "sales_nav", "facets": [US.encoded], "add": ACME.encoded, "keywords": "cto"}
    page = page_of(alice_client.get(reverse(VALUES), query, **HTMX_CHOSEN))
    assert page.count("checked") == 2 and 'id="lix-chosen"' in page and not mocked.calls
    assert "Current company: Acme, Inc. (UK): Ltd" in page
    assert lead_search_url(keywords="cto", selections=[US, ACME]) in page.replace("&amp;", "&")


def test_picking_exclude_on_an_included_value_switches_it(alice_client):
    excluded = Selection(US.facet, US.id, US.text, excluded=True)
    query = {"find": "sales_nav", "facets": [US.encoded], "add": excluded.encoded}
    page = page_of(alice_client.get(reverse(VALUES), query, **HTMX_CHOSEN))
    assert page.count("checked") == 1 and "Geography: <strong>not</strong> United States" in page


def test_without_javascript_find_and_pick_answer_the_whole_page(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_FACET, json=GEO)
    query = {"find": "sales_nav", "keywords": "cto", "facet_type": "BING_GEO", "facet_query": "united"}
    found = page_of(alice_client.get(reverse(VALUES), query))
    assert "<html" in found and "United States" in found and 'value="cto"' in found
    picked = page_of(alice_client.get(reverse(VALUES), query | {"add": US.encoded}))
    assert f'name="facets" value="{US.encoded}" checked' in picked and len(mocked.calls) == 1
    assert "Type at least" not in picked


# --- A built search runs as a pasted Sales Navigator search -------------------------------------------


def built_query():
    return {
        "run": "1",
        "find": "sales_nav",
        "keywords": "sales director",
        "facets": [US.encoded, ACME.encoded],
    }


def test_a_built_search_shows_its_url_and_price_then_sends_it_to_lix_intact(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_SEARCH, json=fixture("lix", "sales_search_people"))
    url = lead_search_url(keywords="sales director", selections=[US, ACME])
    asked = page_of(alice_client.get(reverse("search_lix"), built_query()))
    assert "Search and spend 1 standard credit" in asked and not mocked.calls
    assert f'value="{url}"' in asked.replace("&amp;", "&")
    done = page_of(alice_client.post(reverse("search_lix"), built_query() | {"confirm": "1"}))
    assert 'name="selected" value="0"' in done and f'value="{url}"' in done.replace("&amp;", "&")
    # The comma, parentheses and colon of "Acme, Inc. (UK): Ltd" reach Lix still encoded.
    assert sent_url(mocked.calls[0]) == url and "Acme%2C%20Inc.%20%28UK%29%3A%20Ltd" in url


def test_a_built_searchs_next_page_keeps_its_picks_and_sequence_id(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(SALES_SEARCH, json=fixture("lix", "sales_search_people"))
    done = page_of(alice_client.post(reverse("search_lix"), built_query() | {"confirm": "1"}))
    sequence_id = fixture("lix", "sales_search_people")["meta"]["sequenceId"]  # Lix's own, sent back
    next_url = re.search(r'href="([^"]+)">Next page', done).group(1).replace("&amp;", "&")
    assert unquote(next_url).count("BING_GEO|include") == 1 and f"sequence_id={sequence_id}" in next_url
    asked = page_of(alice_client.get(next_url))
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', asked)
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value.replace("&amp;", "&").replace("&quot;", '"'))
    alice_client.post(reverse("search_lix"), data)
    second = sent_url(mocked.calls[1])
    assert second == lead_search_url(keywords="sales director", selections=[US, ACME]) + "&page=2"
    assert parse_qs(urlsplit(mocked.calls[1].request.url).query)["sequence_id"] == [sequence_id]


def test_changing_a_built_search_from_its_confirmation_shows_the_builder_with_its_picks(
    key_for, alice_client
):
    key_for("lix")
    asked = page_of(alice_client.get(reverse("search_lix"), built_query()))
    back = re.search(r'href="([^"]+)">Change the search', asked).group(1).replace("&amp;", "&")
    form = page_of(alice_client.get(back))
    assert 'id="lix-builder"' in form and 'value="sales director"' in form
    assert f'name="facets" value="{US.encoded}" checked' in form
    assert f'name="facets" value="{ACME.encoded}" checked' in form.replace("&amp;", "&")


def test_a_saved_built_search_reruns_with_its_picks(mocked, key_for, alice_client, team_a):
    key_for("lix")
    mocked.get(SALES_SEARCH, json=fixture("lix", "sales_search_people"))
    done = page_of(alice_client.post(reverse("search_lix"), built_query() | {"confirm": "1"}))
    state = re.search(r'name="state" value="([^"]+)"', done).group(1)
    alice_client.post(reverse("saved_search_create"), {"state": state, "name": "US sales directors"})
    saved = SavedSearch.objects.for_team(team_a).get()
    assert saved.query["facets"] == [US.encoded, ACME.encoded] and saved.kind == "sales_nav_people"
    rerun = alice_client.get(reverse("saved_search_run", args=[saved.pk]))
    asked = page_of(alice_client.get(rerun.url))
    url = lead_search_url(keywords="sales director", selections=[US, ACME])
    assert "Search and spend 1 standard credit" in asked and f'value="{url}"' in asked.replace("&amp;", "&")


def test_a_built_search_without_keywords_or_filters_is_refused_in_words(mocked, key_for, alice_client):
    key_for("lix")
    page = page_of(alice_client.get(reverse("search_lix"), {"run": "1", "find": "sales_nav"}))
    assert "Type keywords or pick at least one filter" in page and not mocked.calls


@pytest.mark.parametrize(
    "query",
    [
        {"find": "sales_nav", "keywords": "cto", "facets": [US.encoded, ACME.encoded]},
        {"find": "sales_nav", "keywords": "", "facets": [ACME.encoded]},
        {"find": "recruiter", "skills": [PYTHON.encoded, PERL.encoded]},
    ],
)
def test_a_builders_query_comes_back_as_it_went(query):
    form = LixSearchForm(data={"run": "1", **query})
    assert form.is_valid(), form.errors
    again = LixSearchForm(data={"run": "1", **form.query()})
    assert again.is_valid() and again.query() == form.query()
    assert {name: form.query()[name] for name in query} == query
    if query["find"] == "sales_nav":
        assert form.query()["url"] == lead_search_url(
            keywords=query["keywords"], selections=[decode_selection(value) for value in query["facets"]]
        )


def test_a_tampered_value_is_refused_in_words():
    form = LixSearchForm(data={"run": "1", "find": "sales_nav", "facets": ["COMPANY_SIZE|exclude|C|11-50"]})
    assert not form.is_valid() and "Quarry could not read a chosen value" in str(form.errors)


# --- Recruiter search by skills ---------------------------------------------------------------------------


def recruiter_query(*skills):
    return {"run": "1", "find": "recruiter", "skills": [s.encoded for s in skills or (PYTHON, PERL)]}


def test_recruiter_without_a_viewer_id_says_who_can_set_it_and_sends_nothing(mocked, key_for, alice_client):
    key_for("lix")
    page = page_of(alice_client.get(reverse("search_lix"), recruiter_query()))
    assert "the Lix key has no viewer_id" in page and "set the viewer_id" in page
    assert not mocked.calls and not ProviderCall.objects.exists()


def test_recruiter_says_its_price_then_sends_the_skills_as_marked(mocked, key_for, alice_client):
    key_for("lix", viewer_id="ACoAAB123")
    mocked.get(RECRUITER_SEARCH, json=fixture("lix", "recruiter_search_people"))
    asked = page_of(alice_client.get(reverse("search_lix"), recruiter_query()))
    assert "page 1 costs up to <strong>1 standard credit</strong>" in asked and not mocked.calls
    assert 'Python <span class="muted">(must have)</span>' in asked and "Perl" in asked
    done = page_of(alice_client.post(reverse("search_lix"), recruiter_query() | {"confirm": "1"}))
    body = json.loads(mocked.calls[0].request.body)
    assert body["start"] == 0 and [(s["text"], s["required"], s["negated"]) for s in body["skills"]] == [
        ("Python", True, False),
        ("Perl", False, True),
    ]
    assert parse_qs(urlsplit(mocked.calls[0].request.url).query)["viewer_id"] == ["ACoAAB123"]
    assert "Alfie Lambert" in done and 'name="selected" value="0"' in done


def test_recruiters_next_page_starts_at_25_with_the_same_sequence_id(mocked, key_for, alice_client):
    key_for("lix", viewer_id="ACoAAB123")
    mocked.get(RECRUITER_SEARCH, json=fixture("lix", "recruiter_search_people"))
    done = page_of(alice_client.post(reverse("search_lix"), recruiter_query() | {"confirm": "1"}))
    next_url = re.search(r'href="([^"]+)">Next page', done).group(1).replace("&amp;", "&")
    assert "sequence_id=jAkFkdjfi19kFdf" in next_url and "page=2" in next_url
    asked = page_of(alice_client.get(next_url))
    assert "Search and spend 1 standard credit" in asked and len(mocked.calls) == 1
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', asked):
        data.setdefault(name, []).append(value.replace("&amp;", "&"))
    alice_client.post(reverse("search_lix"), data)
    second = mocked.calls[1].request
    assert json.loads(second.body)["start"] == 25
    assert parse_qs(urlsplit(second.url).query)["sequence_id"] == ["jAkFkdjfi19kFdf"]


def test_recruiter_with_only_excluded_skills_is_refused_in_words(mocked, key_for, alice_client):
    key_for("lix", viewer_id="ACoAAB123")
    page = page_of(alice_client.get(reverse("search_lix"), recruiter_query(PERL)))
    assert "Pick at least one skill the people must or may have" in page and not mocked.calls


def test_the_values_url_without_a_builder_goes_back_to_the_search_page(alice_client, client):
    assert alice_client.get(reverse(VALUES), {"find": "url"}).url == reverse("search_lix")
    assert "/login/" in client.get(reverse(VALUES), {"find": "sales_nav"}).url
