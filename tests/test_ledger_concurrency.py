"""Concurrent reservations never overspend: 50 threads, each with its own database connection, against a
budget with room for 10 one-credit calls. On PostgreSQL the budget rows' locks (select_for_update) make
them take turns; SQLite, the embedded default, serialises writers by itself (immediate transactions).
The refused ones never reach the provider. And a late answer racing the expiry task (PostgreSQL: its
row lock is what keeps them apart) settles the hold once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import responses
from django.db import OperationalError, connection, connections

from accounts.models import Role
from prospecting.models import Budget, CallState, CreditUsage, EntryKind, LedgerEntry, ProviderCall
from prospecting.providers.lix import LixClient
from prospecting.services import ledger
from prospecting.services.keys import add_provider_key
from prospecting.services.ledger import BudgetExceeded
from prospecting.services.provider_calls import call_provider, open_call
from tests.conftest import SECRET, make_member
from tests.test_provider_calls import PROFILE

THREADS = 50
STANDARD = "lix_standard"


class OpenLimiter:
    """No rate limit: the race is between the reservations alone."""

    def acquire(self, buckets, *, max_wait):
        return None

    def done(self, slot):
        pass

    def block(self, buckets, seconds):
        pass


def connect_patiently(seconds=60):
    # The PostgreSQL server is shared (other test runs, max_connections): wait for a free connection
    # before the race starts, rather than fail on "too many clients".
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection.ensure_connection()
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def race(team, members):
    """50 calls at once, spread over `members`: what each got, and the requests the provider received."""
    arrived, lock = [], threading.Lock()
    start = threading.Barrier(THREADS, timeout=120)

    def provider(request):
        with lock:
            arrived.append(request.url)
        return 200, {}, '{"name": "Ada"}'

    def one(index):
        try:
            connect_patiently()
            start.wait()
            call_provider(
                team=team,
                user=members[index % len(members)],
                provider="lix",
                endpoint=LixClient.person_by_linkedin,
                limiter=OpenLimiter(),
                profile_link=PROFILE,
            )
            return "called"
        except BudgetExceeded:
            return "refused"
        finally:
            connections.close_all()  # this thread's own connection

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_callback("GET", "https://api.lix-it.com/v1/person", callback=provider)
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(one, range(THREADS))), arrived


# One test for both budgets, run one after the other: each race holds 50 connections.
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_calls_with_room_for_ten_make_exactly_ten(team_a, alice, bob, team_b, carol):
    dave = make_member(team_b, "dave@b.test", Role.MEMBER, "Dave")
    scenarios = [(team_a, alice, bob, [bob]), (team_b, carol, None, [carol, dave])]  # bob's budget; B's cap
    for team, admin, whose, members in scenarios:
        options = {"rate_limits": [[1000, 1]]}
        add_provider_key(team=team, actor=admin, provider="lix", secret=SECRET, options=options)
        # 12 a month, 2 already spent: room for 10 one-credit calls.
        Budget.objects.create(team=team, user=whose, credit_type=STANDARD, monthly_limit=12)
        spender = ledger.Hold(team_id=team.pk, user_id=members[0].pk, provider="lix")
        ledger.settle_hold(spender, confirmed={STANDARD: 2})
        outcomes, arrived = race(team, members)
        assert outcomes.count("called") == 10 and outcomes.count("refused") == 40
        assert len(arrived) == 10 and ProviderCall.objects.filter(team=team).count() == 10
        assert LedgerEntry.objects.filter(team=team, kind=EntryKind.RESERVE).count() == 10
        assert ledger.spent_credits(team=team, user=whose, credit_type=STANDARD) == 12
        assert ledger.remaining_budget(team=team, user=whose, credit_type=STANDARD) == (0, 12)
        # The running totals the budget check read, kept by 50 racing transactions, are what the entries say.
        kept = sorted(CreditUsage.objects.for_team(team).values_list("user_id", "month", "spent", "held"))
        ledger.rebuild_usage(team=team)
        assert (
            sorted(CreditUsage.objects.for_team(team).values_list("user_id", "month", "spent", "held"))
            == kept
        )


@pytest.mark.django_db(transaction=True)
def test_a_late_answer_racing_the_expiry_task_settles_each_hold_once(key_for, team_a, bob):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL")
    key = key_for("lix")
    for _ in range(20):
        hold = ledger.reserve_credits(team=team_a, user=bob, provider="lix", credits={"standard": 1})
        row = open_call(team=team_a, user=bob, key=key, endpoint="person_by_linkedin", hold=hold.id)
        # The answer arrives just as the hold expires: the call settles it (captures 1, confirmed) while
        # the task settles it as an unknown outcome (captures 1, unconfirmed). One of them, once.
        row.state, row.credits, row.credits_unconfirmed = CallState.DONE, {"standard": 1}, {}
        start = threading.Barrier(2, timeout=60)

        def settle(way, hold=hold, row=row, start=start):
            try:
                connect_patiently()
                start.wait()
                return way(hold, row)
            finally:
                connections.close_all()

        ways = [
            lambda hold, row: ledger.settle_call(hold, row),
            lambda hold, row: ledger.expire_hold(hold.id),
        ]
        with ThreadPoolExecutor(2) as pool:
            wrote = list(pool.map(settle, ways))
        assert sorted(wrote) == [False, True]
        moved = LedgerEntry.objects.filter(hold=hold.id, kind__in=[EntryKind.CAPTURE, EntryKind.RELEASE])
        assert [entry.amount for entry in moved] == [1]
