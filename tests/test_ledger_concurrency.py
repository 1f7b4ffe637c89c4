"""Concurrent reservations never overspend: 50 threads, each its own PostgreSQL connection, against a
budget with room for 10 one-credit calls. The budget rows' locks (select_for_update) make them take turns;
the refused ones never reach the provider. SQLite serialises writers by itself (immediate transactions),
and its single writer makes the race this test looks for impossible, so it runs on PostgreSQL only."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import responses
from django.db import connection, connections

from prospecting.models import Budget, EntryKind, LedgerEntry, ProviderCall
from prospecting.providers.lix import LixClient
from prospecting.services import ledger
from prospecting.services.ledger import BudgetExceeded
from prospecting.services.provider_calls import call_provider
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("limit", ["member", "team cap"])
def test_fifty_concurrent_calls_with_room_for_ten_make_exactly_ten(limit, key_for, team_a, alice, bob):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL")
    key_for("lix")
    members = [bob] if limit == "member" else [alice, bob]
    # 12 a month, 2 already spent: room for 10 one-credit calls.
    Budget.objects.create(
        team=team_a, user=bob if limit == "member" else None, credit_type=STANDARD, monthly_limit=12
    )
    ledger.settle_hold(
        ledger.Hold(team_id=team_a.pk, user_id=bob.pk, provider="lix"), confirmed={STANDARD: 2}
    )
    arrived, lock = [], threading.Lock()

    def provider(request):
        with lock:
            arrived.append(request.url)
        return 200, {}, '{"name": "Ada"}'

    start = threading.Barrier(THREADS)

    def one(index):
        try:
            start.wait()
            call_provider(
                team=team_a,
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
            outcomes = list(pool.map(one, range(THREADS)))
    assert outcomes.count("called") == 10 and outcomes.count("refused") == 40
    assert len(arrived) == 10 and ProviderCall.objects.count() == 10
    assert LedgerEntry.objects.filter(kind=EntryKind.RESERVE).count() == 10
    scope = bob if limit == "member" else None
    assert ledger.spent_credits(team=team_a, user=scope, credit_type=STANDARD) == 12
    assert ledger.remaining_budget(team=team_a, user=scope, credit_type=STANDARD) == (0, 12)
