"""The credit ledger: append-only in the database, a reservation before every paid call that budgets can
refuse before anything is sent, then one capture or release per hold on every path (an answer, an unknown
outcome, a refusal before sending, a limiter timeout, a worker that never came back)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from io import StringIO

import pytest
import requests
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import AppendOnlyError
from prospecting.celery import app
from prospecting.models import Budget, CallState, CreditUsage, EntryKind, LedgerEntry, ProviderCall
from prospecting.providers.base import InvalidInput, MalformedResponse, ProviderUnavailable, RateLimited
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import LixClient
from prospecting.providers.lusha import LushaClient
from prospecting.ratelimit import DatabaseStore, RateLimiter
from prospecting.services import ledger
from prospecting.services.ledger import BudgetExceeded, Hold, expire_holds, settle_call
from prospecting.services.provider_calls import call_provider, finish_call, open_call
from prospecting.tasks import settle_expired_holds
from tests.test_provider_calls import PROFILE, call, fixture

LIX_PERSON = "https://api.lix-it.com/v1/person"
LUSHA_PERSON = "https://api.lusha.com/v2/person"
STANDARD = "lix_standard"


def entries(**filters):
    return sorted(
        (e.kind, e.credit_type, e.amount, e.confirmed, e.flagged)
        for e in LedgerEntry.objects.filter(**filters)
    )


def budget(team, credit_type, limit, user=None):
    return Budget.objects.create(team=team, user=user, credit_type=credit_type, monthly_limit=limit)


class NoLimiter:
    """A limiter that must never be asked: the budget is checked before any wait."""

    def acquire(self, buckets, *, max_wait):
        raise AssertionError("the limiter was consulted")


# --- Append-only, in the database ----------------------------------------------------------------------


def _raw(sql, *args):
    # In a savepoint of its own, so the test's transaction survives PostgreSQL's error.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, args)


def test_the_database_refuses_to_update_or_delete_a_ledger_entry(mocked, key_for, team_a, bob):
    # Run in an ordinary test on both databases: on SQLite it also proves conftest put the trigger back
    # after the transactional tests that dropped it for their flush.
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    entry = LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).get()
    table = LedgerEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"UPDATE {table} SET amount = 0.5 WHERE id = %s", entry.pk)  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table} WHERE id = %s", entry.pk)  # noqa: S608
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(f"DELETE FROM {table}")  # noqa: S608
    assert LedgerEntry.objects.get(pk=entry.pk).amount == 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=2)
    with pytest.raises(AppendOnlyError):
        entry.delete()


# --- Reserve, capture, release ------------------------------------------------------------------------


def test_a_paid_call_reserves_its_most_then_captures_what_it_cost(mocked, key_for, team_a, bob):
    key_for("lix")
    seen = []

    def provider(request):
        seen.append(entries(user=bob))  # the hold is committed before the request leaves
        return 200, {}, '{"name": "Ada"}'

    mocked.add_callback("GET", LIX_PERSON, callback=provider)
    result = call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert seen == [[("reserve", STANDARD, 1, True, False)]]
    assert entries() == [("capture", STANDARD, 1, True, False), ("reserve", STANDARD, 1, True, False)]
    capture = LedgerEntry.objects.get(kind=EntryKind.CAPTURE)
    assert capture.call == result.log and capture.hold == result.log.hold != ""
    assert (capture.team, capture.user, capture.provider) == (team_a, bob, "lix")
    assert capture.purpose == "Lix person by linkedin"
    assert capture.idempotency_key == f"{capture.hold}:settle:{STANDARD}:1"


def test_what_the_call_did_not_cost_is_released(mocked, key_for, team_a, bob):
    key_for("lusha")
    body = fixture("lusha", "person")
    body["contact"]["data"]["phoneNumbers"] = []  # an email (1) of the most, an email and a phone (6)
    mocked.get(LUSHA_PERSON, json=body)
    call(team_a, bob, "lusha", LushaClient.person, email="jane@example.com")
    assert entries() == [
        ("capture", "lusha", 1, True, False),
        ("release", "lusha", 5, True, False),
        ("reserve", "lusha", 6, True, False),
    ]
    assert ledger.spent_credits(team=team_a, user=bob, credit_type="lusha") == 1
    assert ledger.held_credits(team=team_a, user=bob, credit_type="lusha") == 0


def test_a_free_call_writes_nothing(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=fixture("lix", "balances"))
    call(team_a, bob, "lix", LixClient.balances)
    assert not LedgerEntry.objects.exists() and ProviderCall.objects.get().hold


def test_a_callers_purpose_is_recorded(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    limiter = RateLimiter(DatabaseStore(), sleep=lambda seconds: None)
    call_provider(
        team=team_a,
        user=bob,
        provider="lix",
        endpoint=LixClient.person_by_linkedin,
        limiter=limiter,
        purpose="Lix profile of “Ada”",
        profile_link=PROFILE,
    )
    assert set(LedgerEntry.objects.values_list("purpose", flat=True)) == {"Lix profile of “Ada”"}


class TimeLimitReached(Exception):
    """What Celery raises inside a task that passes its soft time limit."""


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        ({"body": "<html>not json</html>"}, MalformedResponse),
        ({"body": requests.ReadTimeout("read timed out")}, ProviderUnavailable),
        ({"body": requests.exceptions.ChunkedEncodingError("truncated")}, ProviderUnavailable),
        ({"body": TimeLimitReached()}, TimeLimitReached),
    ],
    ids=["unreadable", "timeout-after-sending", "truncated", "stopped-mid-call"],
)
def test_an_unknown_outcome_is_captured_in_full_unconfirmed_and_flagged(
    mocked, key_for, team_a, bob, answer, raised
):
    key_for("lix")
    mocked.get(LIX_PERSON, **answer)
    with pytest.raises(raised):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert entries() == [("capture", STANDARD, 1, False, True), ("reserve", STANDARD, 1, True, False)]
    row = ProviderCall.objects.get()
    assert row.state == CallState.UNKNOWN and LedgerEntry.objects.get(kind="capture").call == row
    # Spend is never under-counted: the unconfirmed capture counts until reconciliation says otherwise.
    assert ledger.spent_credits(team=team_a, user=bob, credit_type=STANDARD) == 1
    assert mocked.calls and len(mocked.calls) == 1


def test_a_call_that_never_reached_the_provider_releases_its_hold(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, body=requests.ConnectTimeout("connect timed out"))
    with pytest.raises(ProviderUnavailable):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert entries() == [("release", STANDARD, 1, True, False), ("reserve", STANDARD, 1, True, False)]


def test_a_call_refused_before_sending_releases_everything_and_leaves_no_row(mocked, key_for, team_a, bob):
    key_for("linkup", country="FR")
    with pytest.raises(InvalidInput):
        call(
            team_a,
            bob,
            "linkup",
            LinkupClient.profile_info,
            linkedin_url="not a url",
            login_token="li-session",
        )
    assert not mocked.calls and not ProviderCall.objects.exists()
    assert entries() == [("release", "linkup", 1, True, False), ("reserve", "linkup", 1, True, False)]
    assert LedgerEntry.objects.get(kind="release").call is None


def test_a_limiter_timeout_releases_the_hold(mocked, key_for, team_a, bob):
    key_for("lix", rate_limits=[[1, 60]])
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    limiter = RateLimiter(DatabaseStore(), sleep=lambda seconds: None)
    common = {"team": team_a, "user": bob, "provider": "lix", "limiter": limiter, "max_wait": 0}
    call_provider(endpoint=LixClient.person_by_linkedin, profile_link=PROFILE, **common)
    with pytest.raises(RateLimited):
        call_provider(endpoint=LixClient.person_by_linkedin, profile_link=PROFILE, **common)
    assert len(mocked.calls) == 1 and ProviderCall.objects.count() == 1
    held_back = LedgerEntry.objects.exclude(hold=ProviderCall.objects.get().hold)
    assert sorted((e.kind, e.amount) for e in held_back) == [("release", 1), ("reserve", 1)]


def test_settling_a_hold_twice_writes_it_once(mocked, key_for, team_a, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    row = call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE).log
    hold = Hold(team_id=team_a.pk, user_id=bob.pk, provider="lix", id=row.hold, reserved={STANDARD: 1})
    before = entries()
    assert settle_call(hold, row) is False
    row.state, row.credits = CallState.UNKNOWN, {}  # a late, different reading changes nothing either
    assert settle_call(hold, row) is False
    assert expire_holds(now=timezone.now() + timedelta(days=1)) == 0
    assert entries() == before


# --- Budgets ----------------------------------------------------------------------------------------------


def test_over_budget_nothing_is_sent_and_the_refusal_says_what_is_left_when_it_resets_and_who_can_raise_it(
    mocked, key_for, team_a, alice, bob, settings
):
    settings.TIME_ZONE = "Europe/Paris"
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    budget(team_a, STANDARD, Decimal("1.5"), user=bob)
    call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    with pytest.raises(BudgetExceeded) as refused:
        call_provider(
            team=team_a,
            user=bob,
            provider="lix",
            endpoint=LixClient.person_by_linkedin,
            limiter=NoLimiter(),
            profile_link=PROFILE,
        )
    assert len(mocked.calls) == 1 and ProviderCall.objects.count() == 1  # nothing sent, no row
    assert LedgerEntry.objects.filter(kind="reserve").count() == 1  # and nothing held
    resets = ledger.next_month_start()
    assert (resets.day, resets.hour, resets.minute) == (1, 0, 0)
    assert refused.value.permanent and refused.value.code == "budget_exceeded"
    assert str(refused.value) == (
        "Your monthly budget of Lix standard credits has 0.5 left of 1.5, and this needs up to 1 Lix "
        f"standard credit, so Quarry did not make the call. It resets on 1 {resets:%B %Y} at 00:00 "
        f"{resets.tzname()} (Europe/Paris). A team admin can raise it: Alice (alice@a.test)."
    )
    assert ledger.remaining_budget(team=team_a, user=bob, credit_type=STANDARD) == (
        Decimal("0.5"),
        Decimal("1.5"),
    )


def test_the_teams_cap_holds_for_every_member(mocked, key_for, team_a, alice, bob):
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    budget(team_a, STANDARD, 2)
    budget(team_a, STANDARD, 10, user=bob)  # bob's own budget has room; the team's has not
    call(team_a, alice, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    with pytest.raises(
        BudgetExceeded, match="Team A's monthly cap on Lix standard credits for the whole team"
    ):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert len(mocked.calls) == 2
    assert ledger.remaining_budget(team=team_a, credit_type=STANDARD) == (0, 2)
    assert ledger.spent_credits(team=team_a, credit_type=STANDARD) == 2


def test_a_member_without_a_budget_or_another_types_budget_is_not_limited(
    mocked, key_for, team_a, alice, bob
):
    key_for("lix")
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    budget(team_a, STANDARD, 0, user=bob)
    budget(team_a, "lix_email", 0, user=alice)
    budget(team_a, "lix_email", 0)
    for _ in range(3):
        call(team_a, alice, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert ledger.remaining_budget(team=team_a, user=alice, credit_type=STANDARD) is None
    with pytest.raises(BudgetExceeded):
        call(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILE)
    assert len(mocked.calls) == 3


def test_open_holds_count_against_the_budget(team_a, bob):
    budget(team_a, "leadiq_uc", Decimal("10.1"), user=bob)
    ledger.reserve_credits(team=team_a, user=bob, provider="leadiq", credits={"uc": 10.1})
    with pytest.raises(BudgetExceeded, match="has 0 left of 10.1"):
        ledger.reserve_credits(team=team_a, user=bob, provider="leadiq", credits={"uc": 0.1})
    assert ledger.held_credits(team=team_a, user=bob, credit_type="leadiq_uc") == Decimal("10.1")


def test_the_rebuilt_running_totals_count_what_spent_and_held_credits_count(team_a, alice, bob):
    # The budget check reads running totals (ledger._used); rebuilt from entries written directly, they
    # count what the ORM's sums of the entries count, over every kind of entry: this month's and last
    # month's captures, settled and open holds, adjustments both ways, another member's, the team's own
    # (no member), another credit type.
    now = timezone.now()
    last_month = ledger.month_start(now) - timedelta(hours=1)

    def entry(kind, amount, *, user=bob, hold="", credit_type=STANDARD, at=now):
        LedgerEntry.objects.create(
            team=team_a,
            user=user,
            provider="lix",
            credit_type=credit_type,
            kind=kind,
            amount=Decimal(amount),
            hold=hold,
            idempotency_key=f"{hold or 'x'}:{kind}:{amount}:{user and user.pk}:{credit_type}:{at}",
            created_at=at,
        )

    entry(EntryKind.CAPTURE, "2", at=last_month)
    entry(EntryKind.CAPTURE, "3")
    entry(EntryKind.CAPTURE, "0.1", credit_type="lix_email")
    entry(EntryKind.ADJUSTMENT, "-1.5")
    entry(EntryKind.ADJUSTMENT, "4", user=None)
    entry(EntryKind.RESERVE, "5", hold="settled")
    entry(EntryKind.CAPTURE, "1", hold="settled")
    entry(EntryKind.RELEASE, "4", hold="settled")
    entry(EntryKind.RESERVE, "7", hold="open")
    entry(EntryKind.RESERVE, "6.25", hold="alices", user=alice)
    entry(EntryKind.CAPTURE, "8", user=alice)
    assert ledger._used(team=team_a, user=bob, credit_types=[STANDARD], team_wide=True, now=now) == {}
    # The migration that brought the totals fills them from the entries already written, as a rebuild does.
    import_module("prospecting.migrations.0014_credit_usage").fill_usage(apps, None)
    filled = usage_rows(team_a)
    assert ledger.rebuild_usage(team=team_a) == 5  # bob's 3 (2 months, 2 types), alice's, the team's own
    assert usage_rows(team_a) == filled

    for credit_type in (STANDARD, "lix_email"):
        used = ledger._used(team=team_a, user=bob, credit_types=[credit_type], team_wide=True, now=now)
        for user in (bob, None):
            expected = ledger.spent_credits(
                team=team_a, user=user, credit_type=credit_type
            ) + ledger.held_credits(team=team_a, user=user, credit_type=credit_type)
            assert used.get((user and user.pk, credit_type), Decimal(0)) == expected
    assert (
        used_of_bob(team_a, bob, now) == Decimal("1.5") + 1 + 7
    )  # 3 - 1.5, the capture of "settled", "open"
    assert (
        ledger._used(team=team_a, user=bob, credit_types=[STANDARD], team_wide=True, now=now)[
            (None, STANDARD)
        ]
        == Decimal("1.5") + 4 + 1 + 7 + Decimal("6.25") + 8
    )


def usage_rows(team):
    rows = CreditUsage.objects.for_team(team).values_list("user_id", "credit_type", "month", "spent", "held")
    return sorted(rows, key=lambda row: (row[0] or 0, *row[1:]))


def test_running_totals_move_with_every_entry_as_a_rebuild_from_the_entries_finds_them(
    key_for, team_a, alice, bob, monkeypatch
):
    # Reserve, settle in every way, expire, adjust, and a hold reserved last month settled this month: the
    # totals kept in each movement's transaction equal those recomputed from the entries.
    lusha = {"credits": 6}
    ledger.settle_hold(
        ledger.reserve_credits(team=team_a, user=bob, provider="lusha", credits=lusha),
        confirmed={"lusha": Decimal(1)},
    )
    ledger.settle_hold(
        ledger.reserve_credits(team=team_a, user=bob, provider="lusha", credits=lusha),
        unconfirmed={"lusha": Decimal(6)},
    )
    ledger.settle_hold(ledger.reserve_credits(team=team_a, user=alice, provider="lusha", credits=lusha))
    expiring = ledger.reserve_credits(team=team_a, user=bob, provider="lix", credits={"standard": 2})
    assert ledger.expire_holds(now=timezone.now() + timedelta(hours=1)) == 1
    ledger.reserve_credits(team=team_a, user=bob, provider="leadiq", credits={"uc": Decimal("10.1")})  # open
    ledger.book_adjustment(
        team=team_a, user=None, provider="lix", credit_type=STANDARD, amount=-3, reason="r", booked_by=alice
    )
    ledger.book_adjustment(
        team=team_a, user=bob, provider="lusha", credit_type="lusha", amount=2, reason="r", booked_by=alice
    )
    last_month = ledger.month_start() - timedelta(minutes=1)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: last_month)
    late = ledger.reserve_credits(team=team_a, user=bob, provider="lix", credits={"standard": 1})
    monkeypatch.setattr(timezone, "now", real_now)
    ledger.settle_hold(late, confirmed={STANDARD: Decimal(1)})
    assert late.reserved_at == last_month and not ledger.settle_hold(expiring)  # settled once

    kept = usage_rows(team_a)
    this_month, before = (
        ledger.month_start().date(),
        last_month.astimezone(ledger.month_start().tzinfo).date(),
    )
    assert (bob.pk, STANDARD, before.replace(day=1), Decimal(0), Decimal(0)) in kept  # held, then no longer
    assert (bob.pk, STANDARD, this_month, Decimal(1), Decimal(0)) in kept  # spent in the month it was
    assert (bob.pk, "leadiq_uc", this_month, Decimal(0), Decimal("10.1")) in kept
    assert (None, STANDARD, this_month, Decimal(-3), Decimal(0)) in kept
    ledger.rebuild_usage(team=team_a)
    assert usage_rows(team_a) == [row for row in kept if any(row[3:])]  # a row that went back to 0, 0 too
    left, _ = ledger.remaining_budget(team=team_a, credit_type="lusha", user=bob) or (None, None)
    assert left is None  # no budget set: no limit


def used_of_bob(team, bob, now):
    return ledger._used(team=team, user=bob, credit_types=[STANDARD], team_wide=False, now=now)[
        (bob.pk, STANDARD)
    ]


def test_last_months_spend_does_not_count_against_this_months_budget(team_a, bob, settings):
    settings.TIME_ZONE = "America/New_York"
    budget(team_a, STANDARD, 1, user=bob)
    last_month = ledger.month_start() - timedelta(minutes=1)
    hold = Hold(team_id=team_a.pk, user_id=bob.pk, provider="lix")
    LedgerEntry.objects.create(
        team=team_a,
        user=bob,
        provider="lix",
        credit_type=STANDARD,
        kind=EntryKind.CAPTURE,
        amount=1,
        hold=hold.id,
        idempotency_key=f"{hold.id}:capture:{STANDARD}",
        created_at=last_month,
    )
    assert ledger.spent_credits(team=team_a, user=bob, credit_type=STANDARD, month=last_month) == 1
    assert ledger.spent_credits(team=team_a, user=bob, credit_type=STANDARD) == 0
    ledger.reserve_credits(team=team_a, user=bob, provider="lix", credits={"standard": 1})


def test_months_are_calendar_months_in_the_configured_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    late_in_january_utc = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)  # already February in Paris
    start = ledger.month_start(late_in_january_utc)
    assert (start.year, start.month, start.day, start.hour, start.tzname()) == (2027, 2, 1, 0, "CET")
    summer = ledger.next_month_start(datetime(2027, 6, 15, tzinfo=UTC))
    assert (summer.month, summer.day, summer.hour, summer.tzname()) == (7, 1, 0, "CEST")
    assert ledger.next_month_start(datetime(2027, 12, 15, tzinfo=UTC)).year == 2028


def test_an_over_budget_search_says_so_on_the_page_and_sends_nothing(
    mocked, key_for, alice_client, alice, team_a
):
    key_for("lix")
    budget(team_a, STANDARD, 0, user=alice)
    page = alice_client.post(
        reverse("search_lix"),
        {"run": "1", "url": "https://www.linkedin.com/search/results/people/?keywords=cto", "confirm": "1"},
    ).content.decode()
    assert "The search did not run" in page
    assert "Your monthly budget of Lix standard credits has 0 left of 0" in page
    assert "A team admin can raise it: Alice (alice@a.test)" in page
    assert "Nothing was sent to Lix and nothing was charged." in page
    assert not mocked.calls and not ProviderCall.objects.exists()


# --- Expiry -------------------------------------------------------------------------------------------------


def _cut_off_call(key, team, user, *, sent=True):
    """A call whose worker was killed: reserved, and (if `sent`) its row written, and nothing more."""
    hold = ledger.reserve_credits(team=team, user=user, provider=key.provider, credits={"standard": 1})
    row = (
        open_call(team=team, user=user, key=key, endpoint="person_by_linkedin", hold=hold.id)
        if sent
        else None
    )
    return hold, row


def test_an_expired_hold_whose_call_was_sent_is_captured_in_full_unconfirmed_and_flagged(
    key_for, team_a, bob
):
    key = key_for("lix")
    hold, row = _cut_off_call(key, team_a, bob)
    assert expire_holds() == 0  # not yet: the call may still answer
    assert expire_holds(now=timezone.now() + timedelta(hours=1)) == 1
    capture = LedgerEntry.objects.get(kind="capture")
    assert (capture.amount, capture.confirmed, capture.flagged, capture.call) == (1, False, True, row)
    assert "outcome unknown" in capture.note
    assert expire_holds(now=timezone.now() + timedelta(hours=1)) == 0


def test_an_expired_hold_whose_call_never_left_is_released_and_flagged(key_for, team_a, bob):
    hold, _ = _cut_off_call(key_for("lix"), team_a, bob, sent=False)
    assert expire_holds(now=timezone.now() + timedelta(hours=1)) == 1
    assert entries(hold=hold.id) == [
        ("release", STANDARD, 1, True, True),
        ("reserve", STANDARD, 1, True, False),
    ]


def test_an_answer_recorded_before_the_hold_expired_is_captured_as_the_call_log_says(key_for, team_a, bob):
    key = key_for("lix")
    hold, row = _cut_off_call(key, team_a, bob)
    done = {"state": CallState.DONE, "credits": {"standard": 1}, "credits_unconfirmed": {}}
    ProviderCall.objects.filter(pk=row.pk).update(**done)
    expire_holds(now=timezone.now() + timedelta(hours=1))
    assert entries(hold=hold.id) == [
        ("capture", STANDARD, 1, True, False),
        ("reserve", STANDARD, 1, True, False),
    ]


def test_a_late_answer_after_expiry_changes_nothing(mocked, key_for, team_a, bob):
    key = key_for("lix")
    hold, row = _cut_off_call(key, team_a, bob)
    expire_holds(now=timezone.now() + timedelta(hours=1))
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    result = LixClient("k", {}).person_by_linkedin(profile_link=PROFILE)
    row = finish_call(row, team=team_a, user=bob, key=key, params={}, result=result)
    assert row.state == CallState.DONE and settle_call(hold, row) is False
    assert entries(hold=hold.id) == [
        ("capture", STANDARD, 1, False, True),
        ("reserve", STANDARD, 1, True, False),
    ]


def test_beat_runs_the_expiry_task_every_few_minutes(key_for, team_a, bob):
    schedule = [
        entry for entry in app.conf.beat_schedule.values() if entry["task"].endswith("settle_expired_holds")
    ]
    assert len(schedule) == 1 and schedule[0]["schedule"].minute == set(range(0, 60, 5))
    _cut_off_call(key_for("lix"), team_a, bob)
    settle_expired_holds()  # nothing has expired yet
    assert not LedgerEntry.objects.filter(kind__in=["capture", "release"]).exists()


def test_the_rebuild_command_recomputes_one_team_or_all(team_a, team_b, bob):
    hold = ledger.reserve_credits(team=team_a, user=bob, provider="lix", credits={"standard": 2})
    ledger.settle_hold(hold, confirmed={STANDARD: Decimal(1)})
    kept = usage_rows(team_a)
    CreditUsage.objects.for_team(team_a).delete()  # derived figures: lost, then found again
    out = StringIO()
    call_command("rebuild_credit_usage", "--team", str(team_a.pk), stdout=out)
    assert "Rebuilt the credit usage of team “Team A” from the ledger: 1 row." in out.getvalue()
    assert usage_rows(team_a) == kept == [(bob.pk, STANDARD, ledger.month_start().date(), 1, 0)]
    call_command("rebuild_credit_usage", stdout=out)
    assert "of every team" in out.getvalue() and usage_rows(team_a) == kept
    with pytest.raises(CommandError, match="No team with id 0"):
        call_command("rebuild_credit_usage", "--team", "0")


@pytest.mark.django_db(transaction=True)
def test_adding_the_ledgers_belongs_to_column_keeps_its_append_only_triggers_on_sqlite():
    # SQLite adds a NOT NULL column by copying the table, which drops its triggers; the migration puts
    # them back, both ways. (Every test re-creates them first, so only a migration run here shows it.)
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL adds a column in place: its trigger stays (test_the_database_refuses...)")

    def triggers():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [LedgerEntry._meta.db_table],
            )
            return sorted(name for (name,) in cursor.fetchall())

    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        for target in ("0014_credit_usage", "0015_ledger_belongs_to"):
            executor.migrate([("prospecting", target)])
            executor.loader.build_graph()
            assert triggers() == ["prospecting_ledger_no_delete", "prospecting_ledger_no_update"], target
    finally:
        executor.migrate(leaves)
