from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Team
from prospecting import demo
from prospecting.tasks import register_demo_webhook, set_up_demo_key


class Command(BaseCommand):
    help = "Create a demo team with an admin, a member and sandbox keys, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any team exists already.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Team.objects.exists():
            if demo.demo_team():
                # The sandbox process forgets its accounts when it stops; `make run` starts it again.
                key = demo.demo_lookc_sandbox_key()
                if key:
                    transaction.on_commit(lambda: register_demo_webhook.delay(key.pk))
                self._print_login(f"Demo team “{demo.DEMO_TEAM}” exists. Log in with:")
            return
        team, keys = demo.create_demo_team()
        for key in keys:
            # Tested by the worker once the sandbox answers, so the keys show valid with their balances.
            transaction.on_commit(lambda key_id=key.pk: set_up_demo_key.delay(key_id))
        if keys:
            self.stdout.write(
                "Sandbox keys for all five providers are set (simulated data, no real credits)."
            )
        self._print_login(f"Demo team “{team}” is ready. Log in with:")

    def _print_login(self, heading):
        self.stdout.write(self.style.SUCCESS(heading))
        for email, _name, role in demo.DEMO_USERS:
            self.stdout.write(f"  {role:6}  {email}  /  {demo.DEMO_PASSWORD}")
