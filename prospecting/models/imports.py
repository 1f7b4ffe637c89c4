"""Imports of a CSV file into a list: one row per uploaded file, from the upload (columns not mapped
yet) to the end of its import, with its counts and the rows it could not take, in words.

The file itself is kept on the row (compressed) until the import ends, so a worker on another
machine can read it; it is cleared when the import is done or has failed.
"""

import zlib

from django.conf import settings
from django.db import models

from accounts.models import Team, TeamScopedQuerySet


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for its columns"
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed, nothing imported"


ACTIVE_STATES = (ImportState.QUEUED, ImportState.RUNNING)


class ImportJobQuerySet(TeamScopedQuerySet):
    def active(self):
        """Imports waiting for a worker or running."""
        return self.filter(state__in=ACTIVE_STATES)


class ImportJob(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="import_jobs")
    prospect_list = models.ForeignKey(
        "prospecting.ProspectList", on_delete=models.CASCADE, related_name="import_jobs"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED)
    filename = models.CharField(max_length=255, blank=True)
    # The file as UTF-8 text, zlib-compressed; emptied when the import ends.
    data = models.BinaryField(default=b"", blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)  # the first rows, for the mapping page
    # Field name -> column index, as the user mapped them.
    mapping = models.JSONField(default=dict, blank=True)
    skip_invalid = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)  # rows in the file, the header left out
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)  # people new to the team
    matched = models.PositiveIntegerField(default=0)  # people the team already had
    added = models.PositiveIntegerField(default=0)  # people new to the list
    invalid = models.PositiveIntegerField(default=0)
    # [[row number, reason], ...] for the invalid rows (the first MAX_ERRORS_KEPT of them).
    errors = models.JSONField(default=list, blank=True)
    # Why the import failed, in words ("" unless it failed).
    message = models.CharField(max_length=500, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["prospect_list", "state"])]

    def __str__(self):
        return f"Import of {self.filename or 'a file'} into list {self.prospect_list_id} ({self.state})"

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    def set_text(self, text: str):
        self.data = zlib.compress(text.encode("utf-8"), 1)

    def text(self) -> str:
        return zlib.decompress(bytes(self.data)).decode("utf-8") if self.data else ""
