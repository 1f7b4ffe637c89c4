"""Lusha's search form fed by all of Lusha's filter look-ups: choices (departments, seniorities, data points,
industries, sizes, revenues), typeaheads (contact and company locations, company names, technologies),
every look-up cached, a failed one leaving typed filters and words; and every chosen value sent in the
shape providers.md §5.4 documents, surviving confirmation, paging and saved searches."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from prospecting.models import ProviderCall, SavedSearch
from prospecting.services.lusha_filters import encoded, lusha_search_filters
from prospecting.services.search import search_params

FIXTURES = Path(__file__).parent / "fixtures"
LUSHA = "https://api.lusha.com"
FILTERS = f"{LUSHA}/prospecting/filters"
CONTACT_SEARCH = f"{LUSHA}/prospecting/contact/search"
COMPANY_SEARCH = f"{LUSHA}/prospecting/company/search"
CHOICE_PATHS = {
    "contact_departments": "contacts/departments",
    "contact_seniorities": "contacts/seniority",
    "contact_data_points": "contacts/existing_data_points",
    "company_industries": "companies/industries_labels",
    "company_sizes": "companies/sizes",
    "company_revenues": "companies/revenues",
}
SEARCHED_PATHS = {
    "contact_locations": "contacts/locations",
    "company_names": "companies/names",
    "company_locations": "companies/locations",
    "company_technologies": "companies/technologies",
}
NEW_YORK = {
    "city": "New York",
    "continent": "North America",
    "country": "United States",
    "country_grouping": "na",
    "state": "New York",
}
ISRAEL = {"continent": "Asia", "country": "Israel", "country_grouping": "apac"}


def fixture(provider, name):
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def _mock_look_ups(mocked, **failing):
    filters = fixture("lusha", "filters")
    for name, path in CHOICE_PATHS.items():
        if name in failing:
            mocked.get(f"{FILTERS}/{path}", json={"message": failing[name]}, status=500)
        else:
            mocked.get(f"{FILTERS}/{path}", json=filters[name])
    for name, path in SEARCHED_PATHS.items():
        mocked.post(f"{FILTERS}/{path}", json=filters[name])


def _calls_to(mocked, path):
    return [call for call in mocked.calls if call.request.url.endswith(path)]


def test_the_form_offers_every_choice_look_up_and_says_they_are_free(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert 'name="department_choices" value="Engineering"' in page
    assert 'name="seniority" value="10"' in page
    assert 'name="data_points" value="phone"' in page and "Has a phone" in page
    assert '<optgroup label="Hospitality">' in page and 'value="main:1"' in page and 'value="sub:778"' in page
    assert "All of Hospitality" in page
    assert 'name="sizes"' in page and "11–50 employees" in page
    assert 'name="revenues"' in page and "$1–$1M" in page and "$1M–$10M" in page
    assert "look-ups, which are free" in page
    # The typeaheads are there, with a Find button for a browser without JS.
    for field in ("contact_locations", "company_name_choices", "technologies", "company_locations"):
        assert f'id="picker-{field}"' in page and f'name="lookup" value="{field}"' in page
    assert 'hx-trigger="input changed delay:400ms"' in page


def test_a_second_render_asks_lusha_nothing(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    alice_client.get(reverse("search_lusha"))
    asked = len(mocked.calls)
    assert asked == len(CHOICE_PATHS)
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert len(mocked.calls) == asked and "Has a phone" in page
    assert ProviderCall.objects.filter(endpoint="company_sizes").count() == 1


def test_a_failed_look_up_leaves_typed_filters_and_says_so(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked, contact_departments="Server error", company_sizes="Server error")
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert 'name="department_choices"' not in page and 'name="departments"' in page
    assert 'name="sizes"' not in page and 'name="revenues"' in page
    assert (
        "Quarry could not fetch Lusha&#x27;s departments, company sizes (Lusha answered: Server error)"
        in page
    )
    assert "Departments can be typed instead" in page
    # Not cached: the next render asks again for the two that failed, and only those.
    before = len(mocked.calls)
    alice_client.get(reverse("search_lusha"))
    assert len(mocked.calls) - before == 2


def test_without_a_lusha_key_the_form_says_who_adds_one(alice_client):
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert "the team has no working Lusha key: a team admin adds it under Provider keys" in page
    assert 'name="departments"' in page and 'name="job_titles"' in page


# --- Typeahead -------------------------------------------------------------------------------------------


def test_the_typeahead_offers_lushas_locations_as_they_came(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    url = reverse("search_lusha_typeahead")
    page = alice_client.get(
        url, {"field": "contact_locations", "contact_location_text": "new"}
    ).content.decode()
    assert json.loads(_calls_to(mocked, "contacts/locations")[0].request.body) == {"text": "new"}
    assert "New York, United States" in page
    value = re.search(r'name="contact_locations" value="([^"]+)"', page).group(1)
    assert json.loads(value.replace("&quot;", '"')) == NEW_YORK
    assert "checked" not in page and "Lusha's matches (a free look-up)" in page
    # Ticked, it stays ticked when the text changes (and is not offered twice); the same text is cached.
    again = alice_client.get(
        url,
        {
            "field": "contact_locations",
            "contact_location_text": "new",
            "contact_locations": encoded(NEW_YORK),
        },
    ).content.decode()
    assert again.count('name="contact_locations"') == 1 and "checked" in again
    assert len(_calls_to(mocked, "contacts/locations")) == 1


def test_each_typeahead_asks_its_own_look_up(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    url = reverse("search_lusha_typeahead")
    names = alice_client.get(url, {"field": "company_name_choices", "company_names": "lus"}).content.decode()
    assert 'name="company_name_choices" value="Lusha"' in names
    tech = alice_client.get(url, {"field": "technologies", "technology_text": "rs"}).content.decode()
    assert 'name="technologies" value="rss"' in tech
    places = alice_client.get(
        url, {"field": "company_locations", "company_location_text": "isr"}
    ).content.decode()
    assert "Israel" in places and 'name="company_locations"' in places


def test_the_typeahead_says_in_words_what_stopped_it(mocked, key_for, alice_client):
    url = reverse("search_lusha_typeahead")
    no_key = alice_client.get(url, {"field": "technologies", "technology_text": "sales"}).content.decode()
    assert "Looking up technologies needs a Lusha key (a team admin adds it under Provider keys)" in no_key
    assert "what you typed is searched as it is" in no_key
    key_for("lusha")
    short = alice_client.get(url, {"field": "technologies", "technology_text": "s"}).content.decode()
    assert "Type at least 2 letters to look up Lusha&#x27;s technologies (free)." in short
    assert not mocked.calls
    mocked.post(f"{FILTERS}/companies/technologies", json={"message": "Too many requests"}, status=429)
    busy = alice_client.get(url, {"field": "technologies", "technology_text": "sales"}).content.decode()
    assert "Lusha is busy right now: try again in a moment." in busy
    mocked.replace("POST", f"{FILTERS}/companies/technologies", json=[])
    none = alice_client.get(url, {"field": "technologies", "technology_text": "zzz"}).content.decode()
    assert "Lusha knows no technologies matching “zzz”." in none
    assert alice_client.get(url, {"field": "nothing"}).status_code == 404


def test_find_without_js_shows_the_matches_and_keeps_the_form(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    page = alice_client.get(
        reverse("search_lusha"),
        {"run": "1", "job_titles": "CTO", "technology_text": "rss", "lookup": "technologies"},
    ).content.decode()
    assert 'name="technologies" value="rss"' in page and 'value="CTO"' in page
    assert not _calls_to(mocked, "contact/search")


# --- The filters sent --------------------------------------------------------------------------------------

CHOSEN = {
    "job_titles": "CTO",
    "department_choices": ["Engineering"],
    "seniority": ["10"],
    "data_points": ["phone"],
    "contact_locations": [encoded(NEW_YORK)],
    "company_name_choices": ["Lusha"],
    "company_names": "lus",
    "company_locations": [encoded(ISRAEL)],
    "technologies": ["rss"],
    "industries": ["main:1", "sub:778"],
    "sizes": [encoded({"min": 11, "max": 50})],
    "revenues": [encoded({"min": 1, "max": 1000000})],
}
COMPANIES_SENT = {
    "names": ["Lusha"],  # the text typed to find it is not sent beside the pick
    "locations": [ISRAEL],
    "technologies": [{"name": "rss"}],
    "mainIndustriesIds": [1],
    "subIndustriesIds": [778],
    "sizes": [{"min": 11, "max": 50}],
    "revenues": [{"min": 1, "max": 1000000}],
}


def test_a_contact_search_sends_every_chosen_filter_in_lushas_shape(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(CONTACT_SEARCH, json=fixture("lusha", "contact_search"))
    page = alice_client.get(reverse("search_lusha"), {"run": "1", **CHOSEN}).content.decode()
    body = json.loads(_calls_to(mocked, "contact/search")[0].request.body)
    assert body["filters"] == {
        "contacts": {
            "include": {
                "jobTitles": ["CTO"],
                "departments": ["Engineering"],
                "seniority": [10],
                "existing_data_points": ["phone"],
                "locations": [NEW_YORK],
            }
        },
        "companies": {"include": COMPANIES_SENT},
    }
    assert "Chris Karageorge" in page


def test_a_company_search_sends_the_company_filters_only(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(COMPANY_SEARCH, json=fixture("lusha", "company_search"))
    alice_client.get(reverse("search_lusha"), {"run": "1", "find": "companies", **CHOSEN})
    body = json.loads(_calls_to(mocked, "company/search")[0].request.body)
    assert body["filters"] == {"companies": {"include": COMPANIES_SENT}}


def test_a_company_search_on_a_technology_alone_is_a_company_search(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.post(COMPANY_SEARCH, json=fixture("lusha", "company_search"))
    alice_client.get(reverse("search_lusha"), {"run": "1", "find": "companies", "technologies": ["rss"]})
    assert json.loads(mocked.calls[0].request.body)["filters"] == {
        "companies": {"include": {"technologies": [{"name": "rss"}]}}
    }


def test_text_typed_without_a_pick_is_searched_as_typed():
    query = {"contact_location_text": "France", "technology_text": "hubspot, stripe", "company_names": "Acme"}
    query |= {"company_location_text": "Germany"}
    assert lusha_search_filters("contacts", query) == {
        "contacts": {"include": {"locations": [{"country": "France"}]}},
        "companies": {
            "include": {
                "names": ["Acme"],
                "locations": [{"country": "Germany"}],
                "technologies": [{"name": "hubspot"}, {"name": "stripe"}],
            }
        },
    }


def test_values_no_look_up_could_have_made_are_refused_or_left_out(mocked, key_for, alice_client):
    key_for("lusha")
    page = alice_client.get(
        reverse("search_lusha"), {"run": "1", "contact_locations": ['{"planet": "Mars"}']}
    ).content.decode()
    assert "Select a valid choice" in page and not _calls_to(mocked, "contact/search")
    sent = search_params(
        provider="lusha", kind="companies", query={"sizes": ["not json"], "industries": ["main:x"]}, page=1
    )
    assert sent["filters"] == {}


def test_chosen_filters_survive_the_next_page_and_changing_the_search(mocked, key_for, alice_client):
    key_for("lusha")
    _mock_look_ups(mocked)
    result = fixture("lusha", "contact_search") | {"totalResults": 100}
    mocked.post(CONTACT_SEARCH, json=result)
    page = alice_client.get(reverse("search_lusha"), {"run": "1", **CHOSEN}).content.decode()
    next_url = re.search(r'href="([^"]+)">Next page', page).group(1).replace("&amp;", "&")
    alice_client.get(next_url)
    first, second = (json.loads(call.request.body) for call in _calls_to(mocked, "contact/search"))
    assert second["pages"]["page"] == 1 and second["filters"] == first["filters"]
    # "Change the search" (the form again, prefilled): the picks come back ticked.
    fields = parse_qs(urlsplit(next_url).query)
    fields["run"] = [""]
    form = alice_client.get(reverse("search_lusha"), fields).content.decode()
    assert "New York, United States" in form and "checked" in form
    assert re.search(r'name="technologies" value="rss"[^>]*checked', form)
    assert re.search(r'value="main:1"[^>]*selected', form)


def test_a_saved_filtered_search_runs_again_with_the_same_filters(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lusha")
    mocked.post(CONTACT_SEARCH, json=fixture("lusha", "contact_search"))
    page = alice_client.get(reverse("search_lusha"), {"run": "1", **CHOSEN}).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    alice_client.post(reverse("saved_search_create"), {"state": state, "name": "NY CTOs"})
    saved = SavedSearch.objects.get(team=team_a, name="NY CTOs")
    assert saved.query["contact_locations"] == [encoded(NEW_YORK)]
    alice_client.get(reverse("saved_search_run", args=[saved.pk]), follow=True)
    first, again = (json.loads(call.request.body) for call in _calls_to(mocked, "contact/search"))
    assert again["filters"] == first["filters"] and again["filters"]["contacts"]["include"]["locations"] == [
        NEW_YORK
    ]


def test_a_busy_lusha_is_asked_once_per_render_not_six_times(mocked, key_for, alice_client):
    key_for("lusha")
    mocked.get(f"{FILTERS}/contacts/departments", json={"message": "Too many requests"}, status=429)
    page = alice_client.get(reverse("search_lusha")).content.decode()
    assert len(mocked.calls) == 1
    assert "Quarry could not fetch Lusha&#x27;s departments, seniorities, existing data points" in page
    assert "(Lusha is busy right now)" in page


def test_the_typeahead_is_for_members_only(client):
    url = reverse("search_lusha_typeahead")
    answer = client.get(url, {"field": "technologies", "technology_text": "sales"})
    assert answer.status_code == 302 and "/login" in answer["Location"]
