from django.conf import settings
from django.db import models

from accounts.models import Team, TeamScopedQuerySet


class SuppressionKind(models.TextChoices):
    EMAIL = "email", "Email"
    DOMAIN = "domain", "Email domain"
    LINKEDIN = "linkedin", "LinkedIn profile"
    # A company named by its domain or its LinkedIn id (both normalised through identifiers.py).
    COMPANY = "company", "Company"


class SuppressionQuerySet(TeamScopedQuerySet):
    pass


class Suppression(models.Model):
    """Do-not-contact: a person or company matched by this is never bought, exported or contacted
    (see PersonQuerySet.contactable)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="suppressions")
    kind = models.CharField(max_length=10, choices=SuppressionKind.choices)
    value = models.CharField(max_length=320)  # normalised through prospecting/identifiers.py
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["team", "kind", "value"], name="suppression_once")]

    def __str__(self):
        return f"{self.kind}:{self.value}"
