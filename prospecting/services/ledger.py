"""Credit movements: the one service that writes the ledger (DESIGN.md, "Credits are recorded as the
provider made them"; issue 9, "Reserve, then capture or release").

A paid call first *reserves* the most it can cost, per credit type, checked against the member's monthly
budget and the team's cap; `call_provider` does it before it waits for the rate limiter or sends anything,
so a call over budget costs nothing and leaves no trace but its refusal. Once the call ended, its hold is
*settled* once: what was charged is captured (confirmed: the provider's figure or rule; unconfirmed and
flagged: the outcome is unknown, so the most it could have cost) and the rest released. A hold whose
settlement never came (a worker killed mid-call) expires and is settled by `expire_holds`, flagged.

Every entry has a unique idempotency key, and every settlement of a hold writes its first entry of a credit
type under the same key ("<hold>:settle:<credit type>:1"), so a hold resolves exactly once, with no lock,
even when a late answer races the expiry task: the second settlement is refused by the unique index.
Spend, holds and the budget left are sums of entries (the functions at the end); a budget check reads the
same sums from running totals (CreditUsage) kept with the entries.
"""

import logging
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import Membership, Provider
from prospecting.models import (
    Budget,
    CallState,
    CreditType,
    CreditUsage,
    EntryKind,
    LedgerEntry,
    ProviderCall,
)
from prospecting.providers.base import ProviderError
from prospecting.providers.billing import credit_type

logger = logging.getLogger(__name__)

# After the provider timeout and the limiter's wait, how long a hold waits for its call to settle it
# before the expiry task does (the call log's own grace for a `sent` row, calls.SENT_GRACE_SECONDS).
HOLD_GRACE_SECONDS = 60
# How far back the expiry task looks for holds nobody settled (beat down for longer leaves them open).
EXPIRY_LOOKBACK = timedelta(days=31)
EXPIRY_BATCH = 500
SPENT_KINDS = (EntryKind.CAPTURE, EntryKind.ADJUSTMENT)
SETTLED_KINDS = (EntryKind.CAPTURE, EntryKind.RELEASE)
ZERO = Decimal(0)
UNKNOWN_NOTE = "Outcome unknown: the most the call could have cost, until reconciliation."


class BudgetExceeded(ProviderError):
    """A reservation the member's monthly budget or the team's cap cannot cover: refused before anything
    was sent. A ProviderError, so every page that shows a provider's refusal shows this one in words."""

    code = "budget_exceeded"
    permanent = True
    default_message = "This would go over the monthly credit budget, so Quarry did not make the call."


@dataclass
class Hold:
    """One call's reservation: the entries of its reserve, capture and release share `id`."""

    team_id: int
    user_id: int | None
    provider: str
    purpose: str = ""
    belongs_to: str = ""  # the job or search the call is part of: "saved_search:12"
    sandbox: bool = False
    reserved: dict = field(default_factory=dict)  # credit type -> Decimal
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # When it was reserved: its month's running totals hold it until it is settled.
    reserved_at: datetime = field(default_factory=timezone.now)


def by_credit_type(provider, credits):
    """{credit type: Decimal} from a provider's billing kinds ({"standard": 1}, {"uc": 10.1})."""
    amounts = {}
    for kind, amount in (credits or {}).items():
        amount = Decimal(str(amount))
        if amount:
            account = credit_type(provider, kind)
            amounts[account] = amounts.get(account, ZERO) + amount
    return amounts


# --- Reserve ---------------------------------------------------------------------------------------------


def reserve_credits(
    *, team, user, provider, credits, purpose="", belongs_to="", sandbox=False, expires_in=0.0
):
    """Hold `credits` (the billing kinds `max_credits` returns) for one call, or raise BudgetExceeded.
    A free call holds nothing and writes nothing. The reservation commits here: call providers outside a
    transaction, so that it is counted by every other reservation before the request leaves."""
    amounts, now = by_credit_type(provider, credits), timezone.now()
    hold = Hold(
        team_id=team.pk,
        user_id=user.pk if user else None,
        provider=provider,
        purpose=purpose[:200],
        belongs_to=belongs_to[:60],
        sandbox=sandbox,
        reserved=amounts,
        reserved_at=now,
    )
    if not amounts:
        return hold
    expires_at = now + timedelta(seconds=expires_in + HOLD_GRACE_SECONDS)
    with transaction.atomic():
        _check_budgets(team=team, user=user, amounts=amounts, now=now)
        LedgerEntry.objects.bulk_create(
            _entry(hold, EntryKind.RESERVE, kind, amount, now=now, expires_at=expires_at)
            for kind, amount in amounts.items()
        )
        month = month_start(now).date()
        _add_usage(team.pk, hold.user_id, {(kind, month): (ZERO, amount) for kind, amount in amounts.items()})
    return hold


