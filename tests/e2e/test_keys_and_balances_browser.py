"""What an admin sees after pressing Test, and on the Balances page while a refresh runs and after it,
at phone and desktop widths (screenshots under var/screens for a person to look at)."""

from datetime import timedelta

import pytest
import responses
from django.conf import settings
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import KeyStatus
from prospecting import tasks
from prospecting.services.keys import add_provider_key
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

WIDTHS = {"phone": 375, "desktop": 1280}
LIX_BALANCES = {"emailBalance": 120, "linkedInBalance": 4000}
LIX_DAILY = {"requestsRemaining": 4321, "refreshesAt": 1798761600}


@pytest.fixture(params=sorted(WIDTHS))
def sized_page(request, browser):
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width_name = request.param
    yield page
    connections.close_all()
    context.close()


def screenshot(page, name):
    folder = settings.VAR_DIR / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{page.width_name}.png"), full_page=True)


def key(team, actor, provider, **options):
    return add_provider_key(
        team=team, actor=actor, provider=provider, secret=f"{provider}-key-0000",
        options={"rate_limits": [[1000, 1]], **options},
    )  # fmt: skip


def open_keys_page(page, live_server, alice):
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/keys/")


@pytest.fixture
def provider(live_server):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_passthru(live_server.url)
        yield mocked


def test_testing_a_working_key_again_shows_the_verdict_and_when(
    sized_page, live_server, provider, alice, team_a
):
    lix = key(team_a, alice, "lix")
    lix.status, lix.checked_at = KeyStatus.VALID, timezone.now() - timedelta(hours=2)
    lix.save()
    provider.get("https://api.lix-it.com/v1/account/balances", json=LIX_BALANCES)
    page = sized_page
    open_keys_page(page, live_server, alice)
    row = page.locator("#provider-lix")
    expect(row).to_contain_text("tested 2\xa0hours ago")
    row.get_by_role("button", name="Test").click()
    expect(row).to_contain_text("Works · tested just now")
    screenshot(page, "keys-after-test")


def test_a_test_that_fails_on_quarrys_side_says_so_in_place(page, live_server, alice, team_a, monkeypatch):
    key(team_a, alice, "lix")

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("prospecting.views.keys.check_provider_key", broken)
    open_keys_page(page, live_server, alice)
    row = page.locator("#provider-lix")
    row.get_by_role("button", name="Test").click()
    expect(row.get_by_role("alert")).to_contain_text("Something went wrong on Quarry's side (error 500)")


def test_a_linkup_test_says_it_costs_a_credit_and_asks_first(page, live_server, provider, alice, team_a):
    key(team_a, alice, "linkup", country="FR")
    check = provider.get("https://api.linkupapi.com/v1/check", json={"status": "success"})
    open_keys_page(page, live_server, alice)
    button = page.locator("#provider-linkup").get_by_role("button", name="Test (1 credit)")
    assert "bills every key check" in button.get_attribute("title")

    page.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    expect(page.locator("#provider-linkup")).to_contain_text("Not tested yet")
    assert check.call_count == 0

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    button.click()
    expect(page.locator("#provider-linkup")).to_contain_text("Works · tested just now")
    assert check.call_count == 1 and "costs 1 credit" in questions[0]


def test_refresh_shows_progress_then_each_cards_figures(
    sized_page, live_server, provider, alice, team_a, monkeypatch
):
    key(team_a, alice, "lix")
    key(team_a, alice, "linkup", country="FR")
    provider.get("https://api.lix-it.com/v1/account/balances", json=LIX_BALANCES)
    provider.get("https://api.lix-it.com/v1/account/allowances/daily", json=LIX_DAILY)
    enqueued = []
    # No worker in this test: it runs the enqueued tasks itself, as a worker would, while the page polls.
    monkeypatch.setattr(tasks.refresh_balances_of_key, "delay", lambda *args: enqueued.append(args))
    page = sized_page
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/balances/")
    expect(page.get_by_text("Refreshing costs no credits")).to_be_visible()
    page.get_by_role("button", name="Refresh from the providers").click()

    lix = page.locator("#balance-lix")
    expect(lix).to_contain_text("Refreshing…")
    expect(page.locator("#balance-linkup")).to_contain_text("Refreshing…")
    expect(page.get_by_role("button", name="Refreshing…")).to_be_disabled()
    screenshot(page, "balances-refreshing")

    for args in enqueued:
        tasks.refresh_balances_of_key(*args)
    expect(lix).to_contain_text("4,321")
    expect(lix).to_contain_text("2027-01-01 00:00 UTC")
    expect(page.locator("#balance-linkup")).to_contain_text("no balance endpoint")
    expect(page.get_by_role("button", name="Refresh from the providers")).to_be_enabled()
    expect(page.locator("#balances-live")).not_to_have_attribute("hx-trigger", "every 1s")
    # Long values (Lix's reset time) wrap inside their card.
    assert (
        page.eval_on_selector_all(
            ".balance-card", "cards => Math.max(0, ...cards.map(c => c.scrollWidth - c.clientWidth))"
        )
        == 0
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[page.width_name]
    screenshot(page, "balances-refreshed")


def test_refresh_without_javascript_shows_progress_and_reloads_itself(
    browser, live_server, alice, team_a, monkeypatch
):
    key(team_a, alice, "lix")
    monkeypatch.setattr(tasks.refresh_balances_of_key, "delay", lambda *args: None)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/balances/")
    page.get_by_role("button", name="Refresh from the providers").click()
    expect(page.locator("#balance-lix")).to_contain_text("Refreshing…")
    assert page.locator("noscript").count() >= 1
    connections.close_all()
    context.close()
