"""The credits ledger at scale (on demand: `make benchmarks`; PostgreSQL only).

Seeds one team of 50 members with N ledger entries over the twelve months before this one (100,000 by
default for a quick check, BENCH_LEDGER_ENTRIES to choose, BENCH_LEDGER_1M=1 for the issue's
1,000,000) by one INSERT ... SELECT generate_series, in time order as an append-only ledger grows:
calls of three entries (a reservation, its capture, the release of the rest) over six credit types and
five providers, one call in 40 captured in full as unconfirmed (its third entry an admin's adjustment,
one in three booked to the team), one in 250 still holding (three open reservations), one in 100 made
with a sandbox key. Then, through the real views, for the last full month (about N / 12 entries):

1. the admin's Spend page: p95 server time over BENCH_PAGE_REQUESTS (30) requests, the median, the time
   spent in SQL, and the query count (issue 9: p95 <= 300 ms), twice: cold (the cache emptied before
   each request, so every day of the month is read from the ledger, as at the first view of a month
   or the current month's open days), then warm (the closed days' sums from the cache);
2. the same, warm, for one member's page, a member filter, the last twelve months (cold and warm), and
   the entries drill-down;
3. the month's CSV export: rows/s (issue 9: >= 20,000 rows/s), then the peak of memory allocated while
   streaming it (tracemalloc, a second pass, so the rows/s are not slowed by it).

BENCH_EXPLAIN=1 prints EXPLAIN (ANALYZE, BUFFERS) of the admin page's ledger queries, BENCH_PROFILE=1 a
cProfile of one admin page.
Figures are printed and written to var/benchmarks/ledger_scale.json; the README keeps the latest.
"""

import os
import statistics
import time
import tracemalloc
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from prospecting.services import spend
from tests.benchmarks.figures import save
from tests.conftest import logged_in, make_member

ENTRIES = int(os.environ.get("BENCH_LEDGER_ENTRIES", 100_000))
if os.environ.get("BENCH_LEDGER_1M"):
    ENTRIES = 1_000_000
MEMBERS = 50
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", 30))
# call number % 10 -> (provider, credit type, amount scale): LeadIQ's universal credits are tenths.
MIX = [
    ("lix", "lix_standard", 1),
    ("lix", "lix_standard", 1),
    ("lix", "lix_standard", 1),
    ("lix", "lix_email", 1),
    ("lookc", "lix_organisation", 1),
    ("linkup", "linkup", 1),
    ("lusha", "lusha", 1),
    ("lusha", "lusha", 1),
    ("leadiq", "leadiq_uc", 0.1),
    ("leadiq", "leadiq_uc", 0.1),
]

pytestmark = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="the scale benchmarks run on PostgreSQL"
)


