from http import HTTPStatus

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Provider, ProviderKey, Team, TeamScopedQuerySet

# A `sent` row older than the provider timeout plus this was left by a worker that died mid-call.
SENT_GRACE_SECONDS = 60
CREDIT_WORDS = {  # credit type -> (one, many)
    "standard": ("standard credit", "standard credits"),
    "organisation": ("organisation credit", "organisation credits"),
    "email": ("email credit", "email credits"),
    "credits": ("credit", "credits"),
    "uc": ("universal credit", "universal credits"),
}
OUTCOME_WORDS = {
    "key_rejected": "Key rejected",
    "out_of_credits": "Out of credits",
    "rate_limited": "Rate limited",
    "not_found": "Not found",
    "pending": "Answer to come later",
    "legal_refusal": "Refused for legal reasons",
    "invalid_input": "Input refused",
    "unavailable": "Provider unavailable",
    "malformed_response": "Unreadable answer",
}


def _status_phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def describe_credits(credits):
    parts = []
    for kind, amount in (credits or {}).items():
        one, many = CREDIT_WORDS.get(kind, (f"{kind} credit", f"{kind} credits"))
        number = int(amount) if float(amount).is_integer() else amount
        parts.append(f"{number} {one if number == 1 else many}")
    return ", ".join(parts)


class CallState(models.TextChoices):
    # Written before the request leaves, so a worker killed mid-call leaves this, never no row.
    SENT = "sent", "Sent, no answer yet"
    DONE = "done", "Answered"
    FAILED = "failed", "Refused"
    # Sent, but what the provider did is not known: a timeout after sending, an unreadable answer.
    UNKNOWN = "unknown", "Outcome unknown"


class ProviderCall(models.Model):
    """One HTTP call to a provider: who made it, what it cost, how it ended. The audit log of spend.

    The row is written before the call is sent (state `sent`, its most possible cost unconfirmed) and
    completed with the answer. Credits by type are either confirmed (`credits`: the provider said so, or
    its rule gives the amount) or unconfirmed (`credits_unconfirmed`: the call may have been billed but
    its answer could not be read; the most it could have cost, which reconciliation settles).
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="provider_calls")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider_calls",
    )
    key = models.ForeignKey(
        ProviderKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    provider = models.CharField(max_length=10, choices=Provider.choices)
    endpoint = models.CharField(max_length=60)
    method = models.CharField(max_length=8)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # "ok", or the code of the ProviderError raised (key_rejected, rate_limited, ...).
    outcome = models.CharField(max_length=30)
    message = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    request_id = models.CharField(max_length=100, blank=True)
    # The ledger entries of this call (its reservation, capture and release) share this hold.
    hold = models.CharField(max_length=36, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.DONE)
    # Confirmed credits charged by type, per the provider's words or billing rule: {"email": 1}, {"uc": 10.1}.
    credits = models.JSONField(default=dict, blank=True)
    # Credits the call may have cost, by type, while its outcome is unknown (see the class docstring).
    credits_unconfirmed = models.JSONField(default=dict, blank=True)
    # Made with a sandbox key: simulated, no real credits spent.
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "provider", "created_at"])]

    def __str__(self):
        return f"{self.provider} {self.endpoint} {self.outcome}"

    @property
    def outcome_unknown(self):
        """Unknown, or still `sent` long after any answer could have come (the worker died mid-call)."""
        if self.state == CallState.UNKNOWN:
            return True
        if self.state != CallState.SENT or self.created_at is None:
            return False
        waited = (timezone.now() - self.created_at).total_seconds()
        return waited > sum(settings.PROVIDER_TIMEOUT) + SENT_GRACE_SECONDS

    def state_words(self):
        if self.outcome_unknown:
            return "Outcome unknown: sent, but the answer never came or could not be read"
        if self.state == CallState.SENT:
            return "Sent, waiting for the answer"
        return ""

    def outcome_words(self):
        """The outcome in words, with the HTTP status explained when it is not plain success."""
        status = self.http_status
        phrase = f"{status} {_status_phrase(status)}".strip() if status else ""
        if self.state == CallState.SENT or self.outcome_unknown:
            return (
                "No answer" if self.state == CallState.SENT or not status else f"Unreadable answer ({phrase})"
            )
        if self.outcome == "ok":
            if status and status >= 400:
                # A key test that expects a refusal (LookC's check asks for an organisation that cannot
                # exist): the provider's answer proves the key was accepted.
                return f"OK: the provider answered {phrase}, the expected answer to this check"
            return "OK"
        words = OUTCOME_WORDS.get(self.outcome, self.outcome.replace("_", " ").capitalize())
        return f"{words} ({phrase})" if phrase else words

    def credits_text(self):
        if self.credits_unconfirmed and not self.credits:
            return ""  # nothing confirmed; the unconfirmed amount says the rest
        return describe_credits(self.credits) or "free"

    def unconfirmed_text(self):
        text = describe_credits(self.credits_unconfirmed)
        return f"up to {text}, unconfirmed" if text else ""


class RateLimitBucket(models.Model):
    """The database store of the rate limiter (embedded mode): one locked row per limited key."""

    name = models.CharField(max_length=100, unique=True)
    blocked_until_ms = models.BigIntegerField(default=0)

    def __str__(self):
        return self.name


class RateLimitHit(models.Model):
    bucket = models.ForeignKey(RateLimitBucket, on_delete=models.CASCADE, related_name="hits")
    at_ms = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "at_ms"])]

    def __str__(self):
        return f"{self.bucket_id}@{self.at_ms}"


class WebhookEvent(models.Model):
    """Every webhook delivery, stored raw before anything else happens. Senders retry for hours, so a
    repeated body is recorded once."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_events")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    # The bytes exactly as received: a delivery need not be valid text (PostgreSQL text refuses NUL).
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "provider", "body_sha256"], name="webhook_event_once")
        ]

    def __str__(self):
        return f"{self.provider} webhook for {self.team} at {self.received_at:%Y-%m-%d %H:%M}"
