"""An admin sets a member's monthly budget on the Budgets page, in place, and sees it in the table."""

import pytest
from playwright.sync_api import expect

from accounts.models import ProviderKey
from prospecting.models import Budget
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_an_admin_sets_a_members_budget_and_sees_it_in_the_table(page, live_server, alice, bob, team_a):
    ProviderKey.objects.create(team=team_a, provider="lusha", secret="a-long-secret-6789", last4="6789")
    log_in(page, live_server, alice.email)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Team", exact=True).click()
    nav.get_by_role("link", name="Budgets").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Credit budgets")

    field = page.get_by_label("Monthly budget of Bob, Lusha credits")
    field.fill("250")
    field.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Bob's monthly budget of Lusha credits is now 250")
    expect(page.get_by_label("Monthly budget of Bob, Lusha credits")).to_have_value("250")
    bob_row = page.locator("#budget-lusha tr", has_text="Bob")
    expect(bob_row.get_by_role("button", name="Remove")).to_be_visible()
    assert Budget.objects.get(team=team_a, user=bob).monthly_limit == 250