def _check_budgets(*, team, user, amounts, now):
    # Locked in one order everywhere (the team's caps first, then the member's, each by credit type), so
    # two reservations never wait on each other crosswise; held until the reserve entries are committed, so
    # concurrent calls are counted one after the other and cannot overspend together.
    budgets = _locked_budgets(team, user, sorted(amounts))
    if not budgets:
        return
    team_wide = any(budget.user_id is None for budget in budgets)
    kinds = {budget.credit_type for budget in budgets}
    used = _used(team=team, user=user, credit_types=kinds, team_wide=team_wide, now=now)
    for budget in budgets:
        left = budget.monthly_limit - used.get((budget.user_id, budget.credit_type), ZERO)
        if amounts[budget.credit_type] > left:
            needed = amounts[budget.credit_type]
            raise BudgetExceeded(refusal_text(budget, team=team, left=left, needed=needed))


# The two queries every paid call's reservation makes are written in SQL: the ORM took 1.1 ms to build
# the budgets' locking query that the database answers in 0.2 (issue 9: the ledger adds at most 5 ms).


def _locked_budgets(team, user, credit_types):
    """The budgets a reservation of `credit_types` by `user` is checked against (the team's caps, then the
    member's), locked until the transaction ends (SQLite locks the whole database for a writer anyway)."""
    whose = "user_id IS NULL OR user_id = %s" if user else "user_id IS NULL"
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT id, user_id, credit_type, monthly_limit FROM {Budget._meta.db_table} "  # noqa: S608 (names and placeholders only)
        f"WHERE team_id = %s AND credit_type IN ({', '.join(['%s'] * len(credit_types))}) AND ({whose}) "
        f"ORDER BY user_id NULLS FIRST, credit_type{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [team.pk, *credit_types, *([user.pk] if user else [])])
        rows = cursor.fetchall()
    return [
        Budget(pk=pk, team=team, user_id=user_id, credit_type=kind, monthly_limit=_decimal(limit))
        for pk, user_id, kind, limit in rows
    ]


def _used(*, team, user, credit_types, team_wide, now=None):
    """{(user id, credit type): spent this month + open holds}, and with `team_wide` {(None, credit type):
    the team's}, from the running totals (CreditUsage): a row per member, credit type and month, whatever
    the month's number of entries. Run after the budget rows were locked (a statement of its own, so it
    sees every reservation committed before the lock was granted).

    Open holds are those reserved since `holds_counted_since` (this month and the last)."""
    this_month, since = month_start(now).date(), holds_counted_since(now).date()
    credit_types = sorted(credit_types)
    member = "" if team_wide else " AND user_id = %s"
    sql = (
        f"SELECT user_id, credit_type, month, spent, held FROM {CreditUsage._meta.db_table} "  # noqa: S608 (names and placeholders only)
        f"WHERE team_id = %s AND credit_type IN ({', '.join(['%s'] * len(credit_types))}) "
        f"AND month >= %s AND month <= %s{member}"
    )
    month = connection.ops.adapt_datefield_value
    params = [team.pk, *credit_types, month(since), month(this_month), *([] if team_wide else [user.pk])]
    used = defaultdict(lambda: ZERO)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, kind, first, spent, held in cursor.fetchall():
            # SQLite answers a date as text.
            counted = _decimal(held) + (_decimal(spent) if str(first) == str(this_month) else ZERO)
            if team_wide:
                used[(None, kind)] += counted
            if user is not None and user_id == user.pk:
                used[(user.pk, kind)] += counted
    return dict(used)


def _decimal(value):
    """An amount read by a plain cursor: SQLite answers decimal columns as numbers, floats included (sums
    of 0.1s...): back to the columns' four places, as the ORM would."""
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(Decimal("0.0001"))


