"""Reconciliation: what the providers themselves say a key has spent, against the credit ledger (issue 9,
"Reconciliation"; services/reconciliation.py does the work).

A `BalanceReading` is one figure a provider reported for one key: a balance that goes down as credits are
spent (Lix), a usage counter that goes up (Lusha, LeadIQ), or Lix's daily request allowance (shown, not
compared: it counts requests, not credits). Two successive readings of the same key and credit type make a
`CreditComparison`: the provider's change between them beside the ledger's captures of the key's calls in
that period, and what is left unexplained. A `ReconciliationRun` is one reading of a team's keys, started
by beat or by an admin's button; its page polls it while it runs.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Provider, ProviderKey, Team, TeamScopedQuerySet
from prospecting.models.calls import ProviderCall
from prospecting.models.ledger import AMOUNT, CreditType, LedgerEntry


def amount_text(amount, *, signed=False):
    """ "1,250", "10.1", "−3" (and "+3" when `signed`): credits as a page shows them."""
    amount = Decimal(amount)
    size = abs(amount)
    text = f"{size.quantize(1) if size == size.to_integral_value() else size.normalize():,}"
    if amount < 0:
        return f"−{text}"
    return f"+{text}" if signed and amount > 0 else text


class RunState(models.TextChoices):
    RUNNING = "running", "Reading balances"
    DONE = "done", "Done"
    FAILED = "failed", "Stopped"


class ReconciliationRun(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # None: beat started it.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What could not be read, in the providers' words, one line per key.
    problems = models.JSONField(default=list, blank=True)

    objects = TeamScopedQuerySet.as_manager()

    # A run whose task never ran (no worker, a lost message) stops counting as running after this, so the
    # page stops polling and the button can start another. Lix alone needs two calls 3 s apart, and Lusha's
    # usage endpoint allows 5 calls a minute: a run waits for its turn, at most a minute per call.
    GIVES_UP_AFTER_SECONDS = 300

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Reconciliation of {self.team} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self):
        if self.state != RunState.RUNNING:
            return False
        return (timezone.now() - self.started_at).total_seconds() < self.GIVES_UP_AFTER_SECONDS

    @property
    def stalled(self):
        return self.state == RunState.RUNNING and not self.is_running


class Measure(models.TextChoices):
    BALANCE = "balance", "Balance left"  # goes down as credits are spent
    USED = "used", "Used so far"  # goes up as credits are spent
    REQUESTS_LEFT = "requests_left", "Requests left today"  # Lix's daily allowance: not credits


class BalanceReading(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(ProviderKey, on_delete=models.CASCADE, related_name="balance_readings")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    # Blank for a figure that is not a credit account (Lix's daily allowance).
    credit_type = models.CharField(max_length=20, choices=CreditType.choices, blank=True)
    measure = models.CharField(max_length=15, choices=Measure.choices)
    figure = models.DecimalField(**AMOUNT)
    # The provider's words beside the figure: Lusha's figures per credit kind, LeadIQ's renewal day.
    detail = models.JSONField(default=dict, blank=True)
    # The provider worked the figure out at some moment between these two: when the call's row was
    # written, just before the request left, and when the answer was back.
    asked_at = models.DateTimeField()
    taken_at = models.DateTimeField(db_index=True)
    call = models.ForeignKey(ProviderCall, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(
        ReconciliationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["key", "credit_type", "measure", "taken_at"], name="reading_series")]

    def __str__(self):
        return f"{self.get_measure_display()} {self.figure} {self.credit_type} ({self.provider})"

    @property
    def figure_text(self):
        return amount_text(self.figure)

    def spent_since(self, previous):
        """The credits the provider counted between `previous` and this reading: a balance that went down,
        a counter that went up. Negative: the figure moved the other way (a top-up, a new billing period)."""
        if self.measure == Measure.BALANCE:
            return previous.figure - self.figure
        return self.figure - previous.figure


class Verdict(models.TextChoices):
    MATCHED = "matched", "Matches the ledger"
    EXPLAINED = "explained", "Explained by unconfirmed captures and holds"
    FLAGGED = "flagged", "Unexplained difference"
    NOT_COMPARED = "not_compared", "Not compared"


class CreditComparison(models.Model):
    """One period of one key and credit type: the provider's change between two readings and the ledger's
    captures of the key's calls in that period (services/reconciliation.py, `compare`, says which calls
    count where). `unexplained` is the part of the provider's change that the confirmed captures, the
    unconfirmed captures and the holds open around the readings cannot account for: positive when the
    provider counted more than Quarry can explain, negative when less than Quarry confirmed."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(ProviderKey, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    credit_type = models.CharField(max_length=20, choices=CreditType.choices)
    previous = models.ForeignKey(BalanceReading, on_delete=models.CASCADE, related_name="+")
    reading = models.ForeignKey(BalanceReading, on_delete=models.CASCADE, related_name="+")
    provider_change = models.DecimalField(**AMOUNT)
    confirmed = models.DecimalField(**AMOUNT)
    unconfirmed = models.DecimalField(**AMOUNT)
    held = models.DecimalField(**AMOUNT)
    unexplained = models.DecimalField(**AMOUNT)
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    note = models.CharField(max_length=300, blank=True)
    # The admin's correction of a flagged difference, once booked (its reason is the entry's note).
    adjustment = models.OneToOneField(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["team", "key", "credit_type", "created_at"], name="comparison_series")
        ]

    def __str__(self):
        return f"{self.get_credit_type_display()} of {self.key}: {self.get_verdict_display()}"

    @property
    def flagged(self):
        return self.verdict == Verdict.FLAGGED

    @property
    def texts(self):
        """The figures as the page shows them."""
        return {
            "change": amount_text(self.provider_change),
            "confirmed": amount_text(self.confirmed),
            "unconfirmed": amount_text(self.unconfirmed),
            "held": amount_text(self.held),
            "unexplained": amount_text(self.unexplained, signed=True),
        }

    @property
    def needs_adjustment(self):
        return self.flagged and self.adjustment_id is None
