import pytest
import responses
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, nav_link

pytestmark = pytest.mark.e2e


def add_key(page, provider_slug, secret):
    page.locator(f"#provider-{provider_slug}").get_by_role("link", name="Add key").click()
    page.get_by_label("API key").fill(secret)
    page.get_by_label("Rate limits").fill("100/s")
    page.get_by_role("button", name="Save key").click()


def test_admin_tests_keys_and_sees_the_providers_verdict(page, live_server, alice):
    with responses.RequestsMock(assert_all_requests_are_fired=True) as provider:
        provider.get(
            "https://api.lusha.com/account/usage", status=401, json={"message": "Invalid API key provided"}
        )
        provider.get(
            "https://api.lix-it.com/v1/account/balances", json={"emailBalance": 120, "linkedInBalance": 4000}
        )
        provider.add_passthru(live_server.url)

        log_in(page, live_server, alice.email)
        nav_link(page, "Provider keys").click()

        add_key(page, "lusha", "lusha-wrong-key-0000")
        lusha = page.locator("#provider-lusha")
        lusha.get_by_role("button", name="Test").click()
        expect(lusha).to_contain_text("Rejected")
        expect(lusha).to_contain_text("Invalid API key provided")

        add_key(page, "lix", "lix-good-key-1111")
        lix = page.locator("#provider-lix")
        lix.get_by_role("button", name="Test").click()
        expect(lix).to_contain_text("Valid")
        expect(page.locator("#provider-lusha")).to_contain_text("Rejected")
