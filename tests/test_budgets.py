"""Budgets page: admins set, change and remove a member's monthly budget and the team's cap per credit type
(validated, recorded in the audit trail, in place with htmx or with a redirect); members see their own,
read-only; this month's spend, unconfirmed spend, holds and what is left read as the reservation counts
them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent, Membership
from prospecting.models import Budget, EntryKind, LedgerEntry
from prospecting.services import ledger
from prospecting.services.budgets import budget_sections


def member_url(team, user):
    return reverse("budget_member", args=[Membership.objects.get(team=team, user=user).pk])


def set_limit(client, url, value, credit_type="lusha", **fields):
    return client.post(url, {"credit_type": credit_type, "monthly_limit": value, **fields})


def budget_of(team, user=None, credit_type="lusha"):
    return Budget.objects.for_team(team).filter(user=user, credit_type=credit_type).first()


def budget_events():
    return list(AuditEvent.objects.filter(action=AuditAction.BUDGET_CHANGED).order_by("id"))


def test_an_admin_sets_a_members_budget_and_the_audit_trail_records_it(alice_client, team_a, alice, bob):
    response = set_limit(alice_client, member_url(team_a, bob), "100")
    assert response.status_code == 302 and response["Location"] == reverse("budgets")
    budget = budget_of(team_a, bob)
    assert budget.monthly_limit == 100 and budget.updated_by == alice
    page = alice_client.get(reverse("budgets")).content.decode()
    assert "Bob&#x27;s monthly budget of Lusha credits is now 100 (it was no limit)." in page
    (event,) = budget_events()
    assert (event.actor, event.team, event.target) == (alice, team_a, "bob@a.test")
    details = event.details
    assert (details["credit_type"], details["before"], details["after"]) == ("lusha", None, "100")
    trail = alice_client.get(reverse("accounts:audit_log")).content.decode()
    assert (
        "Changed a credit budget" in trail
        and "bob@a.test → 100 Lusha credits a month (was no limit)" in trail
    )


def test_an_admin_changes_then_removes_a_budget(alice_client, team_a, bob):
    url = member_url(team_a, bob)
    set_limit(alice_client, url, "100")
    set_limit(alice_client, url, "250.5")
    assert budget_of(team_a, bob).monthly_limit == Decimal("250.5")
    set_limit(alice_client, url, "250.5", remove="1")
    assert budget_of(team_a, bob) is None
    page = alice_client.get(reverse("budgets")).content.decode()
    assert "Bob&#x27;s monthly budget of Lusha credits is removed: no limit (it was 250.5)." in page
    assert [(e.details["before"], e.details["after"]) for e in budget_events()] == [
        (None, "100"),
        ("100", "250.5"),
        ("250.5", None),
    ]


def test_a_blank_budget_means_no_limit(alice_client, team_a, bob):
    set_limit(alice_client, member_url(team_a, bob), "7")
    set_limit(alice_client, member_url(team_a, bob), "  ")
    assert budget_of(team_a, bob) is None and len(budget_events()) == 2


def test_setting_the_same_budget_again_changes_and_records_nothing(alice_client, team_a, bob):
    set_limit(alice_client, member_url(team_a, bob), "100")
    set_limit(alice_client, member_url(team_a, bob), "100.0000")
    page = alice_client.get(reverse("budgets")).content.decode()
    assert "Nothing changed: bob&#x27;s monthly budget of Lusha credits was already 100." in page
    assert len(budget_events()) == 1


def test_an_admin_sets_the_teams_cap(alice_client, team_a, alice):
    set_limit(alice_client, reverse("budget_team"), "1 000", credit_type="leadiq_uc")
    cap = budget_of(team_a, None, "leadiq_uc")
    assert cap.monthly_limit == 1000 and cap.updated_by == alice
    (event,) = budget_events()
    assert event.target == "the whole team" and event.details["credit_type"] == "leadiq_uc"
    page = alice_client.get(reverse("budgets")).content.decode()
    assert "The team&#x27;s monthly cap of LeadIQ universal credits is now 1,000 (it was no limit)." in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "A budget cannot be negative: enter 0 or more (0 allows no spending at all)."),
        ("1.23456", "Use at most 4 decimals, such as 12.5 or 0.1."),
        ("lots", "Enter a number of credits, such as 500 or 12.5, or leave it blank for no limit."),
        ("NaN", "Enter a number of credits, such as 500 or 12.5, or leave it blank for no limit."),
        ("1,000", "Write the number without commas: 1000 for a thousand, 12.5 for twelve and a half."),
        ("12345678901", "That is more than Quarry can record: at most 10 digits before the decimal point."),
    ],
)
def test_an_invalid_budget_is_refused_in_words_at_its_row_and_changes_nothing(
    alice_client, key_for, team_a, bob, typed, message
):
    key_for("lusha")
    response = set_limit(alice_client, member_url(team_a, bob), typed)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert f'value="{typed}"' in page and 'aria-invalid="true"' in page  # what was typed, at its row
    assert not Budget.objects.exists() and not budget_events()


def test_an_unknown_credit_type_is_refused(alice_client, team_a, bob):
    response = set_limit(alice_client, member_url(team_a, bob), "5", credit_type="gold")
    assert response.status_code == 400
    assert "Nothing was changed: Choose one of the credit types in the table." in response.content.decode()
    assert not Budget.objects.exists()


def test_zero_and_fractional_budgets_are_kept_exactly(alice_client, team_a, bob):
    set_limit(alice_client, member_url(team_a, bob), "0", credit_type="lusha")
    set_limit(alice_client, member_url(team_a, bob), "0.1", credit_type="leadiq_uc")
    assert budget_of(team_a, bob).monthly_limit == 0
    assert budget_of(team_a, bob, "leadiq_uc").monthly_limit == Decimal("0.1")


def test_in_place_with_htmx_the_tables_come_back_with_the_message(alice_client, key_for, team_a, bob):
    key_for("lusha")
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = alice_client.post(
        member_url(team_a, bob), {"credit_type": "lusha", "monthly_limit": "40"}, **htmx
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page and 'id="budget-tables"' in page
    assert "is now 40" in page and 'value="40"' in page
    wrong = alice_client.post(
        member_url(team_a, bob), {"credit_type": "lusha", "monthly_limit": "-2"}, **htmx
    )
    assert wrong.status_code == 200 and "cannot be negative" in wrong.content.decode()
    assert budget_of(team_a, bob).monthly_limit == 40


def test_a_member_cannot_change_budgets(bob_client, team_a, alice, bob):
    for url in (member_url(team_a, bob), member_url(team_a, alice), reverse("budget_team")):
        assert set_limit(bob_client, url, "1000000").status_code == 403
    assert not Budget.objects.exists() and not budget_events()


def test_another_teams_member_answers_404_and_nothing_changes(alice_client, team_b, carol):
    assert set_limit(alice_client, member_url(team_b, carol), "5").status_code == 404
    assert not Budget.objects.exists()


def test_budget_routes_take_only_posts(alice_client, team_a, bob):
    assert alice_client.get(member_url(team_a, bob)).status_code == 405
    assert alice_client.get(reverse("budget_team")).status_code == 405


# --- The figures ------------------------------------------------------------------------------------------


def spend(team, user, *, confirmed=0, unconfirmed=0, held=0):
    """This month's Lusha spend of `user`: one settled call (its confirmed and unconfirmed parts) and one
    call still under way."""
    if confirmed or unconfirmed:
        total = {"credits": confirmed + unconfirmed}
        hold = ledger.reserve_credits(team=team, user=user, provider="lusha", credits=total)
        sure = {"lusha": Decimal(confirmed)} if confirmed else None
        ledger.settle_hold(
            hold, confirmed=sure, unconfirmed={"lusha": Decimal(unconfirmed)} if unconfirmed else None
        )
    if held:
        ledger.reserve_credits(team=team, user=user, provider="lusha", credits={"credits": held})


def test_the_table_shows_this_months_spend_holds_and_what_is_left_as_the_reservation_counts_them(
    alice_client, key_for, team_a, alice, bob
):
    key_for("lusha")
    Budget.objects.create(team=team_a, user=bob, credit_type="lusha", monthly_limit=20)
    Budget.objects.create(team=team_a, user=None, credit_type="lusha", monthly_limit=100)
    spend(team_a, bob, confirmed=3, unconfirmed=2, held=4)
    spend(team_a, alice, confirmed=10)
    last_month = ledger.month_start() - timedelta(hours=2)
    LedgerEntry.objects.create(  # last month's spend counts against nothing
        team=team_a,
        user=bob,
        provider="lusha",
        credit_type="lusha",
        kind=EntryKind.CAPTURE,
        amount=50,
        idempotency_key="old:capture:lusha",
        created_at=last_month,
    )
    (section,) = budget_sections(team=team_a, providers={"lusha"})
    mine = section.of(bob.pk)
    assert (mine.confirmed, mine.unconfirmed, mine.held, mine.limit, mine.left) == (3, 2, 4, 20, 11)
    assert (mine.left, mine.limit) == ledger.remaining_budget(team=team_a, credit_type="lusha", user=bob)
    assert (section.team.used, section.team.left) == (19, 81)
    assert section.team.left == ledger.remaining_budget(team=team_a, credit_type="lusha")[0]
    page = alice_client.get(reverse("budgets")).content.decode()
    assert "<h2>Lusha credits</h2>" in page and "Spent by Lusha calls" in page
    assert 'value="20"' in page and 'value="100"' in page and ">11<" in page and ">81<" in page
    resets = ledger.next_month_start()
    assert f"Budgets reset on 1 {resets:%B %Y} at 00:00 UTC." in page


def test_a_budget_below_what_was_spent_says_it_is_over(alice_client, key_for, team_a, bob):
    key_for("lusha")
    spend(team_a, bob, confirmed=12)
    set_limit(alice_client, member_url(team_a, bob), "10")
    assert "0 (over by 2)" in alice_client.get(reverse("budgets")).content.decode()


def test_credit_types_shown_are_those_of_the_teams_keys_and_budgets(alice_client, key_for, team_a, bob):
    assert "No credits to budget yet" in alice_client.get(reverse("budgets")).content.decode()
    key_for("lix")
    Budget.objects.create(team=team_a, user=bob, credit_type="leadiq_uc", monthly_limit=5)
    shown = [section.credit_type for section in budget_sections(team=team_a, providers={"lix"})]
    assert shown == ["lix_standard", "lix_organisation", "lix_email", "leadiq_uc"]
    assert "Spent by Lix and LookC calls" in alice_client.get(reverse("budgets")).content.decode()


def test_a_member_sees_only_their_own_budgets_read_only(bob_client, key_for, team_a, alice, bob):
    key_for("lusha")
    Budget.objects.create(team=team_a, user=bob, credit_type="lusha", monthly_limit=30)
    Budget.objects.create(team=team_a, user=alice, credit_type="lusha", monthly_limit=999)
    Budget.objects.create(team=team_a, user=None, credit_type="lusha", monthly_limit=500)
    spend(team_a, bob, confirmed=5)
    spend(team_a, alice, confirmed=77)
    response = bob_client.get(reverse("budgets"))
    page = response.content.decode()
    assert response.status_code == 200 and "Your credit budgets" in page
    assert "Bob" in page and ">25<" in page and ">30<" in page  # his budget and what is left
    assert ">418<" in page and ">500<" in page  # the team's cap and what is left of it
    assert "Alice" not in page.split("<main", 1)[1] and "999" not in page and ">77<" not in page
    assert 'name="monthly_limit"' not in page


def test_the_team_menu_links_to_the_budgets_page(bob_client):
    assert f'href="{reverse("budgets")}"' in bob_client.get(reverse("home")).content.decode()
