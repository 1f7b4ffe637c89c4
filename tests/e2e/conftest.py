import os
import shutil

import pytest
from django.db import connections
from playwright.sync_api import expect

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's event loop must not outlive the test, or every later test
    # in this process would run "inside an async context" and the ORM would refuse to work.
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Browser tests need Debian's chromium: `make test` installs it (apt-get install chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests make are still
    # synchronous and safe here. Set per test so it never leaks into other tests' subprocesses.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    # ORM calls the test made while Playwright's loop ran hold a connection of their own; close it here,
    # in the same context, or PostgreSQL refuses to drop the test database at the end of the run.
    connections.close_all()
    context.close()


TEAM_PAGES = {
    "Members",
    "Provider keys",
    "Balances",
    "Budgets",
    "Call log",
    "Audit trail",
    "Reconciliation",
    "Do not contact",
}


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def nav_link(page, name):
    """A link of the main navigation, opening the Team menu first when it lives there."""
    nav = page.get_by_role("navigation", name="Main")
    if name in TEAM_PAGES and nav.locator("details.nav-menu:not([open])").count():
        nav.get_by_text("Team", exact=True).click()
    return nav.get_by_role("link", name=name)
