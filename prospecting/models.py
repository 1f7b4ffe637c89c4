from django.conf import settings
from django.db import models

from accounts.models import Provider, ProviderKey, Team, TeamScopedQuerySet


class ProviderCall(models.Model):
    """One HTTP call to a provider: who made it, what it cost, how it ended. The audit log of spend."""

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
    # Credits charged by type, per the provider's billing rule: {"email": 1} or {"uc": 10.1}.
    credits = models.JSONField(default=dict, blank=True)
    # Made with a sandbox key: simulated, no real credits spent.
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TeamScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "provider", "created_at"])]

    def __str__(self):
        return f"{self.provider} {self.endpoint} {self.outcome}"


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