def _months_back(day, months):
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def seed(team, users, entries):
    """N entries over the twelve months before this one, three per call (see the module docstring)."""
    this_month = timezone.localdate().replace(day=1)
    start = spend.month_period(*_months_back(this_month, 12).timetuple()[:2]).start
    end = spend.month_period(this_month.year, this_month.month).start
    providers = "ARRAY[" + ",".join(f"'{p}'" for p, _, _ in MIX) + "]"
    types = "ARRAY[" + ",".join(f"'{t}'" for _, t, _ in MIX) + "]"
    scales = "ARRAY[" + ",".join(str(s) for _, _, s in MIX) + "]::numeric[]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
        WITH rows AS (
            SELECT i, (i - 1) / 3 AS c, (i - 1) %% 3 AS k FROM generate_series(1, %(n)s) i
        ), shaped AS (
            SELECT i, c, k,
                CASE WHEN c %% 250 = 0 THEN 'open' WHEN c %% 40 = 0 THEN 'unsure' ELSE 'paid' END AS shape,
                ({scales})[1 + c %% 10] AS scale,
                2 + c %% 5 AS reserved, 1 + (c %% 5) / 2 AS captured
            FROM rows
        )
        INSERT INTO prospecting_ledgerentry (team_id, user_id, provider, credit_type, kind, amount,
            confirmed, flagged, hold, call_id, purpose, belongs_to, note, booked_by_id, sandbox,
            idempotency_key, expires_at, created_at)
        SELECT %(team)s,
            CASE WHEN shape = 'unsure' AND k = 2 AND c %% 3 = 0 THEN NULL
                 ELSE (%(users)s::bigint[])[1 + (c / 7) %% %(members)s] END,
            ({providers})[1 + c %% 10], ({types})[1 + c %% 10],
            CASE WHEN shape = 'open' OR k = 0 THEN 'reserve' WHEN k = 1 THEN 'capture'
                 WHEN shape = 'unsure' THEN 'adjustment' ELSE 'release' END,
            scale * CASE WHEN shape = 'open' OR k = 0 THEN reserved
                         WHEN k = 1 AND shape = 'unsure' THEN reserved
                         WHEN k = 1 THEN captured
                         WHEN shape = 'unsure' THEN (CASE WHEN c %% 2 = 0 THEN -1 ELSE 1 END)
                         ELSE reserved - captured END,
            NOT (shape = 'unsure' AND k = 1),
            shape = 'unsure' AND k = 2,
            CASE WHEN shape = 'open' THEN 'bench-' || c || '-' || k ELSE 'bench-' || c END,
            NULL, 'Benchmark call ' || c, '',
            CASE WHEN shape = 'unsure' AND k = 2 THEN 'Reconciliation with the provider''s usage' ELSE '' END,
            NULL, c %% 100 = 7, 'bench:' || i,
            CASE WHEN k = 0 OR shape = 'open' THEN %(start)s + (i - 1) * %(step)s + interval '10 minutes' END,
            %(start)s + (i - 1) * %(step)s
        FROM shaped
        """,
            {
                "n": entries,
                "team": team.pk,
                "users": [user.pk for user in users],
                "members": len(users),
                "start": start,
                "step": (end - start) / entries,
            },
        )
        # The seeded tables only: a database-wide ANALYZE also locks the shared catalogs (pg_authid...),
        # and waits behind any other database's test transaction that analysed them (minutes).
        cursor.execute("ANALYZE prospecting_ledgerentry, accounts_user, accounts_membership")
    return _months_back(this_month, 1)


def p95(samples):
    return statistics.quantiles(samples, n=20)[18]


def time_page(client, url, query, requests=PAGE_REQUESTS, *, cold=False):
    """p95 and median server time; `cold`: with nothing in the cache, every day read from the ledger."""
    client.get(url, query)  # warm
    samples = []
    for _ in range(requests):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url, query)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    count = len(queries)
    sql_ms = []
    for _ in range(min(requests, 5)):
        spent = []

        def timed(execute, sql, params, many, context, spent=spent):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append(time.perf_counter() - started)

        if cold:
            cache.clear()
        with connection.execute_wrapper(timed):
            client.get(url, query)
        sql_ms.append(sum(spent) * 1000)
    return {
        "query": query,
        "p95_ms": round(p95(samples), 1),
        "median_ms": round(statistics.median(samples), 1),
        "median_sql_ms": round(statistics.median(sql_ms), 1),
        "queries": count,
    }


def explain(client, query):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("spend"), query)
    with connection.cursor() as cursor:
        for captured in queries:
            if "prospecting_ledgerentry" in captured["sql"]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + captured["sql"])
                print("\n".join(line for (line,) in cursor.fetchall()), "\n", flush=True)


def profile(client, query):
    import cProfile
    import pstats

    client.get(reverse("spend"), query)  # the closed month's sums now in the cache
    profiler = cProfile.Profile()
    profiler.runcall(client.get, reverse("spend"), query)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def export(client, query):
    response = client.get(reverse("spend_export"), query)
    assert response.status_code == 200
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    return lines - 1  # the header


@pytest.mark.django_db
def test_ledger_at_scale(team_a, alice):
    others = [make_member(team_a, f"member{n}@a.test", Role.MEMBER, f"Member {n}") for n in range(1, MEMBERS)]
    users = [alice, *others]
    started = time.perf_counter()
    month = seed(team_a, users, ENTRIES)
    seeded = time.perf_counter() - started
    print(f"\nseeded {ENTRIES:,} ledger entries in {seeded:.0f} s", flush=True)
    admin, member = logged_in(alice), logged_in(users[7])
    query = {"month": f"{month:%Y-%m}"}
    figures = {"entries": ENTRIES, "members": MEMBERS, "month": query["month"]}
    figures["seed_seconds"] = round(seeded, 1)
    if os.environ.get("BENCH_EXPLAIN"):
        explain(admin, query)
    if os.environ.get("BENCH_PROFILE"):
        profile(admin, query)

    figures["admin_page_cold"] = time_page(admin, reverse("spend"), query, cold=True)
    print(figures["admin_page_cold"], flush=True)
    figures["admin_page"] = time_page(admin, reverse("spend"), query)
    print(figures["admin_page"], flush=True)
    figures["admin_page_one_member"] = time_page(admin, reverse("spend"), {**query, "member": users[3].pk})
    figures["member_page"] = time_page(member, reverse("spend"), query)
    figures["admin_last_12_months_cold"] = time_page(admin, reverse("spend"), {"month": "12m"}, 5, cold=True)
    figures["admin_last_12_months"] = time_page(admin, reverse("spend"), {"month": "12m"}, requests=10)
    figures["admin_entries_page"] = time_page(admin, reverse("spend_entries"), query)
    pages = [name for name in figures if name.startswith(("admin_", "member_"))]
    print({name: figures[name]["p95_ms"] for name in pages}, flush=True)

    last = _months_back(month, -1).toordinal() - 1
    period = {"date_from": f"{month:%Y-%m-%d}", "date_to": date.fromordinal(last).isoformat()}
    started = time.perf_counter()
    exported = export(admin, period)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    export(admin, period)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["export"] = {
        "rows": exported,
        "seconds": round(seconds, 2),
        "rows_per_s": round(exported / seconds),
        "peak_traced_mb": round(peak / 2**20, 1),
    }
    print(figures["export"], flush=True)
    assert exported > ENTRIES / 13

    save("ledger_scale", str(ENTRIES), figures)
