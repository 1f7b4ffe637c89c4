"""The spend dashboard's index (prospecting/services/spend.py): a team's entries of one kind in time
order. A month's figures read its captures and adjustments (spent), its reservations (open holds) and
the settlements since its start, each a third of the month's entries or less, instead of scanning all
of them three times (EXPLAIN ANALYZE at 1,000,000 entries: see README, "Credits ledger at scale").

Plain SQL, valid on PostgreSQL and SQLite, with no model state: LedgerEntry's Meta is the ledger's
owner's to change (adding `models.Index(fields=["team", "kind", "created_at"], name="ledger_kind_time")`
there and an empty state-only migration would say the same)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("prospecting", "0011_ledger")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX ledger_kind_time ON prospecting_ledgerentry (team_id, kind, created_at)",
            "DROP INDEX ledger_kind_time",
        )
    ]
