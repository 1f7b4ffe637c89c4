"""Do-not-contact: the team's suppression list, and the one gate every path that spends, exports or
contacts goes through (`ensure_contactable`, built on PersonQuerySet.contactable()).

Every value is normalised through prospecting/identifiers.py, the same functions records are matched
on, so "https://www.linkedin.com/in/Jane-Doe/" suppresses the person kept as "jane-doe".
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from accounts.audit import record_event
from accounts.models import AuditAction, Membership, Role
from prospecting import identifiers
from prospecting.models import Identifier, Person, Suppression, SuppressionKind
from prospecting.providers.facts import PersonFacts
from prospecting.services import csv_read

DETECT = "detect"
# What a header cell of a suppression CSV may say (lower case); any other first row is data.
HEADER_WORDS = {
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "emails",
    "domain",
    "email domain",
    "domains",
    "website",
    "linkedin",
    "linkedin url",
    "linkedin profile",
    "linkedin profile url",
    "profile",
    "profile url",
    "company",
    "company domain",
    "company linkedin url",
    "company website",
    "value",
    "values",
}
MAX_IMPORT_BYTES = 5_000_000
MAX_IMPORT_ROWS = 50_000
MAX_ERRORS_SHOWN = 50
# Up to this many people named by id are tested for suppression one by one (index look-ups); more, as a
# whole list (hashed sets).
FEW_PEOPLE = 1000


def _linkedin(text):
    return identifiers.linkedin_public_id(text) or identifiers.sales_nav_id(text)


def _company(text):
    # A LinkedIn company URL, slug or numeric id names the company; a dotted name is its domain or website.
    if "linkedin" in text.lower() or "." not in text:
        return identifiers.company_linkedin_id(text)
    return identifiers.domain(text)


PARSERS = {
    SuppressionKind.EMAIL: identifiers.email,
    SuppressionKind.DOMAIN: identifiers.domain,
    SuppressionKind.LINKEDIN: _linkedin,
    SuppressionKind.COMPANY: _company,
}
REFUSALS = {
    SuppressionKind.EMAIL: "is not an email address",
    SuppressionKind.DOMAIN: "is not a domain (write it as example.com, or an address at it)",
    SuppressionKind.LINKEDIN: (
        "is not a LinkedIn profile URL or id (linkedin.com/in/… or a Sales Navigator lead)"
    ),
    SuppressionKind.COMPANY: "is not a company domain or LinkedIn company URL (linkedin.com/company/…)",
}


def detect_kind(text):
    """The kind a value plainly is, or "" when it could be several (a bare word: a LinkedIn profile
    or a company?)."""
    text = text.strip()
    lowered = text.lower()
    if "linkedin" in lowered:
        if identifiers.company_linkedin_id(text):
            return SuppressionKind.COMPANY
        if _linkedin(text):
            return SuppressionKind.LINKEDIN
        return ""
    if "@" in text and identifiers.email(text) and not text.startswith("@"):
        return SuppressionKind.EMAIL
    # A bare domain (or "@example.com") suppresses the email domain, which covers its company too.
    if "." in text and identifiers.domain(text.lstrip("@")):
        return SuppressionKind.DOMAIN
    return ""


def parse_suppression(*, kind, text):
    """(kind, normalised value) for what a user typed, or a ValidationError saying what is wrong."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Enter a value to suppress.")
    if kind == DETECT:
        kind = detect_kind(text)
        if not kind:
            raise ValidationError(
                f"“{text[:100]}” could be several things: choose whether it is an email, a domain, "
                "a LinkedIn profile or a company."
            )
    if kind not in SuppressionKind.values:
        raise ValidationError("Choose what kind of value this is.")
    kind = SuppressionKind(kind)
    if kind == SuppressionKind.DOMAIN:
        text = text.lstrip("@")
    value = PARSERS[kind](text)
    if not value:
        raise ValidationError(f"“{text[:100]}” {REFUSALS[kind]}.")
    return kind, value


def _describe(kind, value):
    return f"{SuppressionKind(kind).label} {value}"


def add_suppression(*, team, actor, kind, text, reason="", ip=None) -> Suppression:
    kind, value = parse_suppression(kind=kind, text=text)
    try:
        # The unique constraint decides, so two admins adding the same value at once get one entry.
        with transaction.atomic():
            entry = Suppression.objects.create(
                team=team, kind=kind, value=value, reason=reason.strip()[:300], created_by=actor
            )
            record_event(
                action=AuditAction.SUPPRESSION_ADDED,
                actor=actor,
                team=team,
                target=_describe(kind, value),
                ip=ip,
                details={"reason": entry.reason} if entry.reason else {},
            )
    except IntegrityError:
        raise ValidationError(f"{_describe(kind, value)} is already suppressed.") from None
    return entry


