"""People, lists, CSV export and import, and search marks at scale (on demand: `make benchmarks`).

Seeds one team on PostgreSQL with N people (10,000 and 100,000 by default; BENCH_SIZES=10000,100000 to
choose, BENCH_1M=1 to add 1,000,000) by bulk SQL inserts: every person with a LinkedIn and an email
identifier, a company (one per 20 people), an email and, for every other person, a phone, a list
holding up to 100,000 of them, and suppression rows (1 % of the emails and a few company domains).
At each size it reports:

1. the list page (50 rows, a company filter and a sort), p95 server time through the real view, and
   the suppressed count it loads after itself (htmx, its own request);
2. the CSV export of that list (up to 100,000 rows) through the real view: rows/s, and the peak of
   memory allocated while streaming (tracemalloc, a second pass, so the rows/s are not slowed by it);
3. the CSV import service (`csv_import.import_rows`, what a background import job runs) on 50,000
   rows, half of them people the team already has (matched by LinkedIn URL), half new: rows/s;
4. the marks of a search page (`search.mark_rows`): queries for 10 and for 100 rows, and the time.

Figures are printed and written to var/benchmarks/records_scale.json; the README keeps the latest.
BENCH_ONLY=import measures the import alone (figure 3, written to records_scale_import.json).
"""

import os
import re
import statistics
import time
import tracemalloc

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prospecting.models import ProspectList
from prospecting.providers.facts import PersonFacts
from prospecting.services import csv_import
from prospecting.services.search import Row, mark_rows
from tests.benchmarks.figures import save
from tests.conftest import logged_in

SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if size]
if os.environ.get("BENCH_1M"):
    SIZES.append(1_000_000)
LIST_MAX = 100_000
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 50_000))
PAGE_REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", 30))
# BENCH_ONLY=import measures the import alone (after the same seed); every figure by default.
ONLY_IMPORT = os.environ.get("BENCH_ONLY") == "import"
TITLES = ["CEO", "CTO", "Head of Sales", "Sales Manager", "Engineer", "Marketing Lead", "VP Finance"]

pytestmark = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="the scale benchmarks run on PostgreSQL"
)


