"""Pushing a list to LeadIQ Prospector: create the list there (or reuse the one an earlier push of the
same Quarry list made), add its contactable people in batches of 100, and keep each person's outcome
in words.

Prospector calls cost no credits [E4] (providers.md 6.6), but creating a list or prospects is not
idempotent [E6]: a repeated batch would duplicate people in LeadIQ. So before sending anything, a push
reads what the LeadIQ list already holds (a free GET) and sends only the people not there yet. A push
re-delivered after a crash, or pushed again later, therefore never sends a batch twice blindly: the
people an earlier, maybe-unfinished batch did add come back as "already in the LeadIQ list".
"""

from django.db import transaction
from django.utils import timezone

from prospecting import identifiers
from prospecting.models import (
    STATUS_RANK,
    ContactKind,
    IdentifierKind,
    LeadiqPush,
    PushOutcome,
    PushState,
)
from prospecting.providers.base import InvalidInput, ProviderError
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.leadiq_schema import checked_prospect
from prospecting.services.lists import list_people
from prospecting.services.provider_calls import active_key, call_provider
from prospecting.services.suppression import Purpose, ensure_contactable

BATCH_SIZE = 100  # POST /v1/lists/{listId}/prospects/batch takes 1-100 prospects [E6]
PAGE_SIZE = 100  # GET /v1/lists/{listId}/prospects: limit 1-100 [E6]
# A background push may wait for the shared LeadIQ limiter (60/min) far longer than a web request.
MAX_WAIT = 120.0
EMAIL_STATUSES = {"valid": "Verified", "probable": "VerifiedLikely", "unknown": "Unverified"}


def has_leadiq_key(*, team):
    try:
        active_key(team=team, provider="leadiq")
    except ProviderError:
        return False
    return True


def push_preview(*, prospect_list):
    """What a push would do: how many people it sends, how many suppression holds back, and the
    LeadIQ list it goes to (a new one, or the one an earlier push made)."""
    clearance = ensure_contactable(
        team=prospect_list.team, people=list_people(prospect_list), purpose=Purpose.EXPORT
    )
    earlier = _earlier_push(prospect_list)
    return {
        "to_push": clearance.people.count(),
        "held_back": clearance.held_back,
        "leadiq_list_name": earlier.leadiq_list_name if earlier else prospect_list.name,
        "reuses_list": earlier is not None,
        "active": LeadiqPush.objects.active().filter(prospect_list=prospect_list).first(),
    }


def start_leadiq_push(*, prospect_list, user):
    """Queue a push of the list, run by a Celery task once this transaction commits. A push of the
    same list already waiting or running is returned instead of starting a second one."""
    from prospecting.tasks import push_list_to_leadiq_task  # tasks call this module's services

    with transaction.atomic():
        type(prospect_list).objects.select_for_update().filter(pk=prospect_list.pk).first()
        running = LeadiqPush.objects.active().filter(prospect_list=prospect_list).first()
        if running:
            return running
        push = LeadiqPush.objects.create(
            team=prospect_list.team, prospect_list=prospect_list, started_by=user
        )
        transaction.on_commit(lambda: push_list_to_leadiq_task.delay(push.pk))
    return push


def push_list_to_leadiq(*, prospect_list, user, push=None):
    """Do the push (the Celery task calls this; tests may call it directly). Returns the LeadiqPush
    row with every person's outcome; a push that could not go on says why in `message`."""
    if push is None:
        push = LeadiqPush.objects.create(
            team=prospect_list.team, prospect_list=prospect_list, started_by=user
        )
    team = prospect_list.team
    push.state = PushState.RUNNING
    push.save(update_fields=["state", "updated_at"])
    clearance = ensure_contactable(team=team, people=list_people(prospect_list), purpose=Purpose.EXPORT)
    people = list(
        clearance.people.select_related("company").prefetch_related("contact_points", "identifiers")
    )
    push.held_back, push.to_push, push.outcomes = clearance.held_back, len(people), []
    push.save(update_fields=["held_back", "to_push", "outcomes", "updated_at"])

    def call(endpoint, **params):
        return call_provider(
            team=team,
            user=user,
            provider="leadiq",
            endpoint=endpoint,
            max_wait=MAX_WAIT,
            purpose=f"LeadIQ push of “{prospect_list.name}”",
            belongs_to=f"leadiq_push:{push.pk}",
            **params,
        ).data

    try:
        _find_or_create_list(push, prospect_list, call)
        there = _keys_already_there(push.leadiq_list_id, call)
        to_send = []
        for person in people:
            prospect = prospect_for(person)
            if _keys(prospect) & there:
                _note(push, person, PushOutcome.ALREADY)
                continue
            try:
                prospect = checked_prospect(prospect)
            except InvalidInput as refused:
                _note(push, person, PushOutcome.FAILED, f"Quarry did not send it: {refused.message}")
                continue
            to_send.append((person, prospect))
        push.save(update_fields=["outcomes", "updated_at"])
        for start in range(0, len(to_send), BATCH_SIZE):
            _send_batch(push, to_send[start : start + BATCH_SIZE], call)
    except ProviderError as error:
        return _finish(push, PushState.FAILED, _stopped(error, push))
    return _finish(push, PushState.DONE)


