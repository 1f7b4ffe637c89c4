"""A member picks a contact location through Lusha's typeahead (htmx), searches Lusha on the sandbox and
sees the contacts found there, each saying it is kept by enriching it."""

import json

import pytest
from django.core import signing
from playwright.sync_api import expect

from prospecting.services.keys import connect_sandbox_key
from prospecting.views.search import STATE_SALT
from tests.e2e.conftest import log_in
from tests.sandbox.conftest import sandbox_urls

pytestmark = pytest.mark.e2e


def test_pick_a_location_through_the_typeahead_and_search_lusha(
    page, live_server, sandbox, settings, team_a, alice
):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    connect_sandbox_key(team=team_a, actor=alice, provider="lusha")
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/search/lusha/")
    page.get_by_label("Job titles").fill("CTO")
    page.get_by_label("Where the contact is").press_sequentially("lond", delay=50)
    london = page.locator("#picks-contact_locations").get_by_label("London, United Kingdom")
    expect(london).to_be_visible()
    expect(london).not_to_be_checked()
    london.check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lusha contact search")
    expect(page.locator("tbody tr").first).to_contain_text("Enrich to keep")
    # The pick travelled with the search, as Lusha gave it.
    state = signing.loads(page.locator('input[name="state"]').first.get_attribute("value"), salt=STATE_SALT)
    assert [json.loads(one)["city"] for one in state["query"]["contact_locations"]] == ["London"]