def rebuild_usage(*, team=None):
    """Recompute the running totals (CreditUsage) from the ledger's entries, of one team or of all: after
    a change of settings.TIME_ZONE (months are calendar months there), or to check them. The totals' table
    is locked meanwhile, so a call's change of them waits and is added to the rebuilt figures."""
    zone = ZoneInfo(settings.TIME_ZONE)
    entries = LedgerEntry.objects.all() if team is None else LedgerEntry.objects.for_team(team)
    month = TruncMonth("created_at", tzinfo=zone)
    totals = defaultdict(lambda: [ZERO, ZERO])
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CreditUsage._meta.db_table} IN EXCLUSIVE MODE")
        spent = entries.filter(kind__in=SPENT_KINDS)
        held = entries.filter(~Exists(_settlements()), kind=EntryKind.RESERVE)
        for column, chosen in enumerate((spent, held)):
            sums = chosen.annotate(month=month).values("team_id", "user_id", "credit_type", "month")
            for row in sums.annotate(total=Sum("amount")).order_by():
                key = (
                    row["team_id"],
                    row["user_id"],
                    row["credit_type"],
                    row["month"].astimezone(zone).date(),
                )
                totals[key][column] += row["total"]
        (CreditUsage.objects.all() if team is None else CreditUsage.objects.for_team(team)).delete()
        CreditUsage.objects.bulk_create(
            CreditUsage(
                team_id=team_id, user_id=user_id, credit_type=kind, month=first, spent=spent, held=held
            )
            for (team_id, user_id, kind, first), (spent, held) in totals.items()
        )
    return len(totals)


def open_holds_since(team, since):
    """A condition on the team's entries: a reservation made since `since` and not settled yet.
    PostgreSQL hashes the settlements for the test: only the team's since then (a settlement comes after
    its reservation, so none is missed)."""
    settlements = _settlements().filter(team=team, created_at__gte=since)
    return Q(kind=EntryKind.RESERVE, created_at__gte=since) & ~Exists(settlements)


def _settlements():
    """The capture or release of the outer reserve entry's hold and credit type."""
    return LedgerEntry.objects.filter(
        hold=OuterRef("hold"), credit_type=OuterRef("credit_type"), kind__in=SETTLED_KINDS
    )


# --- Capture and release ----------------------------------------------------------------------------------


def settle_hold(hold, *, confirmed=None, unconfirmed=None, call=None, flagged=False, note=""):
    """Capture what the call cost and release the rest of its hold: `confirmed` and `unconfirmed` are
    {credit type: amount} (`by_credit_type`). Unconfirmed captures are always flagged for reconciliation.
    A charge beyond the hold (or with no hold) is captured all the same: never under-count. Returns False
    when the hold was settled already (a repeat, or the expiry task came first): nothing is written."""
    confirmed, unconfirmed = confirmed or {}, unconfirmed or {}
    if not (hold.reserved or confirmed or unconfirmed):
        return False  # a free call: nothing held, nothing charged
    try:
        # One INSERT of every entry (a savepoint when the caller is in a transaction): all or nothing.
        with transaction.atomic():
            _write_settlement(hold, confirmed, unconfirmed, call=call, flagged=flagged, note=note)
    except IntegrityError:
        return False  # the hold was settled already: its settlement's idempotency keys are taken
    return True


def _write_settlement(hold, confirmed, unconfirmed, *, call, flagged, note):
    """The capture and release entries of `hold` (what it reserved, `hold.reserved`). The n-th
    entry of a credit type is keyed "<hold>:settle:<credit type>:<n>" whatever it is, so any two
    settlements of one hold collide on their first key and the second is refused by the unique index:
    a hold is settled once with no lock and no look-up first (a late answer racing the expiry task too)."""
    now, reserved = timezone.now(), hold.reserved
    entries, usage = [], defaultdict(lambda: (ZERO, ZERO))
    month, reserved_in = month_start(now).date(), month_start(hold.reserved_at).date()
    for kind in sorted(reserved.keys() | confirmed.keys() | unconfirmed.keys()):
        sure, unsure = confirmed.get(kind, ZERO), unconfirmed.get(kind, ZERO)
        rest = reserved.get(kind, ZERO) - sure - unsure
        common = {"now": now, "call": call, "note": note}
        of_kind = []
        if sure > 0:
            of_kind.append(_entry(hold, EntryKind.CAPTURE, kind, sure, **common))
        if unsure > 0:
            # Apart from a confirmed part, and flagged: reconciliation settles it.
            of_kind.append(
                _entry(hold, EntryKind.CAPTURE, kind, unsure, confirmed=False, flagged=True, **common)
            )
        if rest > 0:
            of_kind.append(_entry(hold, EntryKind.RELEASE, kind, rest, flagged=flagged, **common))
        for number, entry in enumerate(of_kind, start=1):
            entry.idempotency_key = f"{hold.id}:settle:{kind}:{number}"
        entries += of_kind
        # Spent this month; no longer held in the month it was reserved in (the same one, but at midnight).
        usage[(kind, month)] = _plus(usage[(kind, month)], (sure + unsure, ZERO))
        usage[(kind, reserved_in)] = _plus(usage[(kind, reserved_in)], (ZERO, -reserved.get(kind, ZERO)))
    LedgerEntry.objects.bulk_create(entries)
    _add_usage(hold.team_id, hold.user_id, usage)


