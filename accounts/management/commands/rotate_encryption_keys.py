from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.crypto import Secret, rotate
from accounts.models import Invitation, ProviderKey


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first key of QUARRY_ENCRYPTION_KEYS. Put the new key "
        "first, keep the old ones after it, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        total = 0
        with transaction.atomic():
            for model, field in ((ProviderKey, "secret"), (Invitation, "token")):
                rows = (
                    model.objects.exclude(**{f"{field}__isnull": True}).select_for_update().only("pk", field)
                )
                for row in rows.iterator(chunk_size=200):
                    value = getattr(row, field)
                    model.objects.filter(pk=row.pk).update(**{field: Secret(token=rotate(value.token()))})
                    total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} secrets under the newest key."))