def remove_suppression(*, suppression, actor, ip=None):
    with transaction.atomic():
        suppression.delete()
        record_event(
            action=AuditAction.SUPPRESSION_REMOVED,
            actor=actor,
            team=suppression.team,
            target=_describe(suppression.kind, suppression.value),
            ip=ip,
        )


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0  # already on the list, or twice in the file
    header: bool = False  # the first row was read as a header
    errors: list = field(default_factory=list)  # (row number, message)

    @property
    def more_errors(self):
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)

    @property
    def shown_errors(self):
        return self.errors[:MAX_ERRORS_SHOWN]


def import_suppressions(*, team, actor, upload, kind=DETECT, column="", reason="", ip=None) -> ImportReport:
    """Add every value of a CSV (one value per line, or one column of a table) to the list. All or
    nothing: any invalid row adds none, and the report says which rows and why."""
    report = ImportReport()
    rows, column_index, heading = _read_csv(upload, column)
    report.header = heading is not None
    if kind == DETECT and heading:
        # A column headed "E-mail" or "Company website" says what it holds better than guessing.
        kind = _kind_of_heading(heading)
    wanted, values = {}, 0
    for number, row in rows:
        text = row[column_index].strip() if column_index < len(row) else ""
        if not text:
            continue
        try:
            wanted.setdefault(parse_suppression(kind=kind, text=text), number)
            values += 1
        except ValidationError as error:
            report.errors.append((number, error.messages[0]))
    if report.errors:
        return report
    existing = _existing(team, wanted)
    new = [key for key in wanted if key not in existing]
    report.already = values - len(new)
    with transaction.atomic():
        created = Suppression.objects.bulk_create(
            [
                Suppression(team=team, kind=k, value=v, reason=reason.strip()[:300], created_by=actor)
                for k, v in new
            ],
            ignore_conflicts=True,
        )
        report.added = len(created)
        record_event(
            action=AuditAction.SUPPRESSION_IMPORTED,
            actor=actor,
            team=team,
            target=f"{report.added} from {getattr(upload, 'name', 'a file')}"[:300],
            ip=ip,
            details={"added": report.added, "already": report.already},
        )
    return report


def _matching(pairs):
    """One condition for many (kind, value) pairs: a value__in per kind."""
    by_kind = {}
    for kind, value in pairs:
        by_kind.setdefault(kind, []).append(value)
    match = Q()
    for kind, values in by_kind.items():
        match |= Q(kind=kind, value__in=values)
    return match


def _existing(team, keys):
    if not keys:
        return set()
    return set(Suppression.objects.for_team(team).filter(_matching(keys)).values_list("kind", "value"))


def _kind_of_heading(heading):
    for word, kind in (
        ("company", SuppressionKind.COMPANY),
        ("linkedin", SuppressionKind.LINKEDIN),
        ("profile", SuppressionKind.LINKEDIN),
        ("domain", SuppressionKind.DOMAIN),
        ("website", SuppressionKind.DOMAIN),
        ("mail", SuppressionKind.EMAIL),
    ):
        if word in heading:
            return kind
    return DETECT


def _read_csv(upload, column):
    """[(row number, cells)], the index of the column to read, and its heading (lower case) when row 1
    is a header, else None."""
    what = "the do-not-contact list takes"
    try:
        # A file over the limit is refused before reading a byte of it.
        csv_read.check_size(upload.size, max_bytes=MAX_IMPORT_BYTES, what=what)
        data = upload.read()
        rows = csv_read.read_rows(data, max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_IMPORT_ROWS, what=what)
    except csv_read.CsvFileError as error:
        raise ValidationError(str(error)) from None
    first = [cell.strip().lower() for cell in rows[0][1]]
    column = (column or "").strip()
    if column.isdigit():
        index = int(column) - 1
        if index < 0:
            raise ValidationError("Columns are numbered from 1.")
        header = index < len(first) and first[index] in HEADER_WORDS
    elif column:
        if column.lower() not in first:
            names = ", ".join(f"“{cell}”" for cell in rows[0][1] if cell.strip()) or "none"
            raise ValidationError(f"The file has no column named “{column}”. Its first row has: {names}.")
        index, header = first.index(column.lower()), True
    else:
        index = next((i for i, cell in enumerate(first) if cell in HEADER_WORDS), 0)
        header = bool(first) and first[index] in HEADER_WORDS
    return (rows[1:] if header else rows), index, (first[index] if header else None)