def prospect_for(person):
    """The ProspectInput [E6] for a kept person: the best email that is not known invalid, a phone,
    the LinkedIn profile, and the LeadIQ person id when LeadIQ gave one (it improves LeadIQ's matching)."""
    first, last = person.first_name, person.last_name
    if not (first and last) and person.full_name:
        first, _, last = person.full_name.partition(" ")
    points = list(person.contact_points.all())
    emails = [p for p in points if p.kind == ContactKind.EMAIL and p.status != "invalid"]
    phones = [p for p in points if p.kind == ContactKind.PHONE]
    email = max(emails, key=lambda p: STATUS_RANK.get(p.status, 0), default=None)
    ids = {one.kind: one.value for one in person.identifiers.all()}
    company = person.company
    prospect = {
        "firstName": first.strip() or None,
        "lastName": last.strip() or None,
        "title": person.title or None,
        "company": person.company_name or (company.name if company else "") or None,
        "companyDomain": (company.domain if company else "") or None,
        "workEmail": email.value if email else None,
        "emailStatus": EMAIL_STATUSES.get(email.status) if email else None,
        "phone": phones[0].value if phones else None,
        "personId": ids.get(IdentifierKind.LEADIQ),
    }
    if ids.get(IdentifierKind.LINKEDIN):
        prospect["linkedinUrl"] = f"https://www.linkedin.com/in/{ids[IdentifierKind.LINKEDIN]}/"
    return {key: value for key, value in prospect.items() if value is not None}


# --- steps ----------------------------------------------------------------------------------------


def _earlier_push(prospect_list):
    return (
        LeadiqPush.objects.filter(prospect_list=prospect_list)
        .exclude(leadiq_list_id="")
        .order_by("-created_at", "-id")
        .first()
    )


def _find_or_create_list(push, prospect_list, call):
    if not push.leadiq_list_id:
        earlier = _earlier_push(prospect_list)
        if earlier is not None:
            push.leadiq_list_id, push.leadiq_list_name = earlier.leadiq_list_id, earlier.leadiq_list_name
        else:
            # LeadIQ refuses a second list of the same name (409), which is what keeps a create
            # whose answer was lost from making a second list when the push runs again.
            try:
                made = call(
                    LeadiqClient.create_list,
                    name=prospect_list.name[:200],
                    description=f"Pushed from the Quarry list “{prospect_list.name}”."[:2000],
                )
            except InvalidInput as error:
                if error.status == 409:
                    error.message = (
                        f"LeadIQ already has a list named “{prospect_list.name[:200]}” that no push of "
                        "this list made (or one whose answer was lost). Rename this list in Quarry, or "
                        "that one in LeadIQ, and push again."
                    )
                raise
            push.leadiq_list_id, push.leadiq_list_name = made["id"], made.get("name") or prospect_list.name
        push.save(update_fields=["leadiq_list_id", "leadiq_list_name", "updated_at"])


def _keys_already_there(list_id, call):
    there, cursor = set(), None
    while True:
        params = {"list_id": list_id, "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        page = call(LeadiqClient.list_prospects, **params)
        for item in page.get("items") or []:
            if isinstance(item, dict):
                there |= _keys(item)
        cursor = page.get("nextCursor")
        if not cursor:
            return there


def _keys(prospect):
    """What identifies a prospect, as Quarry's identifiers normalise it: LeadIQ person id, LinkedIn
    profile, work email; a name with a company when none of those is known."""
    keys = set()
    if prospect.get("personId"):
        keys.add(("leadiq", str(prospect["personId"])))
    linkedin = identifiers.linkedin_public_id(str(prospect.get("linkedinUrl") or ""))
    if linkedin:
        keys.add(("linkedin", linkedin))
    email = identifiers.email(str(prospect.get("workEmail") or ""))
    if email:
        keys.add(("email", email))
    if not keys:
        company = prospect.get("company")
        company = company.get("name") if isinstance(company, dict) else company
        name = f"{prospect.get('firstName') or ''} {prospect.get('lastName') or ''}".strip().lower()
        keys.add(("name", name, str(company or "").strip().lower()))
    return keys


def _send_batch(push, batch, call):
    try:
        answer = call(
            LeadiqClient.add_prospects, list_id=push.leadiq_list_id, prospects=[p for _, p in batch]
        )
    except ProviderError as error:
        if getattr(error, "maybe_billed", False):
            # LeadIQ may have added some of them: say so; the next push finds those "already there".
            reason = (
                f"LeadIQ may or may not have added them ({error.message}). Push again: people "
                "already in the LeadIQ list are not sent twice."
            )
        elif isinstance(error, InvalidInput):
            reason = f"LeadIQ refused the whole batch: {error.message}"
        else:
            raise  # nothing was added (a bad key, a rate limit, LeadIQ down): stop; push again later
        for person, _ in batch:
            _note(push, person, PushOutcome.FAILED, reason)
        push.save(update_fields=["outcomes", "updated_at"])
        return
    failed = {}
    for item in answer.get("failed") or []:
        if isinstance(item, dict) and isinstance(item.get("index"), int):
            failed[item["index"]] = str(item.get("reason") or "no reason given")
    for index, (person, _) in enumerate(batch):
        if index in failed:
            _note(push, person, PushOutcome.FAILED, f"LeadIQ refused it: {failed[index]}")
        else:
            _note(push, person, PushOutcome.ADDED)
    push.save(update_fields=["outcomes", "updated_at"])


def _note(push, person, outcome, reason=""):
    push.outcomes.append(
        {"person": person.pk, "name": str(person), "outcome": str(outcome), "reason": reason[:500]}
    )


def _stopped(error, push):
    done = len(push.outcomes)
    return f"LeadIQ stopped the push after {done} of {push.to_push} people: {error.message}"[:500]


def _finish(push, state, message=""):
    push.state, push.message, push.finished_at = state, message, timezone.now()
    push.save(update_fields=["state", "message", "finished_at", "updated_at"])
    return push
