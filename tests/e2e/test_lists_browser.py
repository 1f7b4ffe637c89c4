"""In a browser: create a list, filter it, export it, and import the exported file into a second list
without creating a single duplicate."""

import pytest
from playwright.sync_api import expect

from prospecting.models import Person, ProspectList
from prospecting.providers.facts import PersonFacts
from prospecting.services.lists import add_to_list
from prospecting.services.records import keep_people
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_list_is_created_filtered_exported_and_reimported_without_duplicates(
    page, live_server, alice, team_a, tmp_path
):
    log_in(page, live_server, alice.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    expect(page.get_by_text("No lists yet")).to_be_visible()
    page.get_by_label("Name").fill("Q3 targets")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Q3 targets")
    expect(page.get_by_text("No people in this list yet")).to_be_visible()

    first = ProspectList.objects.get(team=team_a, name="Q3 targets")
    people = keep_people(
        team=team_a,
        user=alice,
        facts=[
            PersonFacts(
                linkedin_url=f"https://www.linkedin.com/in/person-{i}/",
                full_name=f"Person {i}",
                title="CTO" if i % 2 else "Engineer",
                company_name="Acme",
                emails=((f"p{i}@acme.test", "valid"),),
            )
            for i in range(6)
        ],
        source="lusha",
    )
    add_to_list(prospect_list=first, people=people, user=alice)
    page.reload()
    expect(page.get_by_role("row")).to_have_count(7)
    page.get_by_label("Title").fill("cto")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("row")).to_have_count(4)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = tmp_path / "q3.csv"
    download.value.save_as(exported)
    assert exported.read_text(encoding="utf-8-sig").count("@acme.test (valid, lusha)") == 6

    page.goto(f"{live_server.url}/lists/")
    page.get_by_label("Name").fill("Second")
    page.get_by_role("button", name="Create list").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(exported))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Email", exact=True)).to_have_value("email")
    page.get_by_role("button", name="Import 6 rows").click()
    expect(
        page.get_by_text("Imported 6 of 6 rows: 0 new people, 6 already kept; 6 added to the list.")
    ).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(7)
    assert Person.objects.filter(team=team_a).count() == 6


def test_the_suppressed_count_appears_after_the_list_page_has_loaded(page, live_server, alice, team_a):
    from prospecting.models import Suppression, SuppressionKind
    from prospecting.services.lists import create_list

    prospect_list = create_list(team=team_a, user=alice, name="Outreach")
    people = keep_people(
        team=team_a,
        user=alice,
        facts=[
            PersonFacts(full_name=f"Person {i}", emails=((f"p{i}@acme.test", "valid"),)) for i in range(3)
        ],
        source="lusha",
    )
    add_to_list(prospect_list=prospect_list, people=people, user=alice)
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="p1@acme.test")

    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/lists/{prospect_list.pk}/")
    # htmx asks for the count once the page is shown, and puts it where "Counting…" was.
    expect(
        page.get_by_text("1 person in this list is on the do-not-contact list: the export leaves them out.")
    ).to_be_visible()
    expect(page.get_by_text("Counting people on the do-not-contact list…")).to_have_count(0)
    expect(page.get_by_role("heading", name="Export including the suppressed people")).to_be_visible()
    expect(page.get_by_role("row", name="Person 1").get_by_text("Suppressed")).to_be_visible()
