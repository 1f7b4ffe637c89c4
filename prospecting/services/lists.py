"""Lists of people and companies a team keeps: create, rename, delete, add and remove members, and
the people of a list filtered and sorted for its page and its export."""

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Lookup, OuterRef, Q, Subquery

from prospecting.models import (
    Company,
    ContactKind,
    ContactPoint,
    ContactStatus,
    FactValue,
    ListEntry,
    Person,
    ProspectList,
    Suppression,
)
from prospecting.models.records import suppression_tests

# How the list page can sort its people: the choice's name -> the ordering.
SORTS = {
    "name": ("full_name", "id"),
    "-name": ("-full_name", "-id"),
    "company": ("company_name", "full_name", "id"),
    "-company": ("-company_name", "-full_name", "-id"),
    "title": ("title", "full_name", "id"),
    "-title": ("-title", "-full_name", "-id"),
    "added": ("added_at", "id"),
    "-added": ("-added_at", "-id"),
}
DEFAULT_SORT = "-added"


# A company filter's matching companies sent as ids up to this many (`_companies_named`).
NAMED_INLINE = 1_000


def create_list(*, team, user, name) -> ProspectList:
    return ProspectList.objects.create(team=team, created_by=user, name=name.strip())


def rename_list(*, prospect_list, name) -> ProspectList:
    prospect_list.name = name.strip()
    prospect_list.save(update_fields=["name", "updated_at"])
    return prospect_list


def delete_list(*, prospect_list):
    """Deletes the list and its entries; the people and companies stay with the team."""
    prospect_list.delete()


def _ids(records):
    return {record if isinstance(record, int) else record.pk for record in records}


def add_to_list(*, prospect_list, people=(), companies=(), user) -> int:
    """Adds people and companies (records or ids) of the list's team; ones already in the list stay
    as they are, and ids of another team are ignored. Returns how many entries were added."""
    team = prospect_list.team
    person_ids = set(Person.objects.for_team(team).filter(pk__in=_ids(people)).values_list("pk", flat=True))
    company_ids = set(
        Company.objects.for_team(team).filter(pk__in=_ids(companies)).values_list("pk", flat=True)
    )
    if not person_ids and not company_ids:
        return 0
    with transaction.atomic():
        entries = ListEntry.objects.filter(prospect_list=prospect_list)
        person_ids -= set(entries.filter(person__in=person_ids).values_list("person_id", flat=True))
        company_ids -= set(entries.filter(company__in=company_ids).values_list("company_id", flat=True))
        new = [ListEntry(prospect_list=prospect_list, person_id=pk, added_by=user) for pk in person_ids]
        new += [ListEntry(prospect_list=prospect_list, company_id=pk, added_by=user) for pk in company_ids]
        # Another request adding the same person at the same moment must not fail this one.
        ListEntry.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def remove_from_list(*, prospect_list, people=(), companies=()) -> int:
    """Removes the entries of these people and companies (records or ids). Returns how many went."""
    entries = ListEntry.objects.filter(prospect_list=prospect_list)
    removed, _ = entries.filter(Q(person__in=_ids(people)) | Q(company__in=_ids(companies))).delete()
    return removed


def _has_contact(kind, **extra):
    return Exists(ContactPoint.objects.filter(person=OuterRef("pk"), kind=kind, **extra))


def list_people(prospect_list, *, filters=None, sort=DEFAULT_SORT):
    """The people of a list, with `added_at` (when they joined the list), filtered and sorted.

    filters: company and title (contains, any case), has_email and has_phone (True/False),
    email_status (a ContactStatus) and source (a provider slug or "import": any value from it)."""
    filters = filters or {}
    # A join, not EXISTS and a subquery: a person is in a list once (list_entry_person_once), and the
    # database can then walk an index in the page's order (sort by added, or by name) and stop at 50.
    people = (
        Person.objects.for_team(prospect_list.team)
        .filter(list_entries__prospect_list=prospect_list)
        .annotate(added_at=F("list_entries__added_at"))
        .select_related("company")
    )
    if filters.get("company"):
        people = people.filter(
            _contains("company_name", filters["company"])
            | Q(company__in=_companies_named(prospect_list.team, filters["company"]))
        )
    if filters.get("title"):
        people = people.filter(_contains("title", filters["title"]))
    for name, kind in (("has_email", ContactKind.EMAIL), ("has_phone", ContactKind.PHONE)):
        if filters.get(name) is True:
            people = people.filter(_has_contact(kind))
        elif filters.get(name) is False:
            people = people.exclude(_has_contact(kind))
    if filters.get("email_status") in ContactStatus.values:
        people = people.filter(_has_contact(ContactKind.EMAIL, status=filters["email_status"]))
    if filters.get("source"):
        source = filters["source"]
        people = people.filter(
            Exists(FactValue.objects.filter(person=OuterRef("pk"), source=source)) | _has_contact_from(source)
        )
    return people.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def _companies_named(team, text):
    """The team's companies whose name contains `text`, for the company filter: the companies as a set (the
    team's companies are far fewer than a list's people), so neither the count nor the page joins every
    person to their company to test its name. Up to NAMED_INLINE of them as their ids, read first: from a
    subquery PostgreSQL guessed that half the team's people match, and for a name few companies have it
    walked all of a 1,000,000-person team in name order to fill a page of 22 (0.6 s); with the ids it
    knows how few match. More companies than that make a broad filter, where that walk is right."""
    named = (
        Company.objects.for_team(team).filter(_contains("name", text)).order_by().values_list("pk", flat=True)
    )
    ids = list(named[: NAMED_INLINE + 1])
    return ids if len(ids) <= NAMED_INLINE else named


