"""The Spend pages (issue 9, "Dashboard"): the figures of each kind of entry, who sees whose spend, the
drill-down to entries and calls, the CSV export, and constant query counts."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from prospecting.models import (
    ContactPoint,
    FactValue,
    LeadiqPush,
    LedgerEntry,
    Person,
    ProspectList,
    ProviderCall,
)
from prospecting.services import spend
from tests.conftest import make_member

NOVEMBER = datetime(2026, 11, 10, 9, 30, tzinfo=UTC)
MONTH = {"month": "2026-11"}


def book(team, user, kind, amount, *, credit_type="lix_standard", provider="lix", at=NOVEMBER, **fields):
    return LedgerEntry.objects.create(
        team=team,
        user=user,
        provider=provider,
        credit_type=credit_type,
        kind=kind,
        amount=Decimal(str(amount)),
        idempotency_key=f"test:{uuid.uuid4()}",
        created_at=at,
        **fields,
    )


def paid_call(
    team, user, *, reserved, spent, confirmed=True, credit_type="lix_standard", provider="lix", **fields
):
    """A settled call as the ledger service books it: reserve, capture what it cost, release the rest."""
    hold = str(uuid.uuid4())
    sandbox = fields.get("sandbox", False)
    call = ProviderCall.objects.create(
        team=team,
        user=user,
        provider=provider,
        endpoint="search",
        method="GET",
        outcome="ok",
        hold=hold,
        sandbox=sandbox,
    )
    common = {"credit_type": credit_type, "provider": provider, "hold": hold, **fields}
    book(team, user, "reserve", reserved, **common)
    book(team, user, "capture", spent, call=call, confirmed=confirmed, **common)
    if reserved > spent:
        book(team, user, "release", reserved - spent, call=call, **common)
    return call


def bought(call, *, source, at=NOVEMBER):
    """What `call` bought: a person's title and email, kept with the call as their provenance."""
    person = Person.objects.create(team=call.team, full_name="Dana Scully")
    kept = {"team": call.team, "person": person, "source": source, "obtained_at": at, "call": call}
    FactValue.objects.create(field="title", value="Special Agent", **kept)
    ContactPoint.objects.create(kind="email", value="dana@fbi.example", status="valid", **kept)
    return person


def open_hold(team, user, amount, **fields):
    return book(team, user, "reserve", amount, hold=str(uuid.uuid4()), **fields)


def figures(client, **query):
    response = client.get(reverse("spend"), {**MONTH, **query})
    assert response.status_code == 200
    return response


def total(response, credit_type="lix_standard", sandbox=False):
    found = [t for t in response.context["totals"] if t.credit_type == credit_type and t.sandbox == sandbox]
    assert len(found) == 1, response.context["totals"]
    return found[0]


def test_each_kind_of_entry_counts_where_it_belongs(alice_client, team_a, alice):
    paid_call(team_a, alice, reserved=5, spent=3)  # 3 spent, 2 released
    paid_call(team_a, alice, reserved=4, spent=4, confirmed=False)  # outcome unknown: 4 unconfirmed
    open_hold(team_a, alice, 6)  # a call in flight
    book(team_a, alice, "adjustment", "-1.5", note="Lix refunded a failed search", booked_by=alice)
    book(team_a, None, "adjustment", 2, note="Reconciliation")  # the team's own
    response = figures(alice_client)
    lix = total(response)
    assert (lix.spent, lix.unconfirmed, lix.held) == (Decimal("3.5"), Decimal(4), Decimal(6))
    rows = {row.user_id: row for row in response.context["page"].object_list}
    assert (rows[alice.pk].spent, rows[alice.pk].held) == (Decimal("1.5"), Decimal(6))
    assert rows[None].spent == Decimal(2)
    assert rows[alice.pk].calls == 2


def test_a_hold_is_open_per_credit_type_until_settled(team_a, alice, alice_client):
    hold = str(uuid.uuid4())
    book(team_a, alice, "reserve", 1, hold=hold, credit_type="lix_standard")
    book(team_a, alice, "reserve", 2, hold=hold, credit_type="lix_email")
    book(team_a, alice, "release", 1, hold=hold, credit_type="lix_standard")
    response = figures(alice_client)
    assert total(response, "lix_email").held == 2
    # Reserved and released in full: nothing spent, nothing held, no row.
    assert [t.credit_type for t in response.context["totals"]] == ["lix_email"]


