"""At phone width (375 px) the header fits the screen, the navigation folds behind "Menu", and a
table's buttons stay on screen."""

import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.models import ProviderKey
from tests.e2e.conftest import log_in, nav_link

pytestmark = pytest.mark.e2e

WIDTH = 375
NAV_LINKS = [
    "Overview",
    "Search",
    "People",
    "Lists",
    "Members",
    "Provider keys",
    "Balances",
    "Call log",
    "Audit trail",
]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    connections.close_all()
    context.close()


def overflow(page, selector):
    """How many pixels the widest element matching `selector` is wider than its box (0: it fits)."""
    return page.eval_on_selector_all(
        selector, "elements => Math.max(0, ...elements.map(e => e.scrollWidth - e.clientWidth))"
    )


def assert_on_screen(locator):
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, locator


def assert_nothing_wider_than_the_screen(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert overflow(page, "header.topbar, .topbar-inner, nav.nav, .topbar-right") == 0


def test_at_phone_width_the_header_fits_and_the_nav_opens_behind_menu(phone, live_server, alice, team_a):
    team_a.name = "Acme Sales Development Europe"
    team_a.save()
    log_in(phone, live_server, alice.email)
    assert_nothing_wider_than_the_screen(phone)
    nav = phone.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()

    phone.get_by_text("Menu", exact=True).click()

    for name in NAV_LINKS:
        link = nav_link(phone, name)
        expect(link).to_be_visible()
        assert_on_screen(link)
    assert_nothing_wider_than_the_screen(phone)
    phone.get_by_text(alice.display_name, exact=True).click()  # the user menu, inside the folded area
    assert_on_screen(phone.get_by_role("button", name="Log out"))
    assert_nothing_wider_than_the_screen(phone)

    nav_link(phone, "Members").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Members of Acme Sales Development Europe")
    expect(nav).to_be_hidden()


def test_at_phone_width_every_button_of_the_keys_table_is_on_screen(phone, live_server, alice, team_a):
    for provider in ("lix", "lusha"):
        ProviderKey.objects.create(
            team=team_a, provider=provider, secret="a-long-secret-6789", last4="6789", created_by=alice
        )
    log_in(phone, live_server, alice.email)

    phone.get_by_role("main").get_by_role("link", name="Provider keys").click()  # the overview's link
    expect(phone.get_by_role("heading", level=1)).to_have_text("Provider keys")

    buttons = phone.locator("main table .btn")
    assert buttons.count() >= 8
    for index in range(buttons.count()):
        assert_on_screen(buttons.nth(index))
    assert overflow(phone, "main .table-wrap") == 0
    assert_nothing_wider_than_the_screen(phone)
