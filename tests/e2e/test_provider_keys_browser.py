import re

import pytest
from playwright.sync_api import expect

from accounts.models import ProviderKey
from tests.e2e.conftest import log_in, nav_link

SECRET = "lix-live-9b8c7d6e5f4a3b2c-K3Y9"

pytestmark = pytest.mark.e2e


def test_admin_adds_a_key_sees_it_masked_and_logs_out(page, live_server, alice, team_a):
    log_in(page, live_server, alice.email)

    nav_link(page, "Provider keys").click()
    lix_row = page.locator("#provider-lix")
    expect(lix_row).to_contain_text("Not configured")
    lix_row.get_by_role("link", name="Add key").click()
    page.get_by_label("API key").fill(SECRET)
    page.get_by_label("Lix viewer_id").fill("ada-lovelace")
    page.get_by_role("button", name="Save key").click()

    expect(page.get_by_text("The Lix key was saved.")).to_be_visible()
    expect(lix_row).to_contain_text("••••K3Y9")
    expect(lix_row).to_contain_text("Not tested yet")
    assert SECRET not in page.content()
    assert ProviderKey.objects.get(team=team_a, provider="lix").secret.reveal() == SECRET

    page.get_by_text(alice.display_name, exact=True).click()  # the user menu
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(f"{live_server.url}/team/keys/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
