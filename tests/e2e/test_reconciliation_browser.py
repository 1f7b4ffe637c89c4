"""The reconciliation page in a real browser: the flagged difference first with its adjustment form, the
button's run shown as "Reading balances…" until htmx finds it finished, and the page at phone width.
Screenshots go to var/screenshots/ for a human to look at."""

from pathlib import Path
from unittest import mock

import pytest
from django.db import connections
from playwright.sync_api import expect

from prospecting import tasks
from prospecting.models import CreditType, EntryKind, LedgerEntry
from prospecting.services import reconciliation as service
from prospecting.services.keys import connect_sandbox_key
from tests.e2e.conftest import log_in
from tests.e2e.test_phone_width_browser import assert_nothing_wider_than_the_screen
from tests.sandbox.conftest import control, sandbox_urls

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def flagged_team(sandbox, settings, team_a, alice):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    keys = []
    for provider in ("lix", "lookc", "linkup", "lusha", "leadiq"):
        key = connect_sandbox_key(team=team_a, actor=alice, provider=provider)
        key.options = {**key.options, "rate_limits": [[1000, 1]]}
        key.save()
        control(server, "limits", {"provider": provider, "windows": [[1000, 1]]})
        keys.append(key)
    for key in keys:
        service.reconcile_key(key=key, user=alice)
    lix = keys[0]
    control(
        server, "accounts", {"provider": "lix", "key": lix.reveal_secret(), "balances": {"standard": 99_988}}
    )
    for key in keys:
        service.reconcile_key(key=key, user=alice)
    return team_a


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_an_admin_sees_the_flagged_difference_first_and_books_it(live_server, page, flagged_team, alice):
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/reconciliation/")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Lix standard credits")
    expect(first).to_contain_text("Unexplained difference")
    expect(first).to_contain_text("+12")
    expect(page.get_by_text("LinkUp has no balance")).to_be_visible()
    shoot(page, "reconciliation-1280.png")
    page.get_by_label("Reason").first.fill("Spent in Lix's own dashboard")
    page.get_by_role("button", name="Book adjustment").first.click()
    expect(page.get_by_text("Booked an adjustment of +12 Lix standard credits")).to_be_visible()
    assert LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT).amount == 12
    connections.close_all()


def test_the_button_shows_reading_balances_until_the_run_ends(live_server, page, flagged_team, alice):
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/reconciliation/")
    with mock.patch.object(tasks.reconcile_team_task, "delay") as delay:
        page.get_by_role("button", name="Read the providers' figures now").click()
        expect(page.get_by_role("button", name="Reading balances…")).to_be_disabled()
    tasks.reconcile_team_task(delay.call_args.args[0])  # the worker's part
    # htmx asks again every 2 s and stops once the run has ended.
    expect(page.get_by_role("button", name="Read the providers' figures now")).to_be_enabled(timeout=10_000)
    expect(page.get_by_text("Reading balances…")).to_have_count(0)
    connections.close_all()


def test_the_page_fits_a_phone(live_server, browser, flagged_team, alice):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    log_in(phone, live_server, alice.email)
    phone.goto(f"{live_server.url}/team/reconciliation/")
    expect(phone.get_by_role("heading", name="Reconciliation")).to_be_visible()
    assert_nothing_wider_than_the_screen(phone)
    expect(phone.get_by_role("button", name="Read the providers' figures now")).to_be_in_viewport()
    shoot(phone, "reconciliation-375.png")
    assert CreditType.LIX_STANDARD.label in phone.content()
    connections.close_all()
    context.close()
