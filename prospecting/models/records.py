"""People and companies: one canonical record per real person or company per team.

A Person or Company row is a display cache of the best current values; what is known lives in
`FactValue` rows (every value with its source, date and the call that bought it; conflicting values
are separate rows), `ContactPoint` rows (emails and phones with a status) and `Identifier` rows (the
normalised identifiers records are matched on, see prospecting/identifiers.py).
"""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.models import Team, TeamScopedQuerySet
from prospecting.models.suppression import Suppression, SuppressionKind


class IdentifierKind(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn profile"
    SALES_NAV = "sales_nav", "Sales Navigator lead"
    LIX = "lix", "Lix id"
    LUSHA = "lusha", "Lusha id"
    LEADIQ = "leadiq", "LeadIQ id"
    EMAIL = "email", "Email"
    DOMAIN = "domain", "Domain"
    COMPANY_LINKEDIN = "company_linkedin", "LinkedIn company"


class ContactKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class ContactStatus(models.TextChoices):
    VALID = "valid", "Valid"
    PROBABLE = "probable", "Probable"
    INVALID = "invalid", "Invalid"
    UNKNOWN = "unknown", "Unknown"


# Which status wins when two sources disagree about one address: a verified answer beats a guess,
# and a guess beats knowing nothing.
STATUS_RANK = {
    ContactStatus.VALID: 3,
    ContactStatus.INVALID: 2,
    ContactStatus.PROBABLE: 1,
    ContactStatus.UNKNOWN: 0,
}


def company_suppression_match():
    """A condition true for a Company named by one of its team's Suppression rows of kind company or
    domain: by an identifier (domain, LinkedIn id) or its own domain or LinkedIn id."""
    rules = Suppression.objects.filter(
        team=OuterRef("team"), kind__in=[SuppressionKind.DOMAIN, SuppressionKind.COMPANY]
    )
    company_ids = Identifier.objects.filter(
        company=OuterRef(OuterRef("pk")),
        kind__in=[IdentifierKind.DOMAIN, IdentifierKind.COMPANY_LINKEDIN],
    )
    return Exists(rules.filter(value__in=company_ids.values("value"))) | Exists(
        rules.filter(Q(value=OuterRef("domain")) | Q(value=OuterRef("linkedin_id")))
    )


class CompanyQuerySet(TeamScopedQuerySet):
    def contactable(self):
        return self.exclude(company_suppression_match())

    def suppressed(self):
        return self.filter(company_suppression_match())

    def with_suppressed(self):
        return self.annotate(
            is_suppressed=models.ExpressionWrapper(
                Q(company_suppression_match()), output_field=models.BooleanField()
            )
        )


class Company(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="companies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=300, blank=True)
    domain = models.CharField(max_length=255, blank=True, db_index=True)  # normalised (identifiers.domain)
    linkedin_id = models.CharField(max_length=200, blank=True)  # normalised company slug or numeric id
    industry = models.CharField(max_length=200, blank=True)
    size = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=300, blank=True)
    # Made from a sandbox key's answers: simulated data, marked everywhere.
    is_sandbox = models.BooleanField(default=False)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        # A company suppressed by its LinkedIn id is found from the rule, not by reading every company.
        indexes = [models.Index(fields=["team", "linkedin_id"], name="company_linkedin_id")]

    def __str__(self):
        return self.name or self.domain or f"Company {self.pk}"


def _rule(kinds, value):
    """A Suppression row of the outer row's team naming `value` as one of `kinds`: one lookup in the
    (team, kind, value) unique index."""
    return Exists(Suppression.objects.filter(team=OuterRef("team"), kind__in=kinds, value=value))


def suppression_tests():
    """The ways a Person is matched by one of their team's Suppression rows, each as (rows, their field,
    the person's field): the rows that match a rule, and how one names a person. An email contact point,
    that email's domain, a LinkedIn identifier, their company's domain or LinkedIn id (identifiers), or
    their company's own domain or LinkedIn id fields. A person is suppressed when any test holds.

    Each rule is looked up from the row in the (team, kind, value) index. The tests are kept apart so
    that the database plans each one over the whole list at once (an anti-join for `contactable`, a
    hashed set for `suppressed`) instead of a six-way OR evaluated person by person (seconds at 100,000
    people)."""
    domains = [SuppressionKind.DOMAIN, SuppressionKind.COMPANY]
    emails = ContactPoint.objects.filter(kind=ContactKind.EMAIL)
    profiles = Identifier.objects.filter(kind__in=[IdentifierKind.LINKEDIN, IdentifierKind.SALES_NAV])
    company_ids = Identifier.objects.filter(
        company__isnull=False, kind__in=[IdentifierKind.DOMAIN, IdentifierKind.COMPANY_LINKEDIN]
    )
    return [
        (emails.filter(_rule([SuppressionKind.EMAIL], OuterRef("value"))), "person", "pk"),
        # A company suppressed by its domain covers addresses at it, even with no company record kept.
        (emails.filter(_rule(domains, OuterRef("domain"))), "person", "pk"),
        (profiles.filter(_rule([SuppressionKind.LINKEDIN], OuterRef("value"))), "person", "pk"),
        # A suppressed domain covers the company of that domain too; a suppressed company is named by
        # its domain or its LinkedIn id.
        (company_ids.filter(_rule(domains, OuterRef("value"))), "company", "company"),
        # The company's own display fields too, for a company made without identifier rows.
        (Company.objects.filter(_rule(domains, OuterRef("domain"))), "pk", "company"),
        (Company.objects.filter(_rule(domains, OuterRef("linkedin_id"))), "pk", "company"),
    ]


def suppression_match():
    """A condition true for a Person matched by one of their team's Suppression rows (any test of
    `suppression_tests`), evaluated person by person: for marks on a page of rows."""
    return reduce(
        operator.or_,
        [Exists(rows.filter(**{field: OuterRef(own)})) for rows, field, own in suppression_tests()],
    )


def suppressed_people_condition(person_id):
    """A condition on a field holding a person's id (`pk` of a Person, `person` of a list entry): that
    person is matched by their team's suppression list. Each test's rows are found once, for every team
    (a rule joins on the row's own team), as a set of person ids the database hashes: a list of 100,000
    people is then one scan, where the six-way OR of correlated tests looked rules up person by person.
    The cost grows with the number of suppressed people, not with the list."""
    sets = []
    for rows, field, own in suppression_tests():
        ids = rows.values(field)
        if own == "company":  # the people of the matched companies (one index look-up each)
            ids = Person.objects.filter(company__in=ids).values("pk")
        sets.append(Q(**{f"{person_id}__in": ids}))
    return reduce(operator.or_, sets)


class PersonQuerySet(TeamScopedQuerySet):
    def contactable(self):
        """People who may be bought, exported or contacted: not matched by their team's suppression list."""
        # NOT (a OR b ...) written as NOT a AND NOT b ...: the same people, planned as anti-joins.
        return self.filter(
            *[~Exists(rows.filter(**{field: OuterRef(own)})) for rows, field, own in suppression_tests()]
        )

    def suppressed(self, *, few=False):
        """The people matched by their team's suppression list.

        By default each test's matched people are found once as a set the database hashes: right for a
        list (its cost follows the team's suppressed people, not the list). `few=True` is for a handful
        of people already narrowed by id (a search page's kept people, a person page, an enrichment):
        each is looked up by their own identifiers in the indexes, a cost independent of the team's
        size, where the hashed sets read the team's emails (half a second at 1,000,000 people)."""
        return self.filter(suppression_match() if few else suppressed_people_condition("pk"))

    def with_suppressed(self):
        """Each person carries `is_suppressed`, in the same query (for marks in tables)."""
        return self.annotate(
            is_suppressed=models.ExpressionWrapper(Q(suppression_match()), output_field=models.BooleanField())
        )


class Person(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The newest known values, for display and sorting; FactValue keeps them all.
    full_name = models.CharField(max_length=300, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=300, blank=True)
    location = models.CharField(max_length=300, blank=True)
    # The newest company name known, even when no company record could be matched (no domain or id).
    company_name = models.CharField(max_length=300, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    is_sandbox = models.BooleanField(default=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["team", "full_name"]),
            # The list page's sorts by company and by title: the page walks the team's people in that
            # order and stops at 50 of the list's (no sort of every person of the list).
            models.Index(fields=["team", "company_name", "full_name", "id"], name="person_company_sort"),
            models.Index(fields=["team", "title", "full_name", "id"], name="person_title_sort"),
        ]

    def __str__(self):
        return self.full_name or f"Person {self.pk}"


class IdentifierQuerySet(TeamScopedQuerySet):
    pass


class Identifier(models.Model):
    """A normalised identifier of a person or a company; the key records are matched and merged on."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=IdentifierKind.choices)
    value = models.CharField(max_length=320)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    source = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IdentifierQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "kind", "value"],
                condition=Q(person__isnull=False),
                name="identifier_person_unique",
            ),
            models.UniqueConstraint(
                fields=["team", "kind", "value"],
                condition=Q(company__isnull=False),
                name="identifier_company_unique",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, company__isnull=True)
                | Q(person__isnull=True, company__isnull=False),
                name="identifier_names_one_record",
            ),
        ]

    def __str__(self):
        return f"{self.kind}:{self.value}"


class FactValueQuerySet(TeamScopedQuerySet):
    pass


class FactValue(models.Model):
    """One value of one field of a person or company, with its provenance. Conflicting values are
    separate rows; the same value from the same source keeps its first row (and is dated again)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="fact_values")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="facts")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="facts"
    )
    field = models.CharField(max_length=40)
    value = models.TextField()
    # What the source said about the value: an email's status, a phone's type.
    detail = models.CharField(max_length=30, blank=True)
    source = models.CharField(max_length=20)  # a provider slug, or "import"
    obtained_at = models.DateTimeField()
    call = models.ForeignKey(
        "prospecting.ProviderCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FactValueQuerySet.as_manager()

    class Meta:
        ordering = ["field", "-obtained_at", "-id"]
        indexes = [
            models.Index(fields=["person", "field"]),
            models.Index(fields=["company", "field"]),
        ]

    def __str__(self):
        return f"{self.field}={self.value} ({self.source})"


class ContactPointQuerySet(TeamScopedQuerySet):
    pass


class ContactPoint(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="contact_points")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(max_length=320)  # normalised: identifiers.email, or the number as given
    # An email's domain, kept so suppression by domain is one indexed match; "" for phones.
    domain = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=ContactStatus.choices, default=ContactStatus.UNKNOWN)
    phone_type = models.CharField(max_length=30, blank=True)
    source = models.CharField(max_length=20)
    obtained_at = models.DateTimeField()
    call = models.ForeignKey(
        "prospecting.ProviderCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value"], name="contact_point_unique"),
        ]
        indexes = [
            # With the person's id in the index, a team's email rules find their people by index alone
            # (a list's suppressed count at 1,000,000 people: no heap page read per rule).
            models.Index(fields=["team", "kind", "value"], include=["person"], name="contact_point_rule"),
            models.Index(fields=["team", "domain"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.value} ({self.status})"

    def save(self, *args, **kwargs):
        # Suppression by domain matches this column: never leave it empty for an email. (bulk_create
        # skips save(): callers of it set `domain` themselves, as keep_people does.)
        if self.kind == ContactKind.EMAIL and not self.domain and "@" in self.value:
            self.domain = self.value.rsplit("@", 1)[1]
        super().save(*args, **kwargs)


class MergeQuerySet(TeamScopedQuerySet):
    pass


class Merge(models.Model):
    """A record that two people (or companies) were found to be one, and were merged: who stayed,
    which id went, what it was matched on, and when."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="merges")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="merges")
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.CASCADE, related_name="merges"
    )
    merged_id = models.PositiveBigIntegerField()  # the id of the record folded into this one
    merged_name = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # e.g. "linkedin:jane-doe and email:jane@x.com"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MergeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"merged {self.merged_id} into {self.person_id or self.company_id}"
