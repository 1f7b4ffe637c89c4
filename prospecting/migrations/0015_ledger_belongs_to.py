"""The job or search a ledger entry's call was part of (LedgerEntry.belongs_to).

On SQLite, Django adds a NOT NULL column by copying the table into a new one and dropping the old, which
drops the old table's triggers with it: the ledger's append-only triggers (0012_ledger) are created again
right after, or the embedded default would silently accept UPDATE and DELETE from then on. Any later
migration that changes the ledger's table must do the same (tests/test_ledger.py checks this one)."""

from importlib import import_module

from django.db import migrations, models


def create_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        ledger = import_module("prospecting.migrations.0012_ledger")
        for sql in ledger.SQLITE_CREATE:
            schema_editor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1), params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("prospecting", "0014_credit_usage"),
    ]

    operations = [
        # Unapplied, the column's removal copies the table again: the triggers come back after it.
        migrations.RunPython(migrations.RunPython.noop, create_sqlite_triggers),
        migrations.AddField(
            model_name="ledgerentry",
            name="belongs_to",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.RunPython(create_sqlite_triggers, migrations.RunPython.noop),
    ]