def _plus(one, other):
    return one[0] + other[0], one[1] + other[1]


def _add_usage(team_id, user_id, changes):
    """Add `changes` ({(credit type, month): (spent, held)}) to the running totals (CreditUsage) of the
    member (or None, the team's own), in the caller's transaction: one upsert, whose row lock also makes
    concurrent changes of one row take turns."""
    changes = {key: change for key, change in changes.items() if any(change)}
    if not changes:
        return
    table = CreditUsage._meta.db_table
    # The conflict target names the partial unique index of a member's rows, or of the team's own.
    target = (
        "team_id, credit_type, month) WHERE (user_id IS NULL"
        if user_id is None
        else ("team_id, user_id, credit_type, month) WHERE (user_id IS NOT NULL")
    )
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(changes))
    params = []
    for (kind, month), (spent, held) in sorted(changes.items()):
        params += [team_id, user_id, kind, connection.ops.adapt_datefield_value(month), spent, held]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (team_id, user_id, credit_type, month, spent, held) VALUES {rows} "  # noqa: S608 (names and placeholders only)
            f"ON CONFLICT ({target}) DO UPDATE "
            f"SET spent = {table}.spent + excluded.spent, held = {table}.held + excluded.held",
            params,
        )


@contextmanager
def _unsettled(hold_id):
    """In a transaction: the hold's reserve entries, locked, or None when the hold was settled already.
    The lock makes two expiry tasks take turns (a call's own settlement needs none: the idempotency keys
    refuse a second settlement); the check after it is a statement of its own, so it sees what the one
    before us committed."""
    with transaction.atomic():
        reserves = LedgerEntry.objects.filter(hold=hold_id, kind=EntryKind.RESERVE)
        reserves = list(reserves.order_by("id").select_for_update())
        settled = LedgerEntry.objects.filter(hold=hold_id, kind__in=SETTLED_KINDS).exists()
        yield None if settled else reserves


def settle_call(hold, row):
    """Settle a call's hold from its call log row, as `finish_call` left it: no row (refused before
    sending) releases everything; an answer captures what the provider charged and releases the rest; an
    outcome unknown captures the most it could have cost, unconfirmed and flagged."""
    provider = hold.provider
    if row is None:
        return settle_hold(hold, note="Nothing was sent.")
    if row.state == CallState.SENT:
        # Quarry stopped before it could record the answer (the row could not be completed).
        return settle_hold(hold, unconfirmed=hold.reserved, call=row, note=UNKNOWN_NOTE)
    note = UNKNOWN_NOTE if row.state == CallState.UNKNOWN else ""
    return settle_hold(
        hold,
        confirmed=by_credit_type(provider, row.credits),
        unconfirmed=by_credit_type(provider, row.credits_unconfirmed),
        call=row,
        note=note,
    )


def settle_call_safely(hold, row):
    """`settle_call` for `call_provider`'s finally: a database failure here must not turn a call the team
    paid for into an error, nor hide the call's own failure; the expiry task settles the hold later."""
    try:
        return settle_call(hold, row)
    except DatabaseError:
        logger.exception("Could not settle credit hold %s; the expiry task will.", hold.id)
        return False


# --- Expiry ------------------------------------------------------------------------------------------------