def test_credit_types_are_never_added_together(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=1, spent=1, credit_type="lusha", provider="lusha")
    paid_call(
        team_a,
        alice,
        reserved=Decimal("0.5"),
        spent=Decimal("0.1"),
        credit_type="leadiq_uc",
        provider="leadiq",
    )
    response = figures(alice_client)
    assert [t.credit_type for t in response.context["totals"]] == ["lusha", "leadiq_uc"]
    assert "credit spent, confirmed" in response.text  # 1 Lusha credit
    assert "universal credits spent, confirmed" in response.text  # 0.1 LeadIQ universal credits
    assert "credits spent, confirmed" not in response.text.replace("universal credits spent", "")


def test_amounts_and_plurals_read_right():
    assert spend.credits_text(Decimal("1.0000"), "lix_standard") == "1 standard credit"
    assert spend.credits_text(Decimal("0.1000"), "leadiq_uc") == "0.1 universal credits"
    assert spend.credits_text(Decimal(2), "lusha") == "2 credits"
    assert spend.credits_text(Decimal(0), "linkup") == "0 credits"
    assert spend.amount_text(Decimal("12345.5000")) == "12,345.5"
    assert spend.amount_text(Decimal("-1.5")) == "-1.5"
    assert spend.amount_text(Decimal("1E+3")) == "1,000"


