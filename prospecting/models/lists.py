from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Team, TeamScopedQuerySet


class ProspectListQuerySet(TeamScopedQuerySet):
    pass


class ProspectList(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="prospect_lists")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProspectListQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ListEntryQuerySet(TeamScopedQuerySet):
    def for_team(self, team):
        # An entry belongs to its list's team.
        return self.filter(prospect_list__team=team)


class ListEntry(models.Model):
    prospect_list = models.ForeignKey(ProspectList, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(
        "prospecting.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="list_entries"
    )
    company = models.ForeignKey(
        "prospecting.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="list_entries"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at", "-id"]
        # A list's page, newest first (its default order): walked in order, 50 rows read, no sort.
        indexes = [models.Index(fields=["prospect_list", "-added_at", "-id"], name="list_entry_newest")]
        constraints = [
            models.UniqueConstraint(
                fields=["prospect_list", "person"],
                condition=Q(person__isnull=False),
                name="list_entry_person_once",
            ),
            models.UniqueConstraint(
                fields=["prospect_list", "company"],
                condition=Q(company__isnull=False),
                name="list_entry_company_once",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, company__isnull=True)
                | Q(person__isnull=True, company__isnull=False),
                name="list_entry_names_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.person or self.company} in {self.prospect_list_id}"
