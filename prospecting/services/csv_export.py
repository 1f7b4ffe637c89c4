"""Exporting a list's people to CSV, one row per person, streamed.

Who an export writes is decided by the one do-not-contact gate, `ensure_contactable` (purpose
export): suppressed people are left out, unless a team admin overrides it for this one export with a
reason, which the gate records in the audit trail.
"""

from django.db.models import Prefetch

from prospecting.models import STATUS_RANK, ContactKind, ContactPoint, Identifier, IdentifierKind
from prospecting.services.lists import list_people
from prospecting.services.suppression import Clearance, Purpose, ensure_contactable

HEADERS = [
    "Full Name",
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Company Domain",
    "LinkedIn URL",
    "Location",
    "Email",
    "Email Status",
    "Email Source",
    "Phone",
    "Phone Type",
    "Phone Source",
    # Every contact point, with its status (or a phone's type) and its source: "a@x.com (valid, lusha)".
    "All Emails",
    "All Phones",
]
CHUNK = 2000


def clear_export(*, prospect_list, override_by=None, reason="", ip=None) -> Clearance:
    """Who an export of the list may write, sorted by name: through the do-not-contact gate.
    With `override_by` (a team admin) and a reason, the suppressed people are included and the
    audit trail records who, why, which list and how many (no names: the trail is kept forever)."""
    return ensure_contactable(
        team=prospect_list.team,
        people=list_people(prospect_list, sort="name"),
        purpose=Purpose.EXPORT,
        override_by=override_by,
        reason=reason,
        target=f"CSV export of the list “{prospect_list.name}” (#{prospect_list.pk})",
        ip=ip,
    )


def export_people(people):
    """The people an export writes (a cleared queryset), with what the rows need fetched in a few
    queries per chunk (iterate with `.iterator(chunk_size=...)`)."""
    return people.prefetch_related(
        Prefetch("contact_points", ContactPoint.objects.order_by("kind", "-obtained_at", "id"), "points"),
        Prefetch(
            "identifiers",
            Identifier.objects.filter(kind=IdentifierKind.LINKEDIN).order_by("id"),
            "linkedin_ids",
        ),
    )


def _best(points):
    # A verified address first, then the newest (points come newest first).
    return max(points, key=lambda point: STATUS_RANK.get(point.status, 0), default=None)


def _all(points, detail):
    return "; ".join(f"{p.value} ({', '.join(d for d in (detail(p), p.source) if d)})" for p in points)


def person_row(person):
    emails = [p for p in person.points if p.kind == ContactKind.EMAIL]
    phones = [p for p in person.points if p.kind == ContactKind.PHONE]
    email, phone = _best(emails), phones[0] if phones else None
    linkedin = person.linkedin_ids[0].value if person.linkedin_ids else ""
    company = person.company
    return [
        person.full_name,
        person.first_name,
        person.last_name,
        person.title,
        person.company_name or (company.name if company else ""),
        company.domain if company else "",
        f"https://www.linkedin.com/in/{linkedin}/" if linkedin else "",
        person.location,
        email.value if email else "",
        email.status if email else "",
        email.source if email else "",
        phone.value if phone else "",
        phone.phone_type if phone else "",
        phone.source if phone else "",
        _all(emails, lambda p: p.status),
        _all(phones, lambda p: p.phone_type),
    ]


def export_rows(prospect_list, *, people=None):
    """The header, then one row per person, read from the database a chunk at a time. `people` is
    what `clear_export` let through; without it, the list's people the gate allows with no override."""
    yield HEADERS
    if people is None:
        people = clear_export(prospect_list=prospect_list).people
    for person in export_people(people).iterator(chunk_size=CHUNK):
        yield person_row(person)