# --- the gate: who may be enriched, exported or contacted ------------------------------------------


class Purpose:
    ENRICH = "enrich"
    EXPORT = "export"  # a CSV download, or a push to another tool (LeadIQ Prospector)
    CONTACT = "contact"


@dataclass(frozen=True)
class Clearance:
    people: QuerySet  # who may go ahead
    held_back: int  # suppressed people left out (or, with an override, let through)
    overridden: bool = False


def ensure_contactable(*, team, people, purpose, override_by=None, reason="", target="", ip=None):
    """The people who may be enriched, exported or contacted: every path that spends, exports or
    contacts calls this first and works on `Clearance.people` only.

    `people` is a Person queryset (its ordering and annotations are kept) or Person objects or ids.
    An admin may override the list for one export (`override_by`, with a reason): the suppressed
    people go through, and the audit trail records who, why, for which export (`target`) and how many.
    Enriching and contacting a suppressed person is never allowed."""
    if isinstance(people, QuerySet):
        chosen, few = people.filter(team=team), False
    else:
        ids = [getattr(p, "pk", p) for p in people]
        # People named one by one (a selection, not a list) are looked up by index, each on their own.
        chosen, few = Person.objects.for_team(team).filter(pk__in=ids), len(ids) <= FEW_PEOPLE
    held_back = chosen.suppressed(few=few).count()
    if override_by is None or not held_back:
        return Clearance(people=chosen.contactable(), held_back=held_back)
    if purpose != Purpose.EXPORT:
        raise PermissionDenied(
            "Suppressed people are never enriched or contacted; only an export can override."
        )
    if not Membership.objects.for_team(team).filter(user=override_by, role=Role.ADMIN).exists():
        raise PermissionDenied("Only a team admin can override the do-not-contact list.")
    if not reason.strip():
        raise ValidationError("Say why this export includes people on the do-not-contact list.")
    record_event(
        action=AuditAction.SUPPRESSION_OVERRIDDEN,
        actor=override_by,
        team=team,
        target=target or "an export",
        ip=ip,
        # Counts only: the audit trail is kept forever and must not become a copy of the list.
        details={"purpose": purpose, "included": held_back, "reason": reason.strip()[:300]},
    )
    return Clearance(people=chosen, held_back=held_back, overridden=True)


# --- marks for tables of results ------------------------------------------------------------------


def suppressed_flags(*, team, facts: list[PersonFacts]) -> list[bool]:
    """Whether each search result is suppressed, in three queries whatever the page size: by its own
    identifiers (email, its domain, LinkedIn, company domain or LinkedIn id), or because the team
    already keeps that person and the record is suppressed (an email bought earlier, say)."""
    from prospecting.services.records import person_keys  # records imports nothing from here

    own = [_fact_rules(item) for item in facts]
    keys = [person_keys(item) for item in facts]
    rules = _existing(team, {rule for item in own for rule in item})
    known = _kept_people(team, keys)
    suppressed_people = set(
        Person.objects.for_team(team)
        .filter(pk__in=set(known.values()))
        .suppressed(few=True)
        .values_list("pk", flat=True)
    )
    return [
        bool(rules.intersection(item_rules)) or any(known.get(key) in suppressed_people for key in item_keys)
        for item_rules, item_keys in zip(own, keys, strict=True)
    ]


def _fact_rules(item: PersonFacts):
    emails = [identifiers.email(address) for address, _status in item.emails]
    emails = [address for address in emails if address]
    company = [
        identifiers.domain(item.company_domain),
        identifiers.company_linkedin_id(item.company_linkedin_url),
    ]
    rules = {(SuppressionKind.EMAIL, address) for address in emails}
    # As in .contactable(): an address's domain is matched by an email-domain or a company entry.
    rules |= {
        (kind, identifiers.email_domain(address))
        for address in emails
        for kind in (SuppressionKind.DOMAIN, SuppressionKind.COMPANY)
    }
    rules |= {
        (SuppressionKind.LINKEDIN, _linkedin(item.linkedin_url)),
        (SuppressionKind.LINKEDIN, identifiers.sales_nav_id(item.sales_nav_id)),
    }
    rules |= {
        (kind, value) for value in company for kind in (SuppressionKind.DOMAIN, SuppressionKind.COMPANY)
    }
    return {(kind, value) for kind, value in rules if value}


def _kept_people(team, keys):
    wanted = {key for item in keys for key in item}
    if not wanted:
        return {}
    rows = Identifier.objects.for_team(team).filter(_matching(wanted), person__isnull=False)
    return {(kind, value): pk for kind, value, pk in rows.values_list("kind", "value", "person_id")}
