from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team
from prospecting.services.ledger import rebuild_usage


class Command(BaseCommand):
    help = (
        "Recompute the ledger's running totals (what budget checks read) from its entries: after changing "
        "TIME_ZONE, or to check them. Safe while Quarry runs: calls wait for it, then count on top."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", type=int, help="Only this team (its id); all teams by default.")

    def handle(self, *args, team=None, **options):
        chosen = None
        if team is not None:
            chosen = Team.objects.filter(pk=team).first()
            if chosen is None:
                raise CommandError(f"No team with id {team}.")
        rows = rebuild_usage(team=chosen)
        whose = f"team “{chosen}”" if chosen else "every team"
        counted = "1 row" if rows == 1 else f"{rows:,} rows"
        self.stdout.write(f"Rebuilt the credit usage of {whose} from the ledger: {counted}.")
