from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Provider, Team, TeamScopedQuerySet


class SavedSearchQuerySet(TeamScopedQuerySet):
    def visible_to(self, user):
        """The searches a member sees: their own, and those shared with the team."""
        return self.filter(Q(owner=user) | Q(shared=True))


class SavedSearch(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="saved_searches")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    kind = models.CharField(max_length=40)  # which search of the provider: "people", "sales_nav_url", ...
    # The form's values or the pasted search URL, and paging state such as Lix's sequence_id.
    query = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_result_count = models.PositiveIntegerField(null=True, blank=True)
    # The results' keys (normalised identifiers) of the run in progress, page after page as the user
    # pages through it, and of the run before it: a page of this run marks what is new against those.
    last_result_keys = models.JSONField(default=list, blank=True)
    previous_result_keys = models.JSONField(default=list, blank=True)

    objects = SavedSearchQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name
