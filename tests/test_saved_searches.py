"""Saved searches: save a search with a name (private or shared), list own and shared ones of the team,
run one again with the results new since its last run marked, and who ran it when."""

import html
import json
import re
from pathlib import Path

from django.urls import reverse

from prospecting.models import EntryKind, LedgerEntry, SavedSearch
from prospecting.providers.facts import PersonFacts
from prospecting.services.records import keep_people
from tests.conftest import make_member

FIXTURES = Path(__file__).parent / "fixtures"
LUSHA_SEARCH = "https://api.lusha.com/prospecting/contact/search"
LIX_SEARCH = "https://api.lix-it.com/v1/li/linkedin/search/people"
PEOPLE_URL = "https://www.linkedin.com/search/results/people/?keywords=founder&page=2"


def fixture(provider, name):
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def lix_answer(*people):
    return {"people": list(people), "paging": {"count": 25, "start": 25, "total": len(people)}}


def person(slug, name):
    return {"name": name, "link": f"https://www.linkedin.com/in/{slug}"}


def run_and_save(client, name, shared=False):
    page = client.post(
        reverse("search_lix"), {"run": "1", "url": PEOPLE_URL, "confirm": "1"}
    ).content.decode()
    state = re.search(r'name="state" value="([^"]+)"', page).group(1)
    data = {"state": state, "name": name} | ({"shared": "on"} if shared else {})
    return client.post(reverse("saved_search_create"), data)


def test_a_saved_search_runs_again_with_new_and_known_results_marked(
    mocked, key_for, alice_client, bob_client, team_a, alice, bob
):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=lix_answer(person("ann-a", "Ann A"), person("ben-b", "Ben B")))
    saved_page = run_and_save(alice_client, "Founders", shared=True)
    assert saved_page.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.name, saved.shared, saved.owner, saved.provider, saved.kind) == (
        "Founders",
        True,
        alice,
        "lix",
        "linkedin_people",
    )
    assert saved.query == {"url": PEOPLE_URL} and saved.last_result_count == 2
    assert saved.last_result_keys == ["linkedin:ann-a", "linkedin:ben-b"]

    keep_people(
        team=team_a, user=bob, facts=[PersonFacts(linkedin_url="linkedin.com/in/ben-b")], source="import"
    )
    mocked.replace("GET", LIX_SEARCH, json=lix_answer(person("ben-b", "Ben B"), person("cat-c", "Cat C")))
    # Bob runs Alice's shared search from the saved page: it asks first (a paid page), then runs.
    run = bob_client.get(reverse("saved_search_run", args=[saved.pk]))
    asked = bob_client.get(run.url).content.decode()
    assert "Search and spend 1 standard credit" in asked and len(mocked.calls) == 1
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', asked))
    assert fields["saved"] == str(saved.pk) and fields["page"] == "2"
    page = bob_client.post(reverse("search_lix"), fields).content.decode()
    rows = re.findall(r"<tr><td><input.*?</tr>", page, re.S)
    ben, cat = rows
    assert "Ben B" in ben and ">New<" not in ben and "In your records" in ben
    assert "Cat C" in cat and ">New<" in cat and "New to the team" in cat
    saved.refresh_from_db()
    assert saved.last_run_by == bob and saved.last_result_keys == ["linkedin:ben-b", "linkedin:cat-c"]

    listing = bob_client.get(reverse("saved_searches")).content.decode()
    assert "Founders" in listing and "Shared" in listing and "by you" in listing and "2 results" in listing

    # The run's spend names the saved search it was part of, in the ledger and on the call's page; the
    # first search (not yet saved) was a one-off.
    rerun = LedgerEntry.objects.get(kind=EntryKind.CAPTURE, user=bob)
    assert (rerun.purpose, rerun.belongs_to) == ("Saved search “Founders”", f"saved_search:{saved.pk}")
    first = LedgerEntry.objects.get(kind=EntryKind.CAPTURE, user=alice)
    assert (first.purpose, first.belongs_to) == ("Lix search people", "")
    call_page = bob_client.get(reverse("spend_call", args=[rerun.call_id])).content.decode()
    assert f'<a href="{reverse("saved_searches")}">Saved search “Founders”</a>' in call_page
    saved.delete()
    call_page = bob_client.get(reverse("spend_call", args=[rerun.call_id])).content.decode()
    assert 'Saved search “Founders” <span class="muted">(since deleted)</span>' in call_page


