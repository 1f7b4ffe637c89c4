"""Reconciliation: the providers' own balance and usage figures against the credit ledger (issue 9,
"Reconciliation"; DESIGN.md, "Credits are recorded as the provider made them").

Each reading goes through `call_provider`, so it is logged, rate-limited (Lusha's usage endpoint allows 5
calls a minute: the limiter's "usage" bucket, lusha.py) and free of credits. Two successive readings of a
key and credit type make one comparison (`compare`): what the provider counted as spent between them beside
the ledger's captures of the key's calls in that period. What the confirmed captures, the unconfirmed
captures and the holds open around the readings cannot explain is flagged for the team's admins, who can
book it as an adjustment entry with a reason (`book_adjustment`).

Which figure each provider gives (providers.md):
- Lix: `GET /v1/account/balances` has `linkedInBalance` (standard credits) and `emailBalance` (email
  credits), balances that go down; `GET /v1/account/allowances/daily` counts requests, not credits (shown,
  not compared). No organisation-credit figure is documented, so organisation credits, Lix's and LookC's
  (LookC bills the Lix account's organisation credits), have nothing to be compared with.
- Lusha: `GET /account/usage`, a `used` counter per credit kind (summed: the ledger has one Lusha type).
- LeadIQ: the free `account` query, the universal plan's `used` counter for the billing period.
- LinkUp, LookC: no balance or usage endpoint at all.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import AuditAction, Provider, ProviderKey, Team
from prospecting.models import (
    BalanceReading,
    CreditComparison,
    CreditType,
    EntryKind,
    LedgerEntry,
    Measure,
    ProviderCall,
    ReconciliationRun,
    RunState,
    Verdict,
)
from prospecting.models.calls import SENT_GRACE_SECONDS
from prospecting.providers import PROVIDERS
from prospecting.providers.base import ProviderError
from prospecting.providers.lix import BALANCE_LABELS
from prospecting.services import ledger
from prospecting.services.ledger import credits_text
from prospecting.services.provider_calls import call_provider

logger = logging.getLogger(__name__)

# A background reading waits this long for the rate limiter (Lix: 1 call in 3 s; Lusha's usage: 5 a minute).
READING_MAX_WAIT = 60.0
ZERO = Decimal(0)
# The largest adjustment an admin may book at once: a typo (an extra zero or three) should be refused.
MAX_ADJUSTMENT = Decimal(1_000_000)

# Lix's balance fields [S][E1] -> the ledger's credit types; the client labels its rows with BALANCE_LABELS.
LIX_BALANCES = {"linkedInBalance": CreditType.LIX_STANDARD, "emailBalance": CreditType.LIX_EMAIL}
# The rows LeadiqClient.balances makes of the `account` query (leadiq.py, `_balance_rows`).
LEADIQ_USED, LEADIQ_AVAILABLE, LEADIQ_RENEWS = (
    "Universal credits used",
    "Universal credits available",
    "Universal credits renew on",
)

# What the page says where a provider gives no figure to compare with.
NO_FIGURE = {
    Provider.LINKUP: "LinkUp has no balance or usage endpoint in its API, so its spend cannot be compared "
    "with LinkUp's own figures: check them in the LinkUp dashboard.",
    Provider.LOOKC: "LookC bills the Lix account's organisation credits and has no balance endpoint of its "
    "own; Lix's balances do not report organisation credits, so LookC's spend cannot be compared either.",
}
LIX_ORGANISATION_NOTE = (
    "Lix's balances report standard and email credits only: organisation credits (Lix's organisation "
    "look-ups, and LookC's) have no figure to compare with."
)


@dataclass
class Figure:
    credit_type: str  # "" for Lix's daily allowance
    measure: str
    figure: Decimal
    call: ProviderCall
    taken_at: object
    detail: dict = field(default_factory=dict)


# --- Reading ---------------------------------------------------------------------------------------------


def _read(key, user, endpoint):
    """One free call for a figure, through call_provider (logged, rate-limited, no hold to reserve)."""
    result = call_provider(
        team=key.team,
        user=user,
        provider=key.provider,
        endpoint=endpoint,
        max_wait=READING_MAX_WAIT,
        purpose=f"Reconciliation: {Provider(key.provider).label}'s own figures",
    )
    return result, timezone.now()


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _read_lix(key, user):
    client = PROVIDERS[Provider.LIX]
    result, taken = _read(key, user, client.balances)
    rows = {row["label"]: row["value"] for row in result.data}
    figures = []
    for name, credit_type in LIX_BALANCES.items():
        value = _number(rows.get(BALANCE_LABELS[name]))
        if value is not None:
            figures.append(Figure(credit_type, Measure.BALANCE, value, result.log, taken))
    result, taken = _read(key, user, client.daily_allowance)
    rows = {row["label"]: row["value"] for row in result.data}
    left = _number(rows.get("Requests remaining today"))
    if left is not None:
        detail = {"refreshes": str(rows.get("Daily allowance refreshes at", ""))}
        figures.append(Figure("", Measure.REQUESTS_LEFT, left, result.log, taken, detail))
    return figures


def _read_lusha(key, user):
    result, taken = _read(key, user, PROVIDERS[Provider.LUSHA].account_usage)
    usage = result.data["usage"]
    used = [figures["used"] for figures in usage.values() if figures.get("used") is not None]
    if not used:
        return []
    detail = {kind: {name: str(value) for name, value in figures.items()} for kind, figures in usage.items()}
    return [Figure(CreditType.LUSHA, Measure.USED, Decimal(str(sum(used))), result.log, taken, detail)]


def _read_leadiq(key, user):
    result, taken = _read(key, user, PROVIDERS[Provider.LEADIQ].balances)
    rows = {row["label"]: row["value"] for row in result.data}
    used = _number(rows.get(LEADIQ_USED))
    if used is None:
        return []
    # A new billing period starts the counter again: the renewal day tells one period from the next.
    detail = {"renews": str(rows.get(LEADIQ_RENEWS, "")), "available": str(rows.get(LEADIQ_AVAILABLE, ""))}
    return [Figure(CreditType.LEADIQ_UC, Measure.USED, used, result.log, taken, detail)]


READERS = {Provider.LIX: _read_lix, Provider.LUSHA: _read_lusha, Provider.LEADIQ: _read_leadiq}


def read_balances(*, key, user=None, run=None):
    """Read a key's figures from its provider and store them. Raises ProviderError when the provider could
    not be read; a provider with no figures (LinkUp, LookC) has no reader and returns []."""
    reader = READERS.get(key.provider)
    if reader is None:
        return []
    return [
        BalanceReading.objects.create(
            team_id=key.team_id,
            key=key,
            provider=key.provider,
            credit_type=figure.credit_type,
            measure=figure.measure,
            figure=figure.figure,
            detail=figure.detail,
            asked_at=figure.call.created_at,
            taken_at=figure.taken_at,
            call=figure.call,
            run=run,
        )
        for figure in reader(key, user)
    ]


# --- Comparing -------------------------------------------------------------------------------------------


def reconcile_key(*, key, user=None, run=None):
    """Read the key's figures and compare each with the one before it. Returns the new comparisons (none
    for a first reading, which is the baseline the next one is compared with)."""
    comparisons = []
    for reading in read_balances(key=key, user=user, run=run):
        if not reading.credit_type:
            continue  # Lix's daily allowance: requests, not credits
        previous = (
            BalanceReading.objects.for_team(key.team_id)
            .filter(
                key=key,
                credit_type=reading.credit_type,
                measure=reading.measure,
                taken_at__lt=reading.taken_at,
            )
            .exclude(pk=reading.pk)
            .order_by("-taken_at", "-id")
            .first()
        )
        if previous is not None:
            comparisons.append(compare(previous, reading))
    return comparisons


@dataclass
class LedgerSide:
    confirmed: Decimal = ZERO  # certainly charged between the two readings
    unconfirmed: Decimal = ZERO  # captured in full with the outcome unknown: charged anywhere from 0 to this
    held: Decimal = ZERO  # calls in flight around a reading: charged before it, after it, or not at all


def ledger_side(*, key, credit_type, previous, reading):
    """The ledger's view of the key's spend between two readings.

    The provider worked out each figure at some moment between the reading's `asked_at` and `taken_at`, and
    bills a call at some moment between its row's creation (just before it was sent) and its capture. So a
    confirmed capture certainly falls between the readings when its call was sent after the previous answer
    came and captured before this reading was asked; a confirmed capture that straddles either reading, a
    hold still open, and an unconfirmed capture may or may not, and only explain a difference. Calls are
    looked at from one call's longest life before the previous reading (a timed-out request may be billed
    late); those sent before the previous answer came count as holds in flight, whatever their capture."""
    window = timedelta(seconds=sum(settings.PROVIDER_TIMEOUT) + SENT_GRACE_SECONDS)
    calls = (
        ProviderCall.objects.for_team(key.team_id)
        .filter(key=key, created_at__gt=previous.asked_at - window, created_at__lte=reading.taken_at)
        .exclude(hold="")
    )
    sent_at = dict(calls.values_list("hold", "created_at"))
    holds = {}
    entries = LedgerEntry.objects.for_team(key.team_id).filter(
        credit_type=credit_type, hold__in=calls.values("hold")
    )
    for hold, kind, confirmed, amount, at in entries.values_list(
        "hold", "kind", "confirmed", "amount", "created_at"
    ).order_by():
        books = holds.setdefault(hold, {"reserved": ZERO, "sure": ZERO, "unsure": ZERO, "settled": None})
        if kind == EntryKind.RESERVE:
            books["reserved"] += amount
            continue
        books["settled"] = at if books["settled"] is None else min(books["settled"], at)
        if kind == EntryKind.CAPTURE:
            books["sure" if confirmed else "unsure"] += amount
    side = LedgerSide()
    for hold, books in holds.items():
        sent, settled = sent_at[hold], books["settled"]
        if sent > previous.taken_at:
            side.unconfirmed += books["unsure"]
        else:
            # In flight at the previous reading, and already counted as a possible charge there.
            side.held += books["unsure"]
        if settled is None:
            side.held += books["reserved"]
        elif books["sure"] and settled > previous.asked_at:  # else billed before the previous reading
            if sent > previous.taken_at and settled <= reading.asked_at:
                side.confirmed += books["sure"]
            else:
                side.held += books["sure"]
    return side


def compare(previous, reading):
    """Compare the provider's change between two readings with the ledger's side, and store the verdict."""
    key, credit_type = reading.key, reading.credit_type
    change = reading.spent_since(previous)
    side = ledger_side(key=key, credit_type=credit_type, previous=previous, reading=reading)
    low, high = side.confirmed, side.confirmed + side.unconfirmed + side.held
    unexplained, note = ZERO, ""
    if change < 0 or _new_period(previous, reading):
        verdict = Verdict.NOT_COMPARED
        note = (
            "The provider's figure went the other way (a top-up, or a new billing period that started its "
            "counter again): this period is not compared, and the next one starts from this reading."
        )
    else:
        if change > high:
            unexplained = change - high
        elif change < low:
            unexplained = change - low
        if unexplained:
            verdict = Verdict.FLAGGED
        elif change == side.confirmed and not (side.unconfirmed or side.held):
            verdict = Verdict.MATCHED
        else:
            verdict = Verdict.EXPLAINED
    comparison = CreditComparison.objects.create(
        team_id=key.team_id,
        key=key,
        provider=key.provider,
        credit_type=credit_type,
        previous=previous,
        reading=reading,
        provider_change=change,
        confirmed=side.confirmed,
        unconfirmed=side.unconfirmed,
        held=side.held,
        unexplained=unexplained,
        verdict=verdict,
        note=note,
    )
    if verdict == Verdict.FLAGGED:
        logger.warning(
            "Reconciliation flagged %s of key %s (team %s): %s unexplained",
            credit_type,
            key.pk,
            key.team_id,
            unexplained,
        )
    return comparison


def _new_period(previous, reading):
    before, after = previous.detail.get("renews"), reading.detail.get("renews")
    return bool(before and after and before != after)


# --- Runs: beat, and the admins' button ------------------------------------------------------------------


def readable_keys(team):
    return ProviderKey.objects.for_team(team).active().filter(provider__in=list(READERS)).order_by("provider")


def start_reconciliation(*, team, user=None):
    """Start reading the team's figures in the background, unless a run is going already. Returns (the run,
    whether it was started now). The task is enqueued after commit, so the worker finds the run."""
    from prospecting.tasks import reconcile_team_task  # tasks call this module's services

    with transaction.atomic():
        # One run at a time per team: the team's row is the lock two admins' clicks queue on.
        Team.objects.select_for_update().filter(pk=team.pk).first()
        current = latest_run(team)
        if current is not None and current.is_running:
            return current, False
        run = ReconciliationRun.objects.create(team=team, started_by=user)
        # A broker outage must not turn the page into an error: the run stops counting as running later.
        transaction.on_commit(lambda: reconcile_team_task.delay(run.pk), robust=True)
    return run, True


def run_reconciliation(run_id):
    """The background part of a run: read and compare every key that has figures. A run already finished
    (a message delivered twice) is left alone; one cut off runs again, which only adds a reading."""
    run = ReconciliationRun.objects.filter(pk=run_id, state=RunState.RUNNING).select_related("team").first()
    if run is None:
        return None
    problems = []
    for key in readable_keys(run.team):
        try:
            reconcile_key(key=key, user=run.started_by, run=run)
        except ProviderError as error:
            problems.append(f"{key.get_provider_display()}: {error.message}")
        except Exception:
            # One key's surprise must not leave the run (and the page) "reading balances…" forever.
            logger.exception("Reconciliation of key %s failed", key.pk)
            problems.append(f"{key.get_provider_display()}: Quarry could not read its figures (logged).")
    run.state, run.finished_at, run.problems = RunState.DONE, timezone.now(), problems
    run.save(update_fields=["state", "finished_at", "problems"])
    return run


def start_reconciliations():
    """Beat: a run for every team with a key that has figures. Returns how many started."""
    teams = Team.objects.filter(
        provider_keys__revoked_at__isnull=True, provider_keys__provider__in=list(READERS)
    ).distinct()
    return sum(1 for team in teams if start_reconciliation(team=team)[1])


def latest_run(team):
    return ReconciliationRun.objects.for_team(team).order_by("-started_at", "-id").first()


# --- Adjustments -----------------------------------------------------------------------------------------


def suggested_adjustment(comparison):
    """What an admin would book: a flagged difference as it is; with no hold in the way, the unconfirmed
    captures the provider did not charge (a negative amount); None when there is nothing to correct."""
    if comparison.adjustment_id is not None:
        return None
    if comparison.verdict == Verdict.FLAGGED:
        return comparison.unexplained
    if comparison.verdict == Verdict.EXPLAINED and comparison.unconfirmed and not comparison.held:
        overcount = comparison.provider_change - comparison.confirmed - comparison.unconfirmed
        return overcount or None
    return None


def book_adjustment(*, comparison, actor, amount, reason, ip=None):
    """Book a correction of a comparison's credit type as a new ledger entry (the ledger is append-only),
    once per comparison, and record it in the audit trail. Positive: spent more than the ledger said."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why: the reason is kept with the adjustment and in the audit trail.")
    if not amount or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationError(
            f"The amount must be non-zero and at most {MAX_ADJUSTMENT:,} credits either way."
        )
    with transaction.atomic():
        comparison = CreditComparison.objects.select_for_update().select_related("key").get(pk=comparison.pk)
        if comparison.adjustment_id is not None:
            raise ValidationError("An adjustment was booked for this difference already.")
        entry = ledger.book_adjustment(
            team=comparison.key.team,
            user=None,  # the team's own account, not a member's spend
            provider=comparison.provider,
            credit_type=comparison.credit_type,
            amount=amount,
            reason=reason,
            booked_by=actor,
            purpose=f"Reconciliation with {Provider(comparison.provider).label}'s own figures",
            sandbox=comparison.key.is_sandbox,
            key=f"reconcile:{comparison.pk}",
        )
        comparison.adjustment = entry
        comparison.save(update_fields=["adjustment"])
        record_event(
            action=AuditAction.CREDITS_ADJUSTED,
            actor=actor,
            team=comparison.key.team,
            target=f"{'+' if amount > 0 else ''}{credits_text(amount, comparison.credit_type)}",
            ip=ip,
            details={
                "comparison_id": comparison.pk,
                "entry_id": entry.pk,
                "credit_type": comparison.credit_type,
                "amount": str(amount),
                "reason": reason[:300],
            },
        )
    return entry


