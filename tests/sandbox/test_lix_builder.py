"""The Lix search builders against the sandbox over real HTTP, through the pages: values looked up as a
member types, picked, and the built Sales Navigator search and the Recruiter search run and kept."""

import html
import re

import pytest
import requests
from django.urls import reverse

from prospecting.models import Person
from prospecting.sandbox import lix
from prospecting.services.keys import connect_sandbox_key
from tests.sandbox.conftest import billed, control, sandbox_urls

HTMX_VALUES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lix-facet-values"}


@pytest.fixture
def lix_key(running_sandbox, team_a, alice):
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    # Generous limits so the test does not wait; the typeahead's own wait is tested with `responses`.
    key.options = {**key.options, "rate_limits": [[1000, 1]], "viewer_id": "alfie-lambert"}
    key.save()
    control(running_sandbox, "limits", {"provider": "lix", "windows": [[1000, 1]]})
    return key


def offered(client, builder, facet_type, text, label):
    """The value a member would pick: the first value offered, picked with the button `label`."""
    query = {"find": builder, "facet_type": facet_type, "facet_query": text}
    page = client.get(reverse("search_lix_values"), query, **HTMX_VALUES).content.decode()
    found = re.search(rf'name="add" value="([^"]+)"[^>]*>{label}<', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


def test_a_built_sales_navigator_search_runs_on_the_sandbox_and_its_rows_are_kept(
    lix_key, running_sandbox, alice_client, team_a
):
    london = offered(alice_client, "sales_nav", "BING_GEO", "lond", "Include")
    director = offered(alice_client, "sales_nav", "SENIORITY_V2", "dir", "Include")
    assert london.startswith("BING_GEO|include|") and "London" in london
    query = {"run": "1", "find": "sales_nav", "keywords": "sales", "facets": [london, director]}
    done = alice_client.post(reverse("search_lix"), query | {"confirm": "1"}).content.decode()
    assert 'name="selected" value="0"' in done and "Sales Navigator lead search" in done
    received = control(running_sandbox, "received", provider="lix")["received"]
    assert [r["path"] for r in received][-1] == "/v1/li/sales/search/people"
    state = re.search(r'name="state" value="([^"]+)"', done).group(1)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["0", "1"]})
    assert "Kept 2 people in your records." in kept.content.decode()
    assert Person.objects.for_team(team_a).filter(is_sandbox=True).count() == 2
    # Two free look-ups and one page: one Standard credit.
    assert billed(running_sandbox, "lix") == {"standard": 1}


def test_a_recruiter_search_by_skills_runs_on_the_sandbox_page_after_page(
    lix_key, running_sandbox, alice_client
):
    python = offered(alice_client, "recruiter", "skill", "pyth", "Must have")
    assert python.startswith("required|urn%3Ali%3Ats_skill%3A")
    query = {"run": "1", "find": "recruiter", "skills": [python]}
    first = alice_client.post(reverse("search_lix"), query | {"confirm": "1"}).content.decode()
    assert 'name="selected" value="0"' in first and "Recruiter search by skills" in first
    next_url = html.unescape(re.search(r'href="([^"]+)">Next page', first).group(1))
    asked = alice_client.get(next_url).content.decode()
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', asked):
        fields.setdefault(name, []).append(html.unescape(value))
    second = alice_client.post(reverse("search_lix"), fields).content.decode()
    assert "Page 2" in second and 'name="selected" value="0"' in second
    assert billed(running_sandbox, "lix") == {"standard": 2}


@pytest.mark.parametrize(
    ("facet", "text", "expected"),
    [
        ("TENURE", "year", "1 to 2 years"),
        ("COMPANY_TYPE", "priv", "Privately Held"),
        ("PROFILE_LANGUAGE", "fr", "French"),
    ],
)
def test_the_sandbox_offers_sales_navigators_fixed_lists(sandbox, facet, text, expected):
    server = sandbox(lix.PROVIDER)
    answer = requests.get(
        f"{sandbox_urls(server)['LIX_API_URL']}/v1/search/sales/facet",
        params={"query": text, "type": facet},
        headers={"Authorization": "sandbox-lix-key"},
        timeout=5,
    ).json()
    assert expected in [element["displayValue"] for element in answer["data"]["elements"]]