def test_private_searches_are_listed_for_their_owner_only(mocked, key_for, alice_client, bob_client, bob):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=lix_answer(person("ann-a", "Ann A")))
    run_and_save(alice_client, "Alice's own")
    saved = SavedSearch.objects.get()
    assert "Alice&#x27;s own" in alice_client.get(reverse("saved_searches")).content.decode()
    assert "Alice&#x27;s own" not in bob_client.get(reverse("saved_searches")).content.decode()
    assert bob_client.get(reverse("saved_search_run", args=[saved.pk])).status_code == 404
    assert bob_client.post(reverse("saved_search_delete", args=[saved.pk])).status_code == 404


def test_a_free_saved_search_runs_at_once_from_the_saved_page(mocked, key_for, alice_client, alice, team_a):
    key_for("lusha")
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    saved = SavedSearch.objects.create(
        team=team_a, owner=alice, name="CTOs", provider="lusha", kind="contacts", query={"job_titles": "CTO"}
    )
    page = alice_client.get(
        alice_client.get(reverse("saved_search_run", args=[saved.pk])).url
    ).content.decode()
    assert "Chris Karageorge" in page and ">New<" in page and len(mocked.calls) == 1
    saved.refresh_from_db()
    assert saved.last_run_by == alice and saved.last_result_count == 1


def test_only_its_owner_or_an_admin_deletes_a_shared_search(alice_client, bob_client, team_a, alice):
    carl = make_member(team_a, "carl@a.test")
    saved = SavedSearch.objects.create(
        team=team_a, owner=carl, name="Shared", provider="lusha", kind="contacts", query={}, shared=True
    )
    bob_client.post(reverse("saved_search_delete", args=[saved.pk]))
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    alice_client.post(reverse("saved_search_delete", args=[saved.pk]))
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_a_search_cannot_be_run_as_another_teams_or_another_members_private_saved_search(
    mocked, key_for, alice_client, bob_client, team_a, team_b, alice, carol
):
    key_for("lusha")
    mocked.post(LUSHA_SEARCH, json=fixture("lusha", "contact_search"))
    theirs = SavedSearch.objects.create(
        team=team_b, owner=carol, name="B", provider="lusha", kind="contacts", query={}, shared=True
    )
    private = SavedSearch.objects.create(
        team=team_a, owner=alice, name="A", provider="lusha", kind="contacts", query={}
    )
    search = {"run": "1", "job_titles": "CTO"}
    assert alice_client.get(reverse("search_lusha"), search | {"saved": theirs.pk}).status_code == 404
    assert bob_client.get(reverse("search_lusha"), search | {"saved": private.pk}).status_code == 404
    assert alice_client.get(reverse("search_lusha"), search | {"saved": "x"}).status_code == 404
    assert len(mocked.calls) == 0
    theirs.refresh_from_db()
    assert theirs.last_run_at is None


FOUNDERS_URL = "https://www.linkedin.com/search/results/people/?keywords=founder"


def lix_page(start, *people, total=60):
    return {"people": list(people), "paging": {"count": 25, "start": start, "total": total}}


def marked_rows(page):
    rows = re.findall(r"<tr><td><input.*?</tr>", page, re.S)
    return {_name(row): ">New<" in row for row in rows}


def _name(row):
    return next(name for name in ("Ann A", "Ben B", "Cat C", "Dan D", "Eve E") if name in row)


def run_confirmed(client, url):
    """Follows a link to a paid search page: the page asks first, then the confirmation runs it."""
    asked = client.get(html.unescape(url)).content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', asked))
    return fields, client.post(reverse("search_lix"), fields).content.decode()


def next_page_url(page):
    return re.search(r'href="([^"]+)">Next page', page).group(1)