class _ContainsAnyCase(Lookup):
    """`field ILIKE '%text%'` (PostgreSQL). Django's icontains writes `UPPER(field) LIKE UPPER(...)`, an
    expression PostgreSQL keeps no statistics for: it guessed 667 people with "sales" in their title
    among 1,000,000 (there were 285,000) and read every one of them to sort 50, where ILIKE is estimated
    from the column's statistics and the page walks the list's index and stops at 50 (1 s -> 1 ms)."""

    lookup_name = "contains_any_case"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def _contains(field, text):
    """A condition: `field` contains `text` in any case (`%` and `_` taken literally)."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__icontains": text})
    return _ContainsAnyCase(F(field), f"%{connection.ops.prep_for_like_query(text)}%")


def _has_contact_from(source):
    return Exists(ContactPoint.objects.filter(person=OuterRef("pk"), source=source))


def list_companies(prospect_list):
    entries = ListEntry.objects.filter(prospect_list=prospect_list, company=OuterRef("pk"))
    return (
        Company.objects.for_team(prospect_list.team)
        .filter(Exists(entries))
        .annotate(added_at=Subquery(entries.values("added_at")[:1]))
        .order_by("-added_at", "-id")
    )


def team_suppresses(team) -> bool:
    """Whether the team has any do-not-contact entry: most teams' lists then need no matching."""
    return Suppression.objects.for_team(team).exists()


def suppressed_count(prospect_list, *, team_suppresses_anyone=None) -> int:
    """How many people of the list an export leaves out (PersonQuerySet.contactable). Pass
    `team_suppresses_anyone` when it is already known, to save its query."""
    if team_suppresses_anyone is None:
        team_suppresses_anyone = team_suppresses(prospect_list.team)
    if not team_suppresses_anyone:
        return 0  # no need to match every person against nothing
    # The people each test of the rule matches, in the list's team only (so a small team's count does
    # not read a large team's rows, and a team's email rules find their people by index:
    # contact_point_rule), as one set; then the list's entries naming one of them. At 1,000,000 people
    # the hashed tests over every team's contact points took 0.2 to 0.9 s; this takes about 0.1 s.
    team = prospect_list.team
    matched = []
    for rows, field, own in suppression_tests():
        ids = rows.filter(team=team).order_by().values(field)
        if own == "company":  # the people of the matched companies
            ids = Person.objects.filter(team=team, company__in=ids).order_by().values("pk")
        matched.append(ids)
    people = matched[0].union(*matched[1:])
    return ListEntry.objects.filter(prospect_list=prospect_list, person__in=people).count()


def with_contact_points(people):
    """These Person objects (a page of them) with `emails` and `phones`: their contact points as dicts,
    in one query. prefetch_related built and filtered a queryset per person to hold them: 50 querysets
    for a page, and the template then walked each person's points twice."""
    people = list(people)
    by_person = {person.pk: person for person in people}
    for person in people:
        person.emails, person.phones = [], []
    labels = dict(ContactStatus.choices)
    points = (
        ContactPoint.objects.filter(person__in=list(by_person))
        .order_by("kind", "value")
        .values_list("person_id", "kind", "value", "status", "phone_type", "source")
    )
    for person_id, kind, value, status, phone_type, source in points:
        point = {"value": value, "status": status, "status_label": labels.get(status, status)}
        point.update(phone_type=phone_type, source=source)
        if kind == ContactKind.EMAIL:
            by_person[person_id].emails.append(point)
        elif kind == ContactKind.PHONE:
            by_person[person_id].phones.append(point)
    return people


def mark_suppressed(people):
    """Sets `is_suppressed` on these Person objects (a page of them) in one query that looks each one up
    by index. Annotating the page's query instead let the database hash a whole test's rows first
    (every email contact point of the team: most of a second at 1,000,000 people) to mark 50 rows."""
    people = list(people)
    found = set(
        Person.objects.filter(pk__in=[person.pk for person in people])
        .suppressed(few=True)
        .order_by()
        .values_list("pk", flat=True)
    )
    for person in people:
        person.is_suppressed = person.pk in found
    return people


def entry_counts(list_ids):
    """list id -> (people, companies) in it, for the lists index, in one query."""
    rows = (
        ListEntry.objects.filter(prospect_list__in=list_ids)
        .order_by()
        .values("prospect_list")
        .annotate(people=Count("person"), companies=Count("company"))
    )
    return {row["prospect_list"]: (row["people"], row["companies"]) for row in rows}
