"""What the credit ledger adds to a paid call (on demand: `make benchmarks`; issue 9: reserve + capture adds
at most 5 ms median to a call, against the same call without the ledger, measured in the same run).

One paid endpoint (Lix's person look-up, 1 standard credit, its HTTP answered by `responses`) is called
through `call_provider` N times with the ledger and N times without, interleaved (ABAB...) so that a
change of load on the shared machine hits both alike. "Without the ledger" replaces, inside this benchmark
only, the two ledger steps `call_provider` takes (its module's `reserve_credits` and `settle_call_safely`)
with a hold that holds nothing and a settlement that writes nothing; the limiter, the call log row and
everything else stay. Measured twice: with no budget (the default: no row, no limit, the reservation is
one insert) and with a member's monthly budget and the team's cap on the credit type, where every
reservation takes the budgets' row locks and reads the month's running totals first. Each call commits
(a transactional test), as in production.

The team's month is busy before the first call: BENCH_LEDGER_MONTH_ENTRIES (100,000 by default) entries
already this month (calls of a reservation, a capture and a release; one in 50 the member's, the rest
another member's), with their running totals rebuilt, so that the figure holds for a team at the end of a
heavy month and not only for an empty ledger.

Figures are printed and written to var/benchmarks/ledger_overhead.json with the load average; the README
keeps the latest.
"""

import os
import statistics
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prospecting.models import Budget, EntryKind, LedgerEntry
from prospecting.providers.lix import LixClient
from prospecting.services import ledger, provider_calls
from prospecting.services.ledger import Hold
from prospecting.services.provider_calls import call_provider
from tests.benchmarks.figures import save
from tests.test_provider_calls import PROFILE, fixture

CALLS = int(os.environ.get("BENCH_LEDGER_CALLS", 300))
MONTH_ENTRIES = int(os.environ.get("BENCH_LEDGER_MONTH_ENTRIES", 100_000))
WARM_UP = 20
LIX_PERSON = "https://api.lix-it.com/v1/person"
LIMIT_MS = 5.0

pytestmark = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="the ledger benchmark runs on PostgreSQL"
)


class WithoutLedger:
    """The two ledger steps of `call_provider`, replaced by ones that hold and write nothing."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def __enter__(self):
        self.monkeypatch.setattr(provider_calls, "reserve_credits", _hold_nothing)
        self.monkeypatch.setattr(provider_calls, "settle_call_safely", lambda hold, row: False)

    def __exit__(self, *exc):
        self.monkeypatch.undo()


def _hold_nothing(*, team, user, provider, **_ignored):
    return Hold(team_id=team.pk, user_id=user.pk if user else None, provider=provider)


def busy_month(team, member, other):
    """MONTH_ENTRIES entries this month, from the month's start to a minute ago, then VACUUM ANALYZE (what
    autovacuum keeps) and the running totals rebuilt from them."""
    start, now = ledger.month_start(), timezone.now() - timedelta(minutes=1)
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (team_id, user_id, provider, credit_type, kind, amount, confirmed,
                flagged, hold, purpose, belongs_to, note, sandbox, idempotency_key, created_at)
            SELECT %s, CASE WHEN g / 3 %% 50 = 0 THEN %s ELSE %s END, 'lix', 'lix_standard',
                (ARRAY['reserve', 'capture', 'release'])[g %% 3 + 1], 1, true, false, 'busy' || g / 3, '',
                '', '', false, 'busy:' || g, %s::timestamptz + (g / 3) * %s::interval
            FROM generate_series(0, %s - 1) AS g""",  # noqa: S608 (the table name only)
            [team.pk, member.pk, other.pk, start, (now - start) / (MONTH_ENTRIES // 3 + 1), MONTH_ENTRIES],
        )
        cursor.execute(f"VACUUM ANALYZE {table}")
    ledger.rebuild_usage(team=team)


def timed_call(team, user):
    started = time.perf_counter()
    call_provider(
        team=team, user=user, provider="lix", endpoint=LixClient.person_by_linkedin, profile_link=PROFILE
    )
    return (time.perf_counter() - started) * 1000


def queries_of(team, user):
    with CaptureQueriesContext(connection) as queries:
        timed_call(team, user)
    return len(queries.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("budgets", [False, True], ids=["no-budget", "member-budget-and-team-cap"])
def test_reserve_and_capture_add_at_most_5_ms_median_to_a_call(
    budgets, mocked, key_for, team_a, alice, bob, monkeypatch
):
    busy_month(team_a, bob, alice)
    mocked.get(LIX_PERSON, json=fixture("lix", "person"))
    key_for("lix", rate_limits=[[100_000, 1]])
    if budgets:
        Budget.objects.create(team=team_a, user=bob, credit_type="lix_standard", monthly_limit=10**9)
        Budget.objects.create(team=team_a, user=None, credit_type="lix_standard", monthly_limit=10**9)
    without = WithoutLedger(monkeypatch)
    for _ in range(WARM_UP):
        timed_call(team_a, bob)
        with without:
            timed_call(team_a, bob)
    entries_before = LedgerEntry.objects.count()

    with_ledger, without_ledger = [], []
    for index in range(CALLS):
        # Alternate which goes first, so neither always follows the other.
        for ledger_on in (True, False) if index % 2 == 0 else (False, True):
            if ledger_on:
                with_ledger.append(timed_call(team_a, bob))
            else:
                with without:
                    without_ledger.append(timed_call(team_a, bob))

    # The baseline really skipped the ledger, and the ledger arm reserved and captured every call.
    written = LedgerEntry.objects.count() - entries_before
    assert written == 2 * CALLS
    calls = LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).exclude(hold__startswith="busy")
    assert calls.count() == CALLS + WARM_UP
    queries = {"with_ledger": queries_of(team_a, bob)}
    with without:
        queries["without_ledger"] = queries_of(team_a, bob)

    median_with, median_without = statistics.median(with_ledger), statistics.median(without_ledger)
    overhead = median_with - median_without
    figures = {
        "budgets": budgets,
        "calls_per_arm": CALLS,
        "entries_this_month_before": MONTH_ENTRIES,
        "median_ms_with_ledger": round(median_with, 2),
        "median_ms_without_ledger": round(median_without, 2),
        "median_overhead_ms": round(overhead, 2),
        "p95_ms_with_ledger": round(statistics.quantiles(with_ledger, n=20)[-1], 2),
        "p95_ms_without_ledger": round(statistics.quantiles(without_ledger, n=20)[-1], 2),
        "queries_per_call": queries,
        "database": connection.vendor,
        "limiter_store": "redis" if settings.REDIS_URL else "database",
    }
    save("ledger_overhead", "member_budget_and_team_cap" if budgets else "no_budget", figures)
    assert overhead <= LIMIT_MS, f"reserve + capture add {overhead:.2f} ms median (limit {LIMIT_MS} ms)"