def test_a_saved_search_keeps_its_run_across_pages_and_a_new_run_starts_from_the_saved_page(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lix")
    # Its previous run found Ann (page 1) and Cat (page 2).
    saved = SavedSearch.objects.create(
        team=team_a,
        owner=alice,
        name="Founders",
        provider="lix",
        kind="linkedin_people",
        query={"url": FOUNDERS_URL},
        last_result_keys=["linkedin:ann-a", "linkedin:cat-c"],
    )
    mocked.get(LIX_SEARCH, json=lix_page(0, person("ann-a", "Ann A"), person("ben-b", "Ben B")))
    _fields, page = run_confirmed(
        alice_client, alice_client.get(reverse("saved_search_run", args=[saved.pk])).url
    )
    assert marked_rows(page) == {"Ann A": False, "Ben B": True}
    saved.refresh_from_db()
    assert saved.previous_result_keys == ["linkedin:ann-a", "linkedin:cat-c"]
    assert saved.last_result_keys == ["linkedin:ann-a", "linkedin:ben-b"]

    # Page 2 of this run: still the saved search's, marked against the previous run, adding to this one.
    mocked.replace("GET", LIX_SEARCH, json=lix_page(25, person("cat-c", "Cat C"), person("dan-d", "Dan D")))
    fields, page = run_confirmed(alice_client, next_page_url(page))
    assert fields["saved"] == str(saved.pk) and fields["page"] == "2" and fields["saved_run"] == "continue"
    assert marked_rows(page) == {"Cat C": False, "Dan D": True}
    saved.refresh_from_db()
    assert saved.previous_result_keys == ["linkedin:ann-a", "linkedin:cat-c"]
    assert saved.last_result_keys == ["linkedin:ann-a", "linkedin:ben-b", "linkedin:cat-c", "linkedin:dan-d"]
    assert "saved_run=continue" in html.unescape(next_page_url(page))

    # Run again from the saved page: a new run, compared with the whole run before it.
    mocked.replace("GET", LIX_SEARCH, json=lix_page(0, person("ann-a", "Ann A"), person("eve-e", "Eve E")))
    _fields, page = run_confirmed(
        alice_client, alice_client.get(reverse("saved_search_run", args=[saved.pk])).url
    )
    assert marked_rows(page) == {"Ann A": False, "Eve E": True}
    saved.refresh_from_db()
    assert saved.previous_result_keys == [
        "linkedin:ann-a",
        "linkedin:ben-b",
        "linkedin:cat-c",
        "linkedin:dan-d",
    ]
    assert saved.last_result_keys == ["linkedin:ann-a", "linkedin:eve-e"]


def test_paging_an_unsaved_search_marks_nothing_new(mocked, key_for, alice_client):
    key_for("lix")
    mocked.get(LIX_SEARCH, json=lix_page(0, person("ann-a", "Ann A"), person("ben-b", "Ben B")))
    _fields, page = run_confirmed(alice_client, f"{reverse('search_lix')}?run=1&url={FOUNDERS_URL}")
    assert marked_rows(page) == {"Ann A": False, "Ben B": False}
    assert "saved" not in html.unescape(next_page_url(page))
    assert not SavedSearch.objects.exists()


def _first_page_of_a_saved_run(client, mocked, team, owner):
    """A saved search whose last run found Ann, run again: Ann and Ben on its first page."""
    saved = SavedSearch.objects.create(
        team=team,
        owner=owner,
        name="Founders",
        provider="lix",
        kind="linkedin_people",
        query={"url": FOUNDERS_URL},
        last_result_keys=["linkedin:ann-a"],
    )
    mocked.get(LIX_SEARCH, json=lix_page(0, person("ann-a", "Ann A"), person("ben-b", "Ben B")))
    _fields, page = run_confirmed(client, client.get(reverse("saved_search_run", args=[saved.pk])).url)
    return saved, re.search(r'name="state" value="([^"]+)"', page).group(1)


def test_keeping_rows_of_a_saved_searchs_run_keeps_its_marks_and_its_paging(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lix")
    saved, state = _first_page_of_a_saved_run(alice_client, mocked, team_a, alice)
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["1"]}).content.decode()
    assert "Kept 1 person" in kept
    # Still the saved search's run: Ben is still new since its last run, and the next page continues it.
    assert marked_rows(kept) == {"Ann A": False, "Ben B": True}
    assert "Founders" in kept
    following = html.unescape(next_page_url(kept))
    assert f"saved={saved.pk}" in following and "saved_run=continue" in following


def test_a_saved_search_deleted_meanwhile_leaves_the_page_keepable_without_its_marks(
    mocked, key_for, alice_client, team_a, alice
):
    key_for("lix")
    saved, state = _first_page_of_a_saved_run(alice_client, mocked, team_a, alice)
    saved.delete()
    kept = alice_client.post(reverse("search_keep"), {"state": state, "selected": ["1"]}).content.decode()
    assert "Kept 1 person" in kept
    assert marked_rows(kept) == {"Ann A": False, "Ben B": False}
    assert "saved=" not in html.unescape(next_page_url(kept))
