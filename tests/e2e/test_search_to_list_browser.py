"""A member searches Lix on the sandbox, keeps three rows into a new list, exports that list, and imports
the exported file into a second list: the second list holds the same people, and no one is duplicated."""

import pytest
from playwright.sync_api import expect

from prospecting.models import Person, ProspectList
from prospecting.services.keys import connect_sandbox_key
from tests.e2e.conftest import log_in
from tests.sandbox.conftest import sandbox_urls

pytestmark = pytest.mark.e2e

URL = "https://www.linkedin.com/search/results/people/?keywords=founder"


def test_search_keep_into_a_new_list_export_and_reimport_without_duplicates(
    page, live_server, sandbox, settings, team_a, alice, tmp_path
):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    log_in(page, live_server, alice.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("LinkedIn or Sales Navigator search URL").fill(URL)
    page.get_by_role("button", name="Search · up to 1 standard credit a page").click()
    page.get_by_role("button", name="Search and spend 1 standard credit").click()
    for row in range(3):
        page.locator(f"#row-{row}").check()
    page.get_by_label("Also add them to").select_option(label="a new list named…")
    page.get_by_label("New list name").fill("Founders")
    page.get_by_role("button", name="Keep selected").click()
    expect(page.locator(".messages")).to_contain_text(
        "Kept 3 people in your records and added 3 to the list “Founders”."
    )
    expect(page.locator("tbody").get_by_text("In Founders")).to_have_count(3)
    assert Person.objects.for_team(team_a).count() == 3

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    page.get_by_role("link", name="Founders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Founders")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = tmp_path / "founders.csv"
    download.value.save_as(exported)

    page.goto(f"{live_server.url}/lists/")
    page.get_by_label("Name").fill("Founders again")
    page.get_by_role("button", name="Create list").click()
    page.get_by_role("link", name="Import CSV").click()
    page.get_by_label("CSV file").set_input_files(str(exported))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Import 3 rows").click()
    expect(
        page.get_by_text("Imported 3 of 3 rows: 0 new people, 3 already kept; 3 added to the list.")
    ).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(4)
    again = ProspectList.objects.get(team=team_a, name="Founders again")
    founders = ProspectList.objects.get(team=team_a, name="Founders")
    assert set(again.entries.values_list("person_id", flat=True)) == set(
        founders.entries.values_list("person_id", flat=True)
    )
    assert Person.objects.for_team(team_a).count() == 3