def expire_holds(*, now=None, batch=EXPIRY_BATCH):
    """Settle the holds whose call never settled them (a worker killed mid-call, a database outage at the
    end of a call), flagged: a call that was sent is captured in full, unconfirmed (it may have been
    billed: never under-count); one never sent is released. Returns how many holds it settled."""
    now = now or timezone.now()
    expired = (
        LedgerEntry.objects.filter(
            kind=EntryKind.RESERVE, expires_at__lt=now, expires_at__gte=now - EXPIRY_LOOKBACK
        )
        .filter(~Exists(_settlements()))
        .order_by("expires_at")
        .values_list("hold", flat=True)
    )
    holds = list(dict.fromkeys(expired[: batch * 3]))[:batch]  # a hold has a reserve per credit type
    return sum(1 for hold_id in holds if expire_hold(hold_id))


def expire_hold(hold_id):
    """Settle one expired hold, unless its call settled it meanwhile: an answer recorded by the time the
    call's row is read is used; a settlement written later finds the hold's keys taken, and is refused."""
    try:
        with _unsettled(hold_id) as reserves:
            if not reserves:
                return False
            hold = _hold_of(reserves)
            row = ProviderCall.objects.filter(hold=hold_id).first()
            if row is None:
                note = "Expired before any call was sent (Quarry stopped first): released."
                _write_settlement(hold, {}, {}, call=None, flagged=True, note=note)
            elif row.state in (CallState.SENT, CallState.UNKNOWN):
                note = "Expired with the call's outcome unknown: the most it could have cost, unconfirmed."
                _write_settlement(hold, {}, hold.reserved, call=row, flagged=True, note=note)
            else:
                # The answer was recorded, but Quarry stopped before settling: the call log has the figures.
                _write_settlement(
                    hold,
                    by_credit_type(hold.provider, row.credits),
                    by_credit_type(hold.provider, row.credits_unconfirmed),
                    call=row,
                    flagged=True,
                    note="Settled from the call log after the hold expired.",
                )
    except IntegrityError:
        return False
    return True


def _hold_of(reserves):
    first = reserves[0]
    return Hold(
        id=first.hold,
        reserved_at=first.created_at,
        team_id=first.team_id,
        user_id=first.user_id,
        provider=first.provider,
        purpose=first.purpose,
        belongs_to=first.belongs_to,
        sandbox=first.sandbox,
        reserved={entry.credit_type: entry.amount for entry in reserves},
    )


def _entry(hold, kind, credit_kind, amount, *, now, call=None, note="", **fields):
    return LedgerEntry(
        team_id=hold.team_id,
        user_id=hold.user_id,
        provider=hold.provider,
        credit_type=credit_kind,
        kind=kind,
        amount=amount,
        hold=hold.id,
        call=call,
        purpose=hold.purpose,
        belongs_to=hold.belongs_to,
        note=note[:300],
        sandbox=hold.sandbox,
        idempotency_key=f"{hold.id}:{kind}:{credit_kind}",
        created_at=now,
        **fields,
    )


def book_adjustment(
    *, team, user, provider, credit_type, amount, reason, booked_by, purpose="", sandbox=False, key=""
):
    """Write an adjustment entry: a signed correction of `credit_type` (positive: more was spent than the
    ledger says), of `user` or (None) the team's own account, with its `reason`, counted in this month's
    spend. The one way to book an adjustment (reconciliation's included). `key`: the entry's idempotency
    key (default a new one); a key used already raises IntegrityError. Recording it in the audit trail is
    the caller's. Returns the entry."""
    amount = Decimal(str(amount))
    if not amount:
        raise ValueError("An adjustment of nothing.")
    now = timezone.now()
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            team=team,
            user=user,
            provider=provider,
            credit_type=credit_type,
            kind=EntryKind.ADJUSTMENT,
            amount=amount,
            note=reason[:300],
            purpose=purpose[:200],
            booked_by=booked_by,
            sandbox=sandbox,
            idempotency_key=key or f"adjust:{uuid.uuid4()}",
            created_at=now,
        )
        _add_usage(
            team.pk, user.pk if user else None, {(credit_type, month_start(now).date()): (amount, ZERO)}
        )
    return entry


# --- Figures: per member (or the whole team), credit type and month ---------------------------------------


def month_start(moment=None):
    """The start of the calendar month of `moment` (default now) in settings.TIME_ZONE: budgets are monthly
    there."""
    local = (moment or timezone.now()).astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def holds_counted_since(moment=None):
    """Open holds reserved since this moment (the start of last month) count against this month's budget:
    whichever month, as a call reserved at 23:59 on the last day is settled in the new one. A hold lives
    minutes; the expiry task settles those it outlived."""
    return month_start(month_start(moment) - timedelta(days=1))


