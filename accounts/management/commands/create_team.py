from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.forms import ValidationError

from accounts.models import Invitation, Role, Team


class Command(BaseCommand):
    help = "Create a team and print an invitation link for its first admin (for a fresh deployment)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--base-url", required=True, help="Where Quarry is served, e.g. https://quarry.example.com"
        )

    def handle(self, *args, name, admin_email, base_url, **options):
        try:
            validate_email(admin_email)
        except ValidationError:
            raise CommandError(f"{admin_email!r} is not an email address.") from None
        with transaction.atomic():
            team = Team.objects.create(name=name)
            invitation = Invitation(team=team, email=admin_email.lower(), role=Role.ADMIN)
            invitation.set_new_token()
            invitation.save()
        self.stdout.write(self.style.SUCCESS(f"Team “{team}” created. Send this link to {admin_email}:"))
        self.stdout.write(base_url.rstrip("/") + invitation.path())
