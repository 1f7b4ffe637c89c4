"""A member searches Lix on the sandbox by pasting a LinkedIn search URL, is told the page's price and
confirms it, ticks two rows and keeps them; the kept rows then show as records the team has."""

import pytest
from playwright.sync_api import expect

from prospecting.models import Person
from prospecting.services.keys import connect_sandbox_key
from tests.e2e.conftest import log_in
from tests.sandbox.conftest import sandbox_urls

pytestmark = pytest.mark.e2e

URL = "https://www.linkedin.com/search/results/people/?keywords=founder"


def test_search_lix_on_the_sandbox_confirm_the_price_and_keep_two_rows(
    page, live_server, sandbox, settings, team_a, alice
):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    log_in(page, live_server, alice.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("LinkedIn or Sales Navigator search URL").fill(URL)
    page.get_by_role("button", name="Search · up to 1 standard credit a page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run this LinkedIn people search?")
    page.get_by_role("button", name="Search and spend 1 standard credit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LinkedIn people search")
    page.locator("#row-0").check()
    page.locator("#row-1").check()
    page.get_by_role("button", name="Keep selected").click()
    expect(page.locator(".messages")).to_contain_text("Kept 2 people in your records.")
    expect(page.locator("tbody .badge-valid")).to_have_count(2)
    assert Person.objects.for_team(team_a).count() == 2
