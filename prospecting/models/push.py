"""Pushes of a list to LeadIQ Prospector: one row per push, with the LeadIQ list it went to (a later
push of the same Quarry list reuses it) and what happened to each person, in words."""

from django.conf import settings
from django.db import models

from accounts.models import Team, TeamScopedQuerySet


class PushState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Stopped"


class PushOutcome(models.TextChoices):
    ADDED = "added", "Added"
    ALREADY = "already", "Already in the LeadIQ list"
    FAILED = "failed", "Not added"


ACTIVE_STATES = (PushState.QUEUED, PushState.RUNNING)


class LeadiqPushQuerySet(TeamScopedQuerySet):
    def active(self):
        """Pushes waiting for a worker or running: at most one per list."""
        return self.filter(state__in=ACTIVE_STATES)


class LeadiqPush(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="leadiq_pushes")
    prospect_list = models.ForeignKey(
        "prospecting.ProspectList", on_delete=models.CASCADE, related_name="leadiq_pushes"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=PushState.choices, default=PushState.QUEUED)
    # Why the whole push stopped, in words ("" while it runs or when it finished).
    message = models.CharField(max_length=500, blank=True)
    leadiq_list_id = models.CharField(max_length=24, blank=True)
    leadiq_list_name = models.CharField(max_length=200, blank=True)
    held_back = models.PositiveIntegerField(default=0)  # suppressed people never sent
    to_push = models.PositiveIntegerField(default=0)  # contactable people in the list
    # One {"person": pk, "name": ..., "outcome": PushOutcome, "reason": ...} per person handled so far.
    outcomes = models.JSONField(default=list, blank=True)

    objects = LeadiqPushQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Push of list {self.prospect_list_id} to LeadIQ ({self.state})"

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def count(self, outcome):
        return sum(1 for item in self.outcomes if item.get("outcome") == outcome)

    @property
    def added(self):
        return self.count(PushOutcome.ADDED)

    @property
    def already(self):
        return self.count(PushOutcome.ALREADY)

    @property
    def failures(self):
        return [item for item in self.outcomes if item.get("outcome") == PushOutcome.FAILED]
