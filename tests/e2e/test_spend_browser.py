"""In a browser: a member opens Spend from the main navigation and sees their own figures (not a
colleague's), changes the period in place (htmx), and opens a row's entries.

SPEND_SCREENSHOTS=<folder> also saves the admin's page at 1280 and 375 px there, for a look."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from prospecting.models import ProviderCall
from tests.conftest import make_member
from tests.e2e.conftest import log_in
from tests.test_spend import bought, open_hold, paid_call

pytestmark = pytest.mark.e2e


def test_a_member_opens_spend_and_sees_their_own_figures(page, live_server, team_a, alice, bob):
    now = timezone.now()
    paid_call(team_a, bob, reserved=5, spent=3, at=now)
    paid_call(
        team_a,
        bob,
        reserved=Decimal("0.5"),
        spent=Decimal("0.1"),
        at=now,
        credit_type="leadiq_uc",
        provider="leadiq",
    )
    paid_call(team_a, alice, reserved=40, spent=40, at=now)  # Alice's: never on Bob's page
    paid_call(team_a, bob, reserved=7, spent=7, at=now - timedelta(days=62))

    log_in(page, live_server, bob.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Spend").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spend")
    totals = page.locator(".spend-total")
    expect(totals).to_have_count(2)
    expect(totals.first.locator(".stat")).to_have_text("3")
    expect(totals.first).to_contain_text("standard credits spent, confirmed")
    expect(totals.nth(1).locator(".stat")).to_have_text("0.1")
    expect(totals.nth(1)).to_contain_text("universal credits spent, confirmed")
    expect(page.locator("#spend-results")).not_to_contain_text("40")
    expect(page.get_by_role("img", name="Lix standard credits per day")).to_be_visible()

    # The period changes in place (htmx), and the address follows.
    two_months_ago = (now - timedelta(days=62)).strftime("%Y-%m")
    page.get_by_label("Period").select_option(two_months_ago)
    expect(page.locator(".spend-total")).to_have_count(1)
    expect(page.locator(".spend-total .stat")).to_have_text("7")
    expect(page).to_have_url(
        f"{live_server.url}/spend/?month={two_months_ago}&provider=&credit_type=&sandbox="
    )

    page.get_by_role("link", name="The entries of this row: 1 call").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Entries of")
    expect(page.locator("tbody tr")).to_have_count(2)


@pytest.mark.skipif(
    not os.environ.get("SPEND_SCREENSHOTS"),
    reason="SPEND_SCREENSHOTS=<folder> saves the admin's Spend pages at 1280 and 375 px",
)
def test_screenshots_of_the_admin_page(browser, live_server, team_a, alice, bob):
    folder = os.environ["SPEND_SCREENSHOTS"]
    now = timezone.now()
    members = [alice, bob] + [
        make_member(team_a, f"m{n}@a.test", Role.MEMBER, f"Member {n}") for n in range(4)
    ]
    mix = [("lix", "lix_standard", 1), ("lusha", "lusha", 1), ("leadiq", "leadiq_uc", Decimal("0.1"))]
    for day in range(min(now.day, 28)):
        for n, user in enumerate(members):
            provider, credit_type, scale = mix[(day + n) % 3]
            when = now.replace(day=day + 1, hour=9)
            paid_call(
                team_a,
                user,
                reserved=scale * (3 + n),
                spent=scale * (1 + (day * n) % 3),
                at=when,
                provider=provider,
                credit_type=credit_type,
            )
            if (day + n) % 9 == 0:
                paid_call(
                    team_a,
                    user,
                    reserved=scale * 2,
                    spent=scale * 2,
                    at=when,
                    provider=provider,
                    credit_type=credit_type,
                    confirmed=False,
                )
    open_hold(team_a, bob, 2, provider="lusha", credit_type="lusha", at=now)
    call = ProviderCall.objects.filter(user=bob).first()
    bought(call, source="lix", at=now)
    os.makedirs(folder, exist_ok=True)
    for width, height in ((1280, 900), (375, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, live_server, alice.email)
        page.goto(f"{live_server.url}/spend/")
        page.screenshot(path=f"{folder}/spend-{width}.png", full_page=True)
        total = page.evaluate("document.documentElement.scrollHeight")
        for n, top in enumerate(range(0, total, height)):  # screen by screen, to read at full size
            clip = {"x": 0, "y": top, "width": width, "height": min(height, total - top)}
            page.screenshot(path=f"{folder}/spend-{width}-{n}.png", full_page=True, clip=clip)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/spend/entries/?member={bob.pk}")
        page.screenshot(path=f"{folder}/spend-entries-{width}.png")
        page.goto(f"{live_server.url}/spend/calls/{call.pk}/")
        page.screenshot(path=f"{folder}/spend-call-{width}.png", full_page=True)
        connections.close_all()
        context.close()