# --- The page's figures ----------------------------------------------------------------------------------


def latest_comparisons(team):
    """The last comparison of each key and credit type, flagged ones first, then by provider."""
    comparisons = CreditComparison.objects.for_team(team).filter(key__revoked_at__isnull=True)
    # Rows are written in time order, so the highest id of a series is its last comparison.
    last = comparisons.values("key_id", "credit_type").annotate(last=Max("id")).values("last")
    latest = comparisons.filter(pk__in=last).select_related(
        "key", "previous", "reading", "adjustment__booked_by"
    )
    return sorted(latest, key=lambda c: (not c.needs_adjustment, c.provider, c.credit_type))


def latest_readings(team):
    """The last reading of each active key and figure (the baselines, and Lix's daily allowance)."""
    readings = BalanceReading.objects.for_team(team).filter(key__revoked_at__isnull=True)
    last = readings.values("key_id", "credit_type", "measure").annotate(last=Max("id")).values("last")
    latest = readings.filter(pk__in=last).select_related("key")
    return sorted(latest, key=lambda r: (r.provider, r.credit_type))


def no_figure_notes(team):
    """In words, what cannot be compared for the team's keys."""
    providers = set(ProviderKey.objects.for_team(team).active().values_list("provider", flat=True))
    notes = [
        (Provider(provider).label, NO_FIGURE[provider]) for provider in NO_FIGURE if provider in providers
    ]
    if Provider.LIX in providers:
        notes.append((CreditType.LIX_ORGANISATION.label, LIX_ORGANISATION_NOTE))
    return notes