def test_entries_outside_the_month_are_not_in_it(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=1, spent=1, at=datetime(2026, 10, 31, 23, 59, tzinfo=UTC))
    paid_call(team_a, alice, reserved=2, spent=2, at=datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    paid_call(team_a, alice, reserved=4, spent=4, at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert total(figures(alice_client)).spent == 2
    assert total(figures(alice_client, month="2026-10")).spent == 1


def test_the_chart_has_a_bar_per_day_and_its_figures_in_words(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=3, spent=3, at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    paid_call(team_a, alice, reserved=5, spent=5, at=datetime(2026, 11, 2, 11, tzinfo=UTC), confirmed=False)
    paid_call(team_a, alice, reserved=7, spent=7, at=datetime(2026, 11, 20, tzinfo=UTC))
    response = figures(alice_client)
    [chart] = response.context["charts"]
    assert chart["buckets"] == 30
    rows = chart["rows"]
    assert '<th scope="row">2 Nov 2026</th><td class="num">3</td><td class="num">5</td>' in rows
    assert '<th scope="row">20 Nov 2026</th><td class="num">7</td><td class="num">0</td>' in rows
    assert '<th scope="row">3 Nov 2026</th><td class="num">0</td><td class="num">0</td>' in rows
    assert "10 standard credits spent in all, and 5 unconfirmed" in chart["desc"]
    # Server-rendered SVG, labelled for screen readers, no script.
    assert response.text.count('<svg class="chart-svg') == 2  # a wide and a narrow drawing
    assert "<title id=" in response.text and "<desc id=" in response.text
    assert "2 Nov 2026: 3 standard credits spent, 5 unconfirmed" in response.text


def test_the_last_twelve_months_by_month(team_a, alice, alice_client):
    today = timezone.localdate()
    paid_call(team_a, alice, reserved=2, spent=2, at=timezone.now() - timedelta(days=1))
    paid_call(team_a, alice, reserved=9, spent=9, at=timezone.now() - timedelta(days=400))
    response = figures(alice_client, month="12m")
    [chart] = response.context["charts"]
    assert chart["buckets"] == 12
    assert chart["spent"] == 2
    yesterday = timezone.localdate() - timedelta(days=1)
    assert f'<th scope="row">{yesterday:%B %Y}</th><td class="num">2</td>' in chart["rows"]
    assert f'<th scope="row">{today:%B %Y}</th>' in chart["rows"]


def test_sandbox_spend_is_marked_and_apart(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=1, spent=1)
    paid_call(team_a, alice, reserved=5, spent=5, sandbox=True)
    response = figures(alice_client)
    assert total(response).spent == 1
    assert total(response, sandbox=True).spent == 5
    assert "badge-sandbox" in response.text
    assert total(figures(alice_client, sandbox="no")).spent == 1


def test_a_member_sees_only_their_own_spend(team_a, alice, bob, bob_client):
    paid_call(team_a, alice, reserved=10, spent=10)
    paid_call(team_a, bob, reserved=3, spent=3)
    for query in ({}, {"member": alice.pk}, {"member": "team"}):
        response = figures(bob_client, **query)
        assert total(response).spent == 3
        assert {row.user_id for row in response.context["page"].object_list} == {bob.pk}
        assert "Alice" not in response.text
    entries = bob_client.get(reverse("spend_entries"), {**MONTH, "member": alice.pk})
    assert {entry.user_id for entry in entries.context["page"].object_list} == {bob.pk}


def test_an_admin_sees_everyone_and_filters_by_member(team_a, alice, bob, alice_client):
    paid_call(team_a, alice, reserved=10, spent=10)
    paid_call(team_a, bob, reserved=3, spent=3)
    assert total(figures(alice_client)).spent == 13
    response = figures(alice_client, member=bob.pk)
    assert total(response).spent == 3
    assert {row.member for row in response.context["page"].object_list} == {"Bob"}
    # Bob leaves the team: his spend stays, and his row still leads to his entries.
    Membership.objects.filter(team=team_a, user=bob).delete()
    response = figures(alice_client, member=bob.pk)
    assert not response.context["form"].errors
    assert total(response).spent == 3
    assert "Bob (no longer a member)" in response.text


def test_no_one_sees_another_teams_spend(team_a, alice, bob, alice_client, team_b, carol, carol_client):
    paid_call(team_b, carol, reserved=50, spent=50)
    paid_call(team_a, bob, reserved=1, spent=1)
    assert total(figures(alice_client)).spent == 1
    assert total(figures(alice_client, member=carol.pk)).held == 0  # an outsider's id is not a choice
    assert figures(alice_client, member=carol.pk).context["form"].errors
    assert total(figures(carol_client)).spent == 50
    lines = exported(alice_client, date_from="2026-11-01", date_to="2026-11-30")
    assert {line["Member email"] for line in lines} == {"bob@a.test"}


def test_empty_states_say_what_spends_credits_and_what_to_do(team_a, alice, alice_client):
    response = figures(alice_client)
    assert "No spend yet" in response.text
    assert "a search on Lix, Lusha or LeadIQ" in response.text
    paid_call(team_a, alice, reserved=1, spent=1, at=datetime(2026, 9, 1, tzinfo=UTC))
    response = figures(alice_client)
    assert "Nothing spent in November 2026" in response.text
    assert "No spend yet" not in response.text


def test_htmx_filters_answer_the_figures_alone(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=1, spent=1)
    response = alice_client.get(reverse("spend"), MONTH, HTTP_HX_REQUEST="true")
    assert response.text.lstrip().startswith('<div id="spend-results">')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    restored = alice_client.get(
        reverse("spend"), MONTH, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restored.text  # back to a pushed URL: the whole page
    page = figures(alice_client)
    # The form works without JavaScript too: a plain GET of the same URL.
    assert 'hx-get="/spend/"' in page.text and 'action="/spend/"' in page.text


def test_the_spend_page_is_in_the_main_navigation(bob_client):
    response = bob_client.get(reverse("home"))
    assert f'href="{reverse("spend")}"' in response.text


def exported(client, **query):
    response = client.get(reverse("spend_export"), query)
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_export_streams_the_ledger_of_any_period(team_a, alice, bob, alice_client):
    paid_call(team_a, alice, reserved=5, spent=3, at=datetime(2026, 10, 1, 0, 0, tzinfo=UTC))
    paid_call(team_a, bob, reserved=2, spent=2, confirmed=False, at=datetime(2026, 11, 15, tzinfo=UTC))
    book(team_a, None, "adjustment", "-0.5", note="Refund", at=datetime(2026, 11, 20, tzinfo=UTC))
    paid_call(team_a, bob, reserved=1, spent=1, at=datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    lines = exported(alice_client, date_from="2026-10-01", date_to="2026-11-30")
    assert [(line["Kind"], line["Amount"], line["Confirmed"]) for line in lines] == [
        ("Reserved", "5", ""),
        ("Spent", "3", "yes"),
        ("Released", "2", ""),
        ("Reserved", "2", ""),
        ("Spent", "2", "no"),
        ("Adjustment", "-0.5", ""),
    ]
    assert lines[0]["Time"] == "2026-10-01T00:00:00+00:00"
    assert lines[0]["Member email"] == "alice@a.test" and lines[3]["Member"] == "Bob"
    assert lines[-1]["Member"] == "The team" and lines[-1]["Note"] == "Refund"


def test_a_member_exports_only_their_own(team_a, alice, bob, bob_client):
    paid_call(team_a, alice, reserved=5, spent=3)
    paid_call(team_a, bob, reserved=1, spent=1)
    lines = exported(bob_client, date_from="2026-11-01", date_to="2026-11-30", member=alice.pk)
    assert {line["Member email"] for line in lines} == {"bob@a.test"}
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"date_from": "2026-11-30", "date_to": "2026-11-01"}, "before it starts"),
        ({"date_from": "30/11/2026", "date_to": "2026-12-01"}, "Enter a date like 2026-11-01."),
        ({"date_to": "2026-12-01"}, "Enter the first day to export."),
        ({"date_from": "1999-12-31", "date_to": "2026-12-01"}, "between the years 2000 and 2099"),
    ],
)
def test_an_invalid_export_period_says_why(alice_client, query, error):
    response = alice_client.get(reverse("spend_export"), query)
    assert response.status_code == 400
    assert not response.streaming
    assert error in response.text


def test_a_row_leads_to_its_entries_and_an_entry_to_its_call(team_a, alice, bob, alice_client):
    call = paid_call(team_a, bob, reserved=5, spent=3)
    paid_call(team_a, alice, reserved=1, spent=1)
    response = figures(alice_client)
    [row] = [row for row in response.context["page"].object_list if row.user_id == bob.pk]
    entries = alice_client.get(f"{reverse('spend_entries')}?{row.entries_query}")
    found = list(entries.context["page"].object_list)
    assert {entry.user_id for entry in found} == {bob.pk} and len(found) == 3
    assert all(reverse("spend_call", args=[call.pk]) in entries.text for _ in found)
    reserve = next(entry for entry in found if entry.kind == "reserve")
    opened = alice_client.get(reverse("spend_entry", args=[reserve.pk]))
    assert opened.url == reverse("spend_call", args=[call.pk])


def test_an_adjustment_has_a_page_of_its_own(team_a, alice, alice_client):
    entry = book(team_a, None, "adjustment", 2, note="Lusha's usage showed two more", booked_by=alice)
    response = alice_client.get(reverse("spend_entry", args=[entry.pk]))
    assert response.status_code == 200
    assert "Lusha&#x27;s usage showed two more" in response.text and "2 standard credits" in response.text


def test_a_call_shows_what_it_bought(team_a, bob, bob_client):
    call = paid_call(team_a, bob, reserved=2, spent=2, credit_type="lusha", provider="lusha")
    person = bought(call, source="lusha")
    response = bob_client.get(reverse("spend_call", args=[call.pk]))
    assert response.status_code == 200
    assert "Special Agent" in response.text and "dana@fbi.example" in response.text
    assert reverse("person_detail", args=[person.pk]) in response.text
    assert len(response.context["entries"]) == 2  # its reservation and capture
    person.delete()  # erased since: what it bought is gone, and the page says so
    response = bob_client.get(reverse("spend_call", args=[call.pk]))
    assert "Nothing from this call is kept now" in response.text


def test_a_member_cannot_open_another_members_entries_or_calls(team_a, alice, bob, bob_client):
    call = paid_call(team_a, alice, reserved=1, spent=1)
    entry = LedgerEntry.objects.filter(call=call).first()
    assert bob_client.get(reverse("spend_call", args=[call.pk])).status_code == 404
    assert bob_client.get(reverse("spend_entry", args=[entry.pk])).status_code == 404


def test_another_teams_entries_and_calls_answer_404(team_b, carol, alice_client):
    call = paid_call(team_b, carol, reserved=1, spent=1)
    entry = LedgerEntry.objects.filter(call=call).first()
    assert alice_client.get(reverse("spend_call", args=[call.pk])).status_code == 404
    assert alice_client.get(reverse("spend_entry", args=[entry.pk])).status_code == 404


@pytest.mark.parametrize("name", ["spend", "spend_entries"])
def test_the_query_count_does_not_grow_with_the_rows(name, team_a, alice, alice_client):
    def count():
        cache.clear()  # every day of the month read from the ledger, none from the cache
        with CaptureQueriesContext(connection) as queries:
            response = alice_client.get(reverse(name), MONTH)
        assert response.status_code == 200
        return len(queries)

    def members(n, start):
        for i in range(start, start + n):
            user = make_member(team_a, f"m{i}@a.test", Role.MEMBER, f"Member {i}")
            paid_call(team_a, user, reserved=2, spent=1)
            open_hold(team_a, user, 1, at=NOVEMBER + timedelta(days=i % 20))

    count()  # the first request of a session also saves the session's team
    members(10, 0)
    ten = count()
    members(90, 10)
    assert count() == ten
    assert len(alice_client.get(reverse(name), MONTH).context["page"].object_list) == 50


def test_a_closed_month_comes_from_the_cache_and_its_holds_are_tested_again(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=5, spent=3)
    hold = open_hold(team_a, alice, 6)
    assert (total(figures(alice_client)).spent, total(figures(alice_client)).held) == (3, 6)
    with CaptureQueriesContext(connection) as cold:
        cache.clear()
        figures(alice_client)
    with CaptureQueriesContext(connection) as warm:
        response = figures(alice_client)
    assert len(warm) == len(cold) - 3  # November's three GROUP BYs, read once
    book(team_a, alice, "release", 6, hold=hold.hold, at=timezone.now())
    response = figures(alice_client)
    assert (total(response).spent, total(response).held) == (3, 0)


def test_today_is_read_at_every_view(team_a, alice, alice_client):
    this_month = {"month": f"{timezone.localdate():%Y-%m}"}
    paid_call(team_a, alice, reserved=5, spent=3, at=timezone.now())
    assert total(figures(alice_client, **this_month)).spent == 3
    paid_call(team_a, alice, reserved=2, spent=2, at=timezone.now())
    assert total(figures(alice_client, **this_month)).spent == 5


def test_the_entries_say_which_reservations_are_still_open(team_a, alice, alice_client):
    paid_call(team_a, alice, reserved=5, spent=3)
    hold = open_hold(team_a, alice, 6, expires_at=NOVEMBER + timedelta(minutes=10))
    response = alice_client.get(reverse("spend_entries"), MONTH)
    flags = {
        entry.pk: entry.is_open for entry in response.context["page"].object_list if entry.kind == "reserve"
    }
    assert flags.pop(hold.pk) is True
    assert list(flags.values()) == [False]
    assert response.text.count(">Open hold<") == 1
    assert "Expires 10 Nov 09:40 UTC" in response.text


def test_twelve_months_are_their_months_added_up_and_old_holds_are_tested_again(
    team_a, alice, bob, alice_client, bob_client
):
    old = timezone.now() - timedelta(days=95)  # a closed month: its sums come from the cache
    paid_call(team_a, alice, reserved=5, spent=3, at=old)
    paid_call(team_a, bob, reserved=2, spent=2, at=old, confirmed=False)
    paid_call(team_a, bob, reserved=1, spent=1)
    hold = open_hold(team_a, bob, 4, at=old)
    year = figures(alice_client, month="12m")
    assert (total(year).spent, total(year).unconfirmed, total(year).held) == (4, 2, 4)
    month = figures(alice_client, month=f"{old:%Y-%m}")
    assert (total(month).spent, total(month).held) == (3, 4)
    # Settled since (say, by the expiry task): no longer held, though its month's sums were cached.
    book(team_a, bob, "release", 4, hold=hold.hold, at=timezone.now())
    year = figures(alice_client, month="12m")
    assert (total(year).spent, total(year).held) == (4, 0)
    # A member's twelve months are their own, never the admin's cached sums.
    mine = figures(bob_client, month="12m")
    assert (total(mine).spent, total(mine).unconfirmed) == (1, 2)
    assert {row.user_id for row in mine.context["page"].object_list} == {bob.pk}


def test_what_an_entry_was_part_of_is_found_in_its_own_team_only(team_a, team_b, alice):
    prospect_list = ProspectList.objects.create(team=team_a, name="Q4 targets", created_by=alice)
    push = LeadiqPush.objects.create(team=team_a, prospect_list=prospect_list, started_by=alice)
    url = reverse("list_push_result", args=[prospect_list.pk, push.pk])
    assert spend.belonging(team=team_a, belongs_to=f"leadiq_push:{push.pk}") == url
    # Another team's id names nothing of this team ("": gone); a one-off call or an unknown kind, None.
    assert spend.belonging(team=team_b, belongs_to=f"leadiq_push:{push.pk}") == ""
    assert spend.belonging(team=team_a, belongs_to="") is None
    assert spend.belonging(team=team_a, belongs_to="enrichment_job:x") is None
