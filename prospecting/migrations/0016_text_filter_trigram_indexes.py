"""Trigram indexes for the list page's text filters (PostgreSQL only).

The company and title filters match a substring in any case (`ILIKE '%text%'`), which no B-tree index
serves: for a name few people have, PostgreSQL read a whole list, or walked a whole team in the page's
order, to find the few (0.4 to 0.7 s at 1,000,000 people). A GIN index of trigrams (pg_trgm) finds them
directly (80 ms for the page). The extension is trusted since PostgreSQL 13: a database owner may create
it. The indexes are built CONCURRENTLY, so a running Quarry keeps writing people meanwhile; each adds
about 14 µs to writing a person with a title and a company name. SQLite, the embedded default, has no
such index and keeps its plain scan."""

from django.db import migrations

INDEXES = [
    ("company_name_trgm", "prospecting_company", "name"),
    ("person_company_name_trgm", "prospecting_person", "company_name"),
    ("person_title_trgm", "prospecting_person", "title"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)",
            params=None,
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("prospecting", "0015_ledger_belongs_to"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
