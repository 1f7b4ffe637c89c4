"""The credit ledger and the budgets it is checked against (DESIGN.md, "Credits are recorded as the
provider made them").

Every credit movement is a `LedgerEntry`, never changed or deleted once written (a database trigger
refuses it: see migration 0012_ledger); a correction is a new entry. A paid call first *reserves* the most it
can cost, then *captures* what was charged and *releases* the rest; all the entries of one call share
its `hold`. Balances, open holds and spend are sums of entries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import AppendOnlyError, Provider, Team, TeamScopedQuerySet


class CreditType(models.TextChoices):
    """The credit accounts a team's keys draw on. LookC bills the Lix account's organisation credits,
    so a LookC call draws on LIX_ORGANISATION (providers/billing.py, `credit_type`)."""

    LIX_STANDARD = "lix_standard", "Lix standard credits"
    LIX_ORGANISATION = "lix_organisation", "Lix organisation credits"
    LIX_EMAIL = "lix_email", "Lix email credits"
    LINKUP = "linkup", "LinkUp credits"
    LUSHA = "lusha", "Lusha credits"
    LEADIQ_UC = "leadiq_uc", "LeadIQ universal credits"


class EntryKind(models.TextChoices):
    RESERVE = "reserve", "Reserved"  # held before a call: the most it can cost
    CAPTURE = "capture", "Spent"  # what the call cost (confirmed, or the most it could have, unconfirmed)
    RELEASE = "release", "Released"  # the part of a hold the call did not spend
    ADJUSTMENT = "adjustment", "Adjustment"  # a correction booked by an admin, with a reason (signed)


# Amounts: LeadIQ's universal credits are fractional (0.1 a profile).
AMOUNT = {"max_digits": 14, "decimal_places": 4}


class LedgerEntryQuerySet(TeamScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The credit ledger is append-only: book a correction as a new entry.")

    def delete(self):
        raise AppendOnlyError("The credit ledger is append-only: book a correction as a new entry.")


class LedgerEntry(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    # Whose spend it is (None: the team's own, e.g. an admin's adjustment of the team's account). PROTECT,
    # not SET_NULL: clearing it would be an UPDATE, which the trigger refuses, and the spend stays theirs.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(max_length=10, choices=Provider.choices)  # the provider called
    credit_type = models.CharField(max_length=20, choices=CreditType.choices)
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    # Positive for reserve, capture and release (the kind says which way it goes); signed for adjustments.
    amount = models.DecimalField(**AMOUNT)
    # A capture's certainty: the provider said so or its rule is certain (True), or the call's outcome is
    # unknown and this is the most it could have cost (False), for reconciliation to settle.
    confirmed = models.BooleanField(default=True)
    # Needs an admin's eye: a hold that expired with no answer, an unexplained difference.
    flagged = models.BooleanField(default=False)
    # The entries of one call (its reserve, capture and release) share this; ProviderCall.hold names it.
    hold = models.CharField(max_length=36, blank=True, db_index=True)
    call = models.ForeignKey(
        "prospecting.ProviderCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    # What the spend was for, in words ("Lix people search", "LeadIQ push of “Q3 leads”").
    purpose = models.CharField(max_length=200, blank=True)
    # The job or search the call was part of, as "<kind>:<id>" ("saved_search:12", "leadiq_push:5"); none
    # for a one-off call. Not a foreign key: an entry outlives what it belonged to, and clearing a key
    # when that is deleted would be an UPDATE, which the ledger refuses (services/spend.py, `belonging`).
    belongs_to = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=300, blank=True)  # an adjustment's reason, why a hold expired
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sandbox = models.BooleanField(default=False)  # a sandbox key's call: no real credits
    # Makes every movement happen once: "<hold>:capture:<credit type>", "adjust:<uuid>"...
    idempotency_key = models.CharField(max_length=120, unique=True)
    # A reserve's deadline: past it with no capture or release, the expiry task settles it and flags it.
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["team", "created_at"], name="ledger_team_time"),
            models.Index(
                fields=["team", "user", "credit_type", "created_at"], name="ledger_member_type_time"
            ),
            models.Index(fields=["team", "credit_type", "created_at"], name="ledger_type_time"),
            # Open holds: the reserves, looked up by hold and expiry.
            models.Index(fields=["expires_at"], condition=Q(kind="reserve"), name="ledger_reserve_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="adjustment") | Q(amount__gt=0), name="ledger_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.credit_type} ({self.provider})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Ledger entries cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be deleted.")


class BudgetQuerySet(TeamScopedQuerySet):
    def team_caps(self):
        return self.filter(user__isnull=True)


class Budget(models.Model):
    """A monthly limit on one credit type: a member's (`user` set) or the whole team's cap (`user` None).
    No row means no limit. Reservations lock the rows they are checked against (select_for_update), so
    concurrent calls cannot overspend."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    credit_type = models.CharField(max_length=20, choices=CreditType.choices)
    monthly_limit = models.DecimalField(**AMOUNT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["credit_type", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user", "credit_type"],
                condition=Q(user__isnull=False),
                name="budget_member_once",
            ),
            models.UniqueConstraint(
                fields=["team", "credit_type"], condition=Q(user__isnull=True), name="budget_team_cap_once"
            ),
            models.CheckConstraint(condition=Q(monthly_limit__gte=0), name="budget_not_negative"),
        ]

    def __str__(self):
        whose = self.user or "the team"
        return f"{self.monthly_limit} {self.get_credit_type_display()} a month for {whose}"


class CreditUsage(models.Model):
    """Running totals of the ledger per team, member (None: the team's own entries, such as an adjustment
    of the team's account), credit type and calendar month (in settings.TIME_ZONE): what a budget check
    reads, a few rows, instead of summing the month's entries, whose number grows all month.

    Derived from the entries and written in the same transaction as the entries they count
    (services/ledger.py): `spent` = the month's captures and adjustments, `held` = the reservations made in
    the month and not settled yet. `manage.py rebuild_credit_usage` recomputes them from the entries."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_type = models.CharField(max_length=20, choices=CreditType.choices)
    month = models.DateField()  # the month's first day
    spent = models.DecimalField(**AMOUNT, default=0)
    held = models.DecimalField(**AMOUNT, default=0)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "credit usage"
        # A team cap's check reads every member's rows of a credit type and month.
        indexes = [models.Index(fields=["team", "credit_type", "month"], name="credit_usage_type_month")]
        constraints = [
            # The conflict targets of the running totals' upserts (services/ledger.py, `_add_usage`).
            models.UniqueConstraint(
                fields=["team", "user", "credit_type", "month"],
                condition=Q(user__isnull=False),
                name="credit_usage_member_month",
            ),
            models.UniqueConstraint(
                fields=["team", "credit_type", "month"],
                condition=Q(user__isnull=True),
                name="credit_usage_team_month",
            ),
        ]

    def __str__(self):
        return f"{self.month:%B %Y} {self.credit_type}: {self.spent} spent, {self.held} held"