def next_month_start(moment=None):
    return (month_start(moment) + timedelta(days=32)).replace(day=1)


def _entries_of(team, credit_type, user):
    entries = LedgerEntry.objects.for_team(team).filter(credit_type=credit_type)
    return entries if user is None else entries.filter(user=user)


def _total(entries):
    return entries.aggregate(total=Sum("amount"))["total"] or ZERO


# spent_credits and held_credits sum the entries themselves: the definition the running totals a budget
# check reads (CreditUsage) and the pages' figures are tested against, not a path any page takes.


def spent_credits(*, team, credit_type, user=None, month=None):
    """Captures and adjustments in the month of `month` (default this one), of `user` or (None) the whole
    team. Unconfirmed captures count: spend is never under-counted."""
    start = month_start(month)
    return _total(
        _entries_of(team, credit_type, user).filter(
            kind__in=SPENT_KINDS, created_at__gte=start, created_at__lt=next_month_start(start)
        )
    )


def held_credits(*, team, credit_type, user=None, month=None):
    """Open reservations (not settled yet) of `user` or (None) the whole team: all of them, or those
    reserved in the month of `month`."""
    entries = _entries_of(team, credit_type, user).filter(~Exists(_settlements()), kind=EntryKind.RESERVE)
    if month is not None:
        start = month_start(month)
        entries = entries.filter(created_at__gte=start, created_at__lt=next_month_start(start))
    return _total(entries)


def remaining_budget(*, team, credit_type, user=None):
    """(left, monthly limit) of the member's budget, or (None) of the team's cap, for this month, as a
    reservation sees it: the limit less this month's spend and the open holds. None when there is no such
    budget (no limit)."""
    budget = Budget.objects.for_team(team).filter(user=user, credit_type=credit_type).first()
    if budget is None:
        return None
    used = _used(team=team, user=user, credit_types=[credit_type], team_wide=user is None)
    left = budget.monthly_limit - used.get((user.pk if user else None, credit_type), ZERO)
    return left, budget.monthly_limit


# --- In words --------------------------------------------------------------------------------------------


def purpose_of(provider, endpoint_name):
    """What a call's spend was for, in words, when its caller did not say: "Lix search people"."""
    return f"{Provider(provider).label} {endpoint_name.replace('_', ' ')}"


def number_text(amount):
    amount = Decimal(amount)
    return f"{amount.quantize(1) if amount == amount.to_integral_value() else amount.normalize():,}"


def credits_text(amount, kind):
    """ "1 Lix standard credit", "10.1 LeadIQ universal credits"."""
    label = CreditType(kind).label  # "... credits"
    return f"{number_text(amount)} {label.removesuffix('s') if amount == 1 else label}"


def refusal_text(budget, *, team, left, needed):
    """Why a reservation was refused: how much is left of how much, when it resets, who can raise it."""
    label = CreditType(budget.credit_type).label
    left = max(left, ZERO)
    if budget.user_id is None:
        whose = f"{team.name}'s monthly cap on {label} for the whole team"
    else:
        whose = f"Your monthly budget of {label}"
    return (
        f"{whose} has {number_text(left)} left of {number_text(budget.monthly_limit)}, and this needs up to "
        f"{credits_text(needed, budget.credit_type)}, so Quarry did not make the call. It resets on "
        f"{resets_text()}. {_who_can_raise(team)}"
    )


def resets_text(moment=None):
    """When budgets reset, with the time zone: "1 January 2027 at 00:00 UTC"."""
    resets = moment or next_month_start()
    zone = resets.tzname()
    named = "" if zone == settings.TIME_ZONE else f" ({settings.TIME_ZONE})"
    return f"{resets.day} {resets:%B %Y at %H:%M} {zone}{named}"


def _who_can_raise(team, shown=3):
    admins = [
        f"{m.user.name} ({m.user.email})" if m.user.name else m.user.email
        for m in Membership.objects.for_team(team).admins().select_related("user").order_by("user__email")
    ]
    if not admins:
        return "A team admin can raise it."
    more = len(admins) - shown
    names = ", ".join(admins[:shown]) + (f" and {more} more" if more > 0 else "")
    return f"A team admin can raise it: {names}."
