"""The do-not-contact page in a browser: an admin adds an entry, a CSV with a bad row is refused with
its row number, and the page fits a phone's width."""

import os

import pytest
from django.db import connections
from playwright.sync_api import expect

from prospecting.models import Suppression
from tests.e2e.conftest import log_in
from tests.e2e.test_phone_width_browser import assert_nothing_wider_than_the_screen

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("QUARRY_SCREENSHOTS", "")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture(params=[375, 1280], ids=["phone", "desktop"])
def screen(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, request.param
    # The ORM call made beside Playwright's loop holds its own connection (see e2e/conftest.py).
    connections.close_all()
    context.close()


def test_an_admin_keeps_the_list_and_sees_bad_csv_rows_in_words(screen, live_server, alice, tmp_path):
    page, width = screen
    log_in(page, live_server, alice.email)
    page.goto(f"{live_server.url}/team/suppression/")
    expect(page.get_by_role("heading", name="The list is empty")).to_be_visible()
    page.get_by_label("Value").fill("https://www.linkedin.com/in/Jane-Doe/")
    page.get_by_role("button", name="Suppress").click()
    expect(page.get_by_text("LinkedIn profile jane-doe is now suppressed.")).to_be_visible()
    page.get_by_label("Value").fill("jane-doe")
    page.get_by_label("Kind").select_option("linkedin")
    page.get_by_role("button", name="Suppress").click()
    expect(page.get_by_text("LinkedIn profile jane-doe is already suppressed.")).to_be_visible()
    _shot(page, f"suppression-{width}")
    if width == 375:
        assert_nothing_wider_than_the_screen(page)

    csv_file = tmp_path / "dnc.csv"
    csv_file.write_text("email\njo@acme.example\nnot an email\n")
    page.get_by_role("link", name="Import a CSV").click()
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Row 3: “not an email” is not an email address.")).to_be_visible()
    _shot(page, f"suppression-import-{width}")
    assert Suppression.objects.count() == 1
    if width == 375:
        assert_nothing_wider_than_the_screen(page)