def seed(team, user, size):
    """N people and what hangs off them, by INSERT ... SELECT generate_series (minutes for a million)."""
    companies = max(size // 20, 1)
    titles = "ARRAY[" + ",".join(f"'{title}'" for title in TITLES) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO prospecting_company (team_id, created_at, updated_at, name, domain, linkedin_id,
                   industry, size, location, is_sandbox)
               SELECT %s, now(), now(), 'Company ' || c, 'company' || c || '.com', 'company-' || c,
                   'Software', '51-200', 'Paris', false
               FROM generate_series(1, %s) c""",
            [team.pk, companies],
        )
        cursor.execute("SELECT min(id) FROM prospecting_company WHERE team_id = %s", [team.pk])
        first_company = cursor.fetchone()[0]
        cursor.execute(
            f"""INSERT INTO prospecting_person (team_id, created_at, updated_at, full_name, first_name,
                   last_name, title, location, company_name, company_id, is_sandbox)
               SELECT %s, now(), now(), 'First' || i || ' Last' || i, 'First' || i, 'Last' || i,
                   ({titles})[1 + i %% {len(TITLES)}], 'Paris', 'Company ' || (1 + i %% %s),
                   %s + i %% %s, false
               FROM generate_series(1, %s) i""",
            [team.pk, companies, first_company, companies, size],
        )
        cursor.execute("SELECT min(id) FROM prospecting_person WHERE team_id = %s", [team.pk])
        first = cursor.fetchone()[0]
        # person i has id first + i - 1
        cursor.execute(
            """INSERT INTO prospecting_identifier (team_id, kind, value, person_id, source, created_at)
               SELECT %s, 'linkedin', 'person-' || i, %s + i - 1, 'lix', now() FROM generate_series(1, %s) i
               UNION ALL
               SELECT %s, 'email', 'person' || i || '@company' || (1 + i %% %s) || '.com', %s + i - 1,
                   'lusha', now() FROM generate_series(1, %s) i""",
            [team.pk, first, size, team.pk, companies, first, size],
        )
        cursor.execute(
            """INSERT INTO prospecting_identifier (team_id, kind, value, company_id, source, created_at)
               SELECT %s, 'domain', 'company' || c || '.com', %s + c - 1, 'lusha', now()
               FROM generate_series(1, %s) c""",
            [team.pk, first_company, companies],
        )
        cursor.execute(
            """INSERT INTO prospecting_contactpoint (team_id, person_id, kind, value, domain, status,
                   phone_type, source, obtained_at)
               SELECT %s, %s + i - 1, 'email', 'person' || i || '@company' || (1 + i %% %s) || '.com',
                   'company' || (1 + i %% %s) || '.com',
                   (ARRAY['valid','probable','unknown'])[1 + i %% 3], '', 'lusha', now()
               FROM generate_series(1, %s) i
               UNION ALL
               SELECT %s, %s + i - 1, 'phone', '+3361' || lpad(i::text, 7, '0'), '', 'unknown', 'mobile',
                   'lusha', now()
               FROM generate_series(2, %s, 2) i""",
            [team.pk, first, companies, companies, size, team.pk, first, size],
        )
        prospect_list = ProspectList.objects.create(team=team, name="Everyone", created_by=user)
        cursor.execute(
            """INSERT INTO prospecting_listentry (prospect_list_id, person_id, added_by_id, added_at)
               SELECT %s, %s + i - 1, %s, now() - (i || ' seconds')::interval
               FROM generate_series(1, %s) i""",
            [prospect_list.pk, first, user.pk, min(size, LIST_MAX)],
        )
        cursor.execute(
            """INSERT INTO prospecting_suppression (team_id, kind, value, reason, created_at)
               SELECT %s, 'email', 'person' || i || '@company' || (1 + i %% %s) || '.com', 'bench', now()
               FROM generate_series(1, %s, 100) i
               UNION ALL
               SELECT %s, 'domain', 'company' || c || '.com', 'bench', now()
               FROM generate_series(7, %s, 500) c""",
            [team.pk, companies, size, team.pk, companies],
        )
        # Committed, then vacuumed as autovacuum leaves a production database: pages written inside a
        # test transaction are never all-visible, so PostgreSQL can use no index-only scan on them. The
        # seeded tables only: a database-wide VACUUM ANALYZE also locks the shared catalogs (pg_authid...)
        # and waits behind any other database's test transaction that analysed them (minutes).
        cursor.execute(
            "VACUUM ANALYZE prospecting_company, prospecting_person, prospecting_identifier, "
            "prospecting_contactpoint, prospecting_listentry, prospecting_suppression"
        )
    return prospect_list, companies


def p95(samples):
    return statistics.quantiles(samples, n=20)[18]


def time_requests(client, url, query=None, **headers):
    """p95 and median server time of GET url over PAGE_REQUESTS requests, the median time spent in SQL
    over 5 more, and the number of queries."""
    client.get(url, query, **headers)  # warm
    samples = []
    for _ in range(PAGE_REQUESTS):
        started = time.perf_counter()
        response = client.get(url, query, **headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query, **headers)
    count = len(queries)  # now: the next request empties the log the context reads lazily
    # The time spent in SQL, apart from the rest (Python, templates): on a shared machine the CPU the
    # other jobs take shows in the rest more than in PostgreSQL's own time.
    sql_ms = []
    for _ in range(min(PAGE_REQUESTS, 5)):
        spent = []

        def timed(execute, sql, params, many, context, spent=spent):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append(time.perf_counter() - started)

        with connection.execute_wrapper(timed):
            client.get(url, query, **headers)
        sql_ms.append(sum(spent) * 1000)
    return {
        "p95_ms": round(p95(samples), 1),
        "median_ms": round(statistics.median(samples), 1),
        "median_sql_ms": round(statistics.median(sql_ms), 1),
        "queries": count,
    }


def time_list_page(client, prospect_list, query):
    url = reverse("list_detail", args=[prospect_list.pk])
    return {"query": query, **time_requests(client, url, query)}


def time_suppressed_count(client, prospect_list):
    """The suppressed count the list page loads after itself (htmx), through the real view."""
    url = reverse("list_suppressed", args=[prospect_list.pk])
    page = client.get(reverse("list_detail", args=[prospect_list.pk])).content.decode()
    assert f'hx-get="{url}"' in page  # the benchmark's team suppresses people: the page asks for it
    text = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    shown = re.search(r"(\d+) (?:person|people) in this list", text)
    return {"count": int(shown[1]) if shown else 0, **time_requests(client, url, HTTP_HX_REQUEST="true")}


def export(client, prospect_list):
    response = client.get(reverse("list_export", args=[prospect_list.pk]))
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
    return lines - 1  # the header


def import_rows(user, team, size, companies):
    """IMPORT_ROWS rows: even ones name people the team has (by LinkedIn URL), odd ones new people."""
    rows = []
    for n in range(1, IMPORT_ROWS + 1):
        if n % 2 == 0:
            i = 1 + (n * 7) % size  # spread over the existing people
            cells = [f"First{i} Last{i}", f"https://www.linkedin.com/in/person-{i}/", "", "Paris"]
        else:
            cells = [
                f"New{n} Person",
                f"https://linkedin.com/in/new-{n}",
                f"new{n}@newco{n % 977}.com",
                "Lyon",
            ]
        rows.append((n + 1, cells))  # (row number, cells): row 1 is the header
    prospect_list = ProspectList.objects.create(team=team, name="Imported", created_by=user)
    mapping = {"full_name": 0, "linkedin_url": 1, "email": 2, "location": 3}
    started = time.perf_counter()
    # In a transaction of its own, as a job runs it (run_import), so that the commit, when PostgreSQL
    # checks the deferred foreign keys of every row written, is timed apart (and counted in the total).
    with transaction.atomic():
        result = csv_import.import_rows(prospect_list=prospect_list, user=user, rows=rows, mapping=mapping)
        committing = time.perf_counter()
    seconds = time.perf_counter() - started
    assert not result.errors
    assert result.imported == IMPORT_ROWS
    return {
        "rows": IMPORT_ROWS,
        "existing_people": size,
        "seconds": round(seconds, 2),
        "commit_seconds": round(started + seconds - committing, 2),
        "rows_per_s": round(IMPORT_ROWS / seconds),
        "people": result.people,
        "created": result.created,
        "matched": result.matched,
    }


def search_rows(count, size):
    rows = []
    for n in range(count):
        i = 1 + (n * 97) % size
        if n % 2:  # a person the team has (one in fifty of them suppressed by email)
            facts = PersonFacts(
                linkedin_url=f"https://www.linkedin.com/in/person-{i}/",
                full_name=f"First{i} Last{i}",
                company_domain=f"company{i}.com",
            )
        else:
            facts = PersonFacts(
                linkedin_url=f"https://www.linkedin.com/in/stranger-{n}/",
                full_name=f"Stranger {n}",
                emails=((f"stranger{n}@company{n}.com", "valid"),),
            )
        rows.append(Row(person=facts))
    return rows


def time_marks(team, size):
    counts = {}
    for count in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            mark_rows(team=team, rows=search_rows(count, size))
        counts[count] = len(queries)
    samples = []
    for _ in range(20):
        rows = search_rows(100, size)
        started = time.perf_counter()
        mark_rows(team=team, rows=rows)
        samples.append((time.perf_counter() - started) * 1000)
    marked = mark_rows(team=team, rows=search_rows(100, size))
    return {
        "queries_10_rows": counts[10],
        "queries_100_rows": counts[100],
        "median_ms_100_rows": round(statistics.median(samples), 1),
        "p95_ms_100_rows": round(p95(samples), 1),
        "already_have": sum(1 for row in marked if row.record_id),
        "suppressed": sum(1 for row in marked if row.suppressed),
    }


def measure_pages(figures, client, prospect_list, team, size):
    """Figures 1, 2 and 4: the list page and its suppressed count, the export, the search marks."""
    figures["list_page"] = [
        time_list_page(client, prospect_list, {"company": "Company 1", "sort": "name"}),
        time_list_page(client, prospect_list, {"has_email": "yes", "sort": "-company"}),
        time_list_page(client, prospect_list, {"title": "sales", "sort": "-added"}),
    ]

    print(figures["list_page"], flush=True)
    figures["suppressed_count"] = time_suppressed_count(client, prospect_list)
    assert figures["suppressed_count"]["count"] > 0
    print(figures["suppressed_count"], flush=True)
    started = time.perf_counter()
    exported = export(client, prospect_list)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    export(client, prospect_list)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures["export"] = {
        "rows": exported,
        "seconds": round(seconds, 2),
        "rows_per_s": round(exported / seconds),
        "peak_traced_mb": round(peak / 2**20, 1),
    }

    print(figures["export"], flush=True)
    figures["search_marks"] = time_marks(team, size)
    assert figures["search_marks"]["queries_10_rows"] == figures["search_marks"]["queries_100_rows"]

    print(figures["search_marks"], flush=True)


# Committed data (each size's rows are emptied after it): what a real database holds, and the import then
# pays its deferred foreign-key checks at commit, as a real one does.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", SIZES)
def test_records_at_scale(size, team_a, alice):
    started = time.perf_counter()
    prospect_list, companies = seed(team_a, alice, size)
    seeded = time.perf_counter() - started
    client = logged_in(alice)
    figures = {"size": size, "seed_seconds": round(seeded, 1), "list_entries": min(size, LIST_MAX)}

    print(f"\nseeded {size:,} people in {seeded:.0f} s", flush=True)
    if not ONLY_IMPORT:
        measure_pages(figures, client, prospect_list, team_a, size)
    figures["import"] = import_rows(alice, team_a, size, companies)

    # The import alone does not replace the last run's full figures.
    save("records_scale_import" if ONLY_IMPORT else "records_scale", str(size), figures)
