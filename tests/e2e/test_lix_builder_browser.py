"""A member builds a Sales Navigator search on the sandbox: types into a filter, picks a value from the
typeahead (htmx), adds keywords, is told the page's price with the URL built, confirms, sees results."""

import pytest
from playwright.sync_api import expect

from prospecting.services.keys import connect_sandbox_key
from tests.e2e.conftest import log_in
from tests.sandbox.conftest import control, sandbox_urls

pytestmark = pytest.mark.e2e


def test_build_a_sales_navigator_search_with_the_typeahead_and_run_it(
    page, live_server, sandbox, settings, team_a, alice
):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    # Lix's 1 call / 3 s would make the search wait behind the look-up: this test is not about the limit.
    key.options = {**key.options, "rate_limits": [[1000, 1]]}
    key.save()
    control(server, "limits", {"provider": "lix", "windows": [[1000, 1]]})
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/search/lix/")
    page.get_by_role("link", name="Build a Sales Navigator search").click()
    page.get_by_label("Filter", exact=True).select_option("BING_GEO")
    page.get_by_label("Look up").press_sequentially("lond", delay=50)
    include = page.get_by_role("button", name="Include London")
    expect(include).to_be_visible()
    include.click()
    chosen = page.locator("#lix-chosen")
    expect(chosen.get_by_label("Geography: London")).to_be_checked()
    london = _london_id(chosen)
    expect(page.locator("#lix-built-url")).to_have_value(
        "https://www.linkedin.com/sales/search/people?query=(filters:List((type:REGION,values:List("
        f"(id:{london},text:London,selectionType:INCLUDED)))))"
    )
    page.get_by_label("Keywords").fill("sales")
    page.get_by_role("button", name="Search · up to 1 standard credit a page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Run this Sales Navigator lead search?")
    expect(page.get_by_label("The Sales Navigator search Lix will run")).to_have_value(
        f"https://www.linkedin.com/sales/search/people?query=(filters:List((type:REGION,values:List("
        f"(id:{london},text:London,selectionType:INCLUDED)))),keywords:sales)"
    )
    page.get_by_role("button", name="Search and spend 1 standard credit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales Navigator lead search")
    expect(page.locator("tbody tr").first).to_be_visible()
    assert page.locator("tbody tr").count() == 25


def _london_id(chosen):
    # The sandbox's id for London, as the chosen checkbox carries it (facet|include|id|text).
    return chosen.locator("input[name=facets]").first.get_attribute("value").split("|")[2]
