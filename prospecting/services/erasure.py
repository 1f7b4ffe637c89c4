"""Forgetting a person entirely (an erasure request).

Everything stored about them goes: their values, contact points, identifiers, list entries, merges
and the Person. The provider calls that bought their data stay (they are the team's spend) but keep
only their cost and date: anything a provider wrote in them is cleared. Raw webhook deliveries that
name them are emptied. Their emails and LinkedIn profile go onto the suppression list, the one trace
left on purpose, so that they are never bought, exported or contacted again.
"""

from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction
from prospecting.models import (
    ContactKind,
    ContactPoint,
    FactValue,
    Identifier,
    IdentifierKind,
    ListEntry,
    Person,
    ProviderCall,
    SavedSearch,
    Suppression,
    SuppressionKind,
    WebhookEvent,
)

ERASURE_REASON = "Erasure request"


def _identifiers(person):
    """The person's emails and LinkedIn ids (normalised), as suppression (kind, value) pairs."""
    emails = set(person.contact_points.filter(kind=ContactKind.EMAIL).values_list("value", flat=True))
    emails |= set(person.identifiers.filter(kind=IdentifierKind.EMAIL).values_list("value", flat=True))
    emails |= set(person.facts.filter(field="email").values_list("value", flat=True))
    profiles = person.identifiers.filter(kind__in=[IdentifierKind.LINKEDIN, IdentifierKind.SALES_NAV])
    pairs = {(SuppressionKind.EMAIL, value) for value in emails if value}
    pairs |= {(SuppressionKind.LINKEDIN, value) for value in profiles.values_list("value", flat=True)}
    return pairs


def erasure_summary(*, person):
    """What an erasure will delete and suppress, in counts (for the confirmation page)."""
    return {
        "facts": person.facts.count(),
        "contact_points": person.contact_points.count(),
        "identifiers": person.identifiers.count(),
        "lists": person.list_entries.count(),
        "suppressed": len(_identifiers(person)),
    }


def erase_person(*, person, actor, ip=None):
    team = person.team
    with transaction.atomic():
        # Locked, so a merge or a kept search result cannot add to the person while they are erased.
        person = Person.objects.select_for_update().get(pk=person.pk)
        pairs = _identifiers(person)
        # Every identifier in the forms a provider may have written it (a webhook body, an error text).
        needles = {value for _, value in pairs} | set(person.identifiers.values_list("value", flat=True))
        needles = {needle.lower() for needle in needles if len(needle) >= 3}
        calls = set(person.facts.exclude(call=None).values_list("call_id", flat=True))
        calls |= set(person.contact_points.exclude(call=None).values_list("call_id", flat=True))

        _clear_calls(team, calls, needles)
        emptied = _empty_webhook_events(team, needles)
        _forget_search_results(team, needles)
        counts = erasure_summary(person=person)
        FactValue.objects.filter(person=person).delete()
        ContactPoint.objects.filter(person=person).delete()
        Identifier.objects.filter(person=person).delete()
        ListEntry.objects.filter(person=person).delete()
        pk = person.pk
        # Anything else about the person (merges, and whatever later parts attach) cascades.
        person.delete()
        Suppression.objects.bulk_create(
            [
                Suppression(team=team, kind=kind, value=value, reason=ERASURE_REASON, created_by=actor)
                for kind, value in sorted(pairs)
            ],
            ignore_conflicts=True,
        )
        # The audit trail is kept forever, so it records that an erasure happened and its size, never
        # the person's name, emails or profile: the event must not become the copy we were asked to erase.
        record_event(
            action=AuditAction.PERSON_ERASED,
            actor=actor,
            team=team,
            target=f"person #{pk}",
            ip=ip,
            details={**counts, "calls_cleared": len(calls), "webhook_events_emptied": emptied},
        )


def _clear_calls(team, calls, needles):
    """The calls keep their cost and date; a provider's message or request id could name the person."""
    about = Q(pk__in=calls)
    for needle in needles:
        about |= Q(message__icontains=needle)
    ProviderCall.objects.for_team(team).filter(about).update(message="", request_id="")


def _empty_webhook_events(team, needles):
    """Raw deliveries naming the person are emptied (their digest stays, so a retry is still known)."""
    if not needles:
        return 0
    found = [
        pk
        for pk, body in WebhookEvent.objects.for_team(team).values_list("pk", "body").iterator()
        if any(needle.encode() in bytes(body).lower() for needle in needles)
    ]
    WebhookEvent.objects.filter(pk__in=found).update(
        body=b"", processed_at=Coalesce("processed_at", Value(timezone.now()))
    )
    return len(found)


def _forget_search_results(team, needles):
    """Saved searches remember their last results' keys (to mark what is new): drop the person's."""
    if not needles:
        return
    searches = SavedSearch.objects.for_team(team).exclude(last_result_keys=[], previous_result_keys=[])
    for search in searches:
        changed = []
        for name in ("last_result_keys", "previous_result_keys"):
            kept = getattr(search, name)
            keys = [key for key in kept if not any(n in str(key).lower() for n in needles)]
            if len(keys) != len(kept):
                setattr(search, name, keys)
                changed.append(name)
        if changed:
            search.save(update_fields=changed)
