from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Provider, ProviderKey, Role, Team, User
from accounts.services import create_team
from prospecting.services.keys import connect_sandbox_key

DEMO_TEAM = "Demo Sales Team"
DEMO_PASSWORD = "quarry-demo-pass"
DEMO_USERS = [
    ("admin@demo.quarry.test", "Ada Admin", Role.ADMIN),
    ("member@demo.quarry.test", "Max Member", Role.MEMBER),
]


class Command(BaseCommand):
    help = "Create a demo team with an admin and a member, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if any team exists already.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Team.objects.exists():
            if User.objects.filter(email=DEMO_USERS[0][0]).exists():
                self._print_login(f"Demo team “{DEMO_TEAM}” exists. Log in with:")
            return
        with transaction.atomic():
            users = {}
            for email, name, _role in DEMO_USERS:
                user = User.objects.filter(email=email).first() or User.objects.create_user(email, name=name)
                user.set_password(DEMO_PASSWORD)
                user.save()
                users[email] = user
            admin_email, member_email = DEMO_USERS[0][0], DEMO_USERS[1][0]
            team = Team.objects.filter(name=DEMO_TEAM, memberships__user=users[admin_email]).first()
            team = team or create_team(name=DEMO_TEAM, admin=users[admin_email])
            Membership.objects.get_or_create(
                team=team, user=users[member_email], defaults={"role": Role.MEMBER}
            )
            if settings.SANDBOX_ENABLED:
                self._give_sandbox_keys(team, users[admin_email])
        self._print_login(f"Demo team “{team}” is ready. Log in with:")

    def _give_sandbox_keys(self, team, admin):
        from prospecting.tasks import check_key

        configured = set(ProviderKey.objects.for_team(team).active().values_list("provider", flat=True))
        for provider in Provider.values:
            if provider not in configured:
                key = connect_sandbox_key(team=team, actor=admin, provider=provider)
                # Tested by the worker once the sandbox answers, so the keys show valid with their balances.
                transaction.on_commit(lambda key_id=key.pk: check_key.delay(key_id, admin.pk))
        self.stdout.write("Sandbox keys for all five providers are set (simulated data, no real credits).")

    def _print_login(self, heading):
        self.stdout.write(self.style.SUCCESS(heading))
        for email, _name, role in DEMO_USERS:
            self.stdout.write(f"  {role:6}  {email}  /  {DEMO_PASSWORD}")
