"""The spend dashboard's figures (issue 9, "Dashboard"): sums of ledger entries, grouped in the database.

Three figures, always shown apart, because only the first is known to be spent:

- **spent** (confirmed): the confirmed captures plus the adjustments (signed corrections);
- **unconfirmed**: the captures of calls whose outcome is unknown, the most each could have cost, until
  reconciliation with the provider's own figures settles them;
- **open holds**: the reservations whose (hold, credit type) has no capture and no release yet (a call
  in flight, or one the expiry task has not settled yet).

Amounts of different credit types are never added together: a Lix credit is not a LeadIQ credit.

Who sees what is decided once, by `visible_entries`: a team admin sees the team's ledger, a member only
their own entries. Views pass the session's membership, never a user named by a request parameter.
"""

import calendar
import functools
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDay
from django.urls import reverse
from django.utils import timezone

from accounts.models import Provider, User
from prospecting.models import (
    ContactPoint,
    CreditType,
    EntryKind,
    FactValue,
    LeadiqPush,
    LedgerEntry,
    ProviderCall,
    SavedSearch,
)

ZERO = Decimal(0)
# What each figure sums (see the module docstring).
SPENT = Q(kind=EntryKind.CAPTURE, confirmed=True) | Q(kind=EntryKind.ADJUSTMENT)
# The entries that spend, confirmed or not: the sums read only these (a third of a month's entries).
SPENDING = [EntryKind.CAPTURE, EntryKind.ADJUSTMENT]
UNCONFIRMED = Q(kind=EntryKind.CAPTURE, confirmed=False)
# Credit words, one and many, for sentences ("1 standard credit", "0.1 universal credits"); the credit
# type's own label ("Lix standard credits") names the account in headings and columns.
CREDIT_WORDS = {
    CreditType.LIX_STANDARD: ("standard credit", "standard credits"),
    CreditType.LIX_ORGANISATION: ("organisation credit", "organisation credits"),
    CreditType.LIX_EMAIL: ("email credit", "email credits"),
    CreditType.LINKUP: ("credit", "credits"),
    CreditType.LUSHA: ("credit", "credits"),
    CreditType.LEADIQ_UC: ("universal credit", "universal credits"),
}
CREDIT_LABELS = dict(CreditType.choices)
PROVIDER_LABELS = dict(Provider.choices)
CHUNK = 2000  # entries read at a time by the CSV export
ORDER = {value: n for n, value in enumerate(CreditType.values)}  # credit types in their usual order


def open_hold(*, since=None, until=None):
    """A reservation with no capture and no release of the same team, hold and credit type.

    A settlement is booked after its reservation, so only settlements from `since` on are looked at:
    the start of the period whose reservations are tested (PostgreSQL then hashes the period's
    settlements once, not the whole ledger's), or the reservation's own time (OuterRef("created_at"):
    each reservation of a page is looked up in the hold index, never the whole ledger hashed)."""
    settled = LedgerEntry.objects.filter(
        team=OuterRef("team"),
        hold=OuterRef("hold"),
        credit_type=OuterRef("credit_type"),
        kind__in=[EntryKind.CAPTURE, EntryKind.RELEASE],
    )
    if since is not None:
        settled = settled.filter(created_at__gte=since)
    if until is not None:  # a candidate only: see spend_figures
        settled = settled.filter(created_at__lt=until)
    return Q(kind=EntryKind.RESERVE) & ~Q(Exists(settled))


def visible_entries(*, membership):
    """The ledger entries a member may see: a team admin the team's, a member only their own."""
    entries = LedgerEntry.objects.for_team(membership.team)
    return entries if membership.is_admin else entries.filter(user=membership.user)


def former_member(*, team, user_id):
    """A user who is no longer a member of the team but whose spend is in its ledger, or None."""
    theirs = LedgerEntry.objects.for_team(team).filter(user=OuterRef("pk"))
    return User.objects.filter(pk=user_id).filter(Exists(theirs)).first()


def visible_calls(*, membership):
    """The calls a member may open from the ledger: a team admin the team's; a member the calls they
    made or whose credits are booked to them."""
    calls = ProviderCall.objects.for_team(membership.team)
    if membership.is_admin:
        return calls
    theirs = LedgerEntry.objects.filter(call=OuterRef("pk"), user=membership.user)
    return calls.filter(Q(user=membership.user) | Q(Exists(theirs)))


@dataclass(frozen=True)
class Period:
    """A span of time in the current time zone: [start, end). `unit` is the chart's bucket."""

    start: datetime
    end: datetime
    unit: str  # "day" or "month"
    label: str

    @property
    def first_day(self):
        return timezone.localtime(self.start).date()

    @property
    def last_day(self):
        return timezone.localtime(self.end).date() - timedelta(days=1)

    def buckets(self):
        """The first day of every bucket of the period, in order."""
        first, last = self.first_day, self.last_day + timedelta(days=1)
        days = []
        while first < last:
            days.append(first)
            first = first + timedelta(days=1) if self.unit == "day" else _next_month(first)
        return days


def _aware(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_period(year, month):
    first = date(year, month, 1)
    return Period(_aware(first), _aware(_next_month(first)), "day", f"{calendar.month_name[month]} {year}")


def twelve_months_period(*, ending):
    """The twelve months ending with the month of `ending`, by month."""
    last = date(ending.year, ending.month, 1)
    first = date(last.year, 1, 1) if last.month == 12 else date(last.year - 1, last.month + 1, 1)
    label = f"{first:%b %Y} to {last:%b %Y}"
    return Period(_aware(first), _aware(_next_month(last)), "month", label)


def date_range_period(date_from, date_to):
    """From the start of `date_from` to the end of `date_to` (both days included)."""
    return Period(_aware(date_from), _aware(date_to + timedelta(days=1)), "day", f"{date_from} to {date_to}")


def filtered(entries, *, period=None, member=None, provider="", credit_type=""):
    if period is not None:
        entries = entries.filter(created_at__gte=period.start, created_at__lt=period.end)
    if member is not None:
        entries = entries.filter(user_id=member)
    if provider:
        entries = entries.filter(provider=provider)
    if credit_type:
        entries = entries.filter(credit_type=credit_type)
    return entries


@dataclass
class Figures:
    credit_type: str
    sandbox: bool
    spent: Decimal = ZERO
    unconfirmed: Decimal = ZERO
    held: Decimal = ZERO
    calls: int = 0  # the captures: calls settled
    # A breakdown row's member and provider (None: the team's own entries, e.g. an admin's adjustment).
    user_id: int | None = None
    member: str = ""
    provider: str = ""

    @property
    def provider_label(self):
        return PROVIDER_LABELS.get(self.provider, self.provider)

    @property
    def credit_label(self):
        return CREDIT_LABELS.get(self.credit_type, self.credit_type)


@dataclass
class Spend:
    """A period's figures: by member, provider, credit type and sandbox (`rows`, ordered by member),
    per credit type (`totals`), and per day or month for the chart (`series`: {(sandbox, credit type):
    [(first day of the bucket, spent, unconfirmed), ...]}, every bucket of the period present)."""

    rows: list
    totals: list
    series: dict


BY = ("user_id", "provider", "credit_type", "sandbox")
# A day is closed, its entries all booked, a day after it ends (a booking dated 23:59 may commit a
# little later). The ledger is append-only and dated when booked, so a closed day's or month's sums
# never change: they are kept in the cache. Only its open holds may still be settled since: they are
# kept as a list of entries and tested again at every view.
CLOSED_AFTER = timedelta(days=1)
CACHE_SECONDS = 30 * 24 * 3600


@dataclass
class _Summary:
    """What a span of the ledger adds up to: {(member, provider, credit type, sandbox): [spent,
    unconfirmed, calls]}, {(sandbox, credit type, day): [spent, unconfirmed]}, and the reservations that
    may be open [(entry id, key, amount)]."""

    sums: dict
    series: dict
    holds: list

    def add(self, other):
        for mine, theirs in ((self.sums, other.sums), (self.series, other.series)):
            for key, figures in theirs.items():
                _add(mine, key, figures)
        self.holds = self.holds + other.holds
        return self


def _add(sums, key, figures):
    before = sums.get(key)
    sums[key] = list(figures) if before is None else [a + b for a, b in zip(before, figures, strict=True)]


def spend_figures(entries, *, period):
    """The figures of `entries` over `period`: by member, provider, credit type and sandbox, per credit
    type, and per bucket of the period (a month's days, or twelve months) for the chart.

    A closed month is read once, then kept in the cache (CLOSED_AFTER); so is each closed day of the
    current month, whose last day or two are read at every view. Reading a busy team's month at every
    view took half a second and more at 1,000,000 entries a year, and twelve months took seconds.

    A read is three GROUP BY queries: spent, unconfirmed and calls by member, provider, credit type and
    sandbox, and by day (the captures and adjustments only), and the reservations not settled within
    the span (one hashed anti-join against the span's settlements). Not one query: a sum filtered by the
    open-hold test (a subquery) made PostgreSQL sort the entries to group them. The reservations found
    so are tested again here, each in the hold index: a hold of a closed span may have been settled
    since."""
    total, series = _Summary({}, {}, []), {}
    for first in period.buckets() if period.unit == "month" else [period.first_day]:
        month = _month(entries, first)
        total.add(_Summary(month.sums, {}, month.holds))
        for (sandbox, credit_type, day), figures in month.series.items():
            _add(series, (sandbox, credit_type, day if period.unit == "day" else first), figures)
    holds = []
    if total.holds:
        still = entries.filter(pk__in=[pk for pk, _, _ in total.holds])
        still = set(still.filter(open_hold(since=OuterRef("created_at"))).values_list("pk", flat=True))
        holds = [hold for hold in total.holds if hold[0] in still]
    return _assembled(total.sums, holds, series=_filled(series, period))


def _month(entries, first):
    """A calendar month's summary: from the cache once closed; else its closed days from the cache
    and the rest read now."""
    month = month_period(first.year, first.month)
    closed_before = timezone.now() - CLOSED_AFTER
    if month.end <= closed_before:
        return _cached(entries, month.start, month.end)
    summary, day = _Summary({}, {}, []), first
    while _aware(day + timedelta(days=1)) <= closed_before:
        summary.add(_cached(entries, _aware(day), _aware(day + timedelta(days=1))))
        day += timedelta(days=1)
    return summary.add(_read(entries, _aware(day), month.end, closed=False))


def _cached(entries, start, end):
    span = filtered(entries, period=Period(start, end, "day", ""))
    # The key is the query itself (team, member, filters, span), so no two views can share a wrong one.
    sql, params = span.query.sql_with_params()
    key = "spend-span:" + hashlib.sha256(f"{sql}{params!r}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _read(entries, start, end, closed=True)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _summed(grouped):
    return grouped.annotate(
        spent=Sum("amount", filter=SPENT, default=ZERO),
        unconfirmed=Sum("amount", filter=UNCONFIRMED, default=ZERO),
        calls=Count("id", filter=Q(kind=EntryKind.CAPTURE)),
    ).order_by()  # the model's ordering would join the GROUP BY


def _read(entries, start, end, *, closed):
    span = filtered(entries, period=Period(start, end, "day", ""))
    spending = span.filter(kind__in=SPENDING)
    # Two groupings, not one by day and member: a month's few hundred rows each, where one grouping
    # by both brought thousands of rows to add up here.
    sums = {
        tuple(key): [spent, unconfirmed, calls]
        for *key, spent, unconfirmed, calls in _summed(spending.values_list(*BY))
    }
    series = {}
    for day, sandbox, credit_type, spent, unconfirmed, _ in _summed(
        spending.annotate(day=TruncDay("created_at")).values_list("day", "sandbox", "credit_type")
    ):
        day = timezone.localtime(day).date() if isinstance(day, datetime) else day
        _add(series, (sandbox, credit_type, day), (spent, unconfirmed))
    # A closed span's reservations are tested against its own settlements (and a day after): the few
    # still open then are tested again at each view. The open span's against every settlement since.
    until = end + CLOSED_AFTER if closed else None
    holds = span.filter(open_hold(since=start, until=until)).values_list("pk", *BY, "amount").order_by()
    return _Summary(sums, series, [(pk, tuple(key), amount) for pk, *key, amount in holds])


def _assembled(sums, holds, *, series):
    held = {}
    for _, key, amount in holds:
        held[key] = held.get(key, ZERO) + amount
    rows, totals = [], {}
    for key in sums.keys() | held.keys():  # a member may hold credits and have spent none yet
        user_id, provider, credit_type, sandbox = key
        spent, unconfirmed, calls = sums.get(key, (ZERO, ZERO, 0))
        row_held = held.get(key, ZERO)
        rows.append(
            Figures(credit_type, sandbox, spent, unconfirmed, row_held, calls, user_id, provider=provider)
        )
        total = totals.get((sandbox, credit_type))
        if total is None:
            total = totals[(sandbox, credit_type)] = Figures(credit_type=credit_type, sandbox=sandbox)
        total.spent += spent
        total.unconfirmed += unconfirmed
        total.held += row_held
        total.calls += calls
    users = User.objects.filter(pk__in={row.user_id for row in rows}).values_list("pk", "name", "email")
    names = {pk: name or email for pk, name, email in users}
    for row in rows:
        row.member = names.get(row.user_id, "")
    # By member (the team's own entries last), then provider and credit type.
    rows.sort(
        key=lambda r: (r.user_id is None, r.member.casefold(), r.provider, ORDER.get(r.credit_type, 99))
    )
    return Spend(
        rows=rows,
        totals=[totals[key] for key in sorted(totals, key=lambda key: (key[0], ORDER.get(key[1], 99)))],
        series=series,
    )


def _filled(found, period):
    """{(sandbox, credit type, first day): (spent, unconfirmed)} as the chart's series: every bucket of
    the period, for each credit type that spent something."""
    keys = {key[:2] for key, figures in found.items() if any(figures)}
    buckets = period.buckets()
    return {
        key: [(day, *found.get((*key, day), (ZERO, ZERO))) for day in buckets]
        for key in sorted(keys, key=lambda key: (key[0], ORDER.get(key[1], 99)))
    }


def entry_rows(entries):
    """Entries for a page of the drill-down, in one query whatever the page size, each with `is_open`
    (an unsettled reservation) and `hold_call_id` (the call of its hold: a reservation names no call)."""
    hold_call = ProviderCall.objects.filter(team=OuterRef("team"), hold=OuterRef("hold")).exclude(hold="")
    return entries.select_related("user", "booked_by", "call").annotate(
        is_open=ExpressionWrapper(open_hold(since=OuterRef("created_at")), output_field=BooleanField()),
        hold_call_id=Subquery(hold_call.values("pk")[:1]),
    )


def call_entries(*, call, entries):
    """The ledger entries of a call: booked to it, or sharing its hold (a reservation names no call)."""
    mine = Q(call=call) | Q(hold=call.hold) if call.hold else Q(call=call)
    return entry_rows(entries.filter(mine)).order_by("created_at", "id")


def belonging(*, team, belongs_to):
    """Where a ledger entry's call was part of, for its page (its purpose names it in words): the link to
    that saved search or push, looked up in the team's own records from `belongs_to` ("saved_search:12");
    "" when it was deleted since; None for a one-off call."""
    kind, _, pk = belongs_to.partition(":")
    if not pk.isdigit():
        return None
    if kind == "saved_search":
        found = SavedSearch.objects.for_team(team).filter(pk=pk).exists()
        return reverse("saved_searches") if found else ""
    if kind == "leadiq_push":
        push = LeadiqPush.objects.for_team(team).filter(pk=pk).first()
        return reverse("list_push_result", args=[push.prospect_list_id, push.pk]) if push else ""
    return None


def call_purchases(*, call):
    """What a call bought that is still kept: its values and contact points, with their records. The
    people may since have been merged (their values moved to the one kept) or erased (gone)."""
    facts = (
        FactValue.objects.for_team(call.team)
        .filter(call=call)
        .select_related("person", "company")
        .order_by("person_id", "company_id", "field", "id")
    )
    points = (
        ContactPoint.objects.for_team(call.team)
        .filter(call=call)
        .select_related("person")
        .order_by("person_id", "kind", "value")
    )
    return facts, points


# The CSV export: the ledger as it is, one row per entry, oldest first.
EXPORT_HEADERS = [
    "Time",
    "Member",
    "Member email",
    "Provider",
    "Credit type",
    "Kind",
    "Amount",
    "Confirmed",
    "Flagged",
    "Sandbox",
    "Purpose",
    "Part of",
    "Note",
    "Booked by",
    "Call",
    "Hold",
    "Entry",
]
EXPORT_FIELDS = (
    "created_at",
    "user__name",
    "user__email",
    "provider",
    "credit_type",
    "kind",
    "amount",
    "confirmed",
    "flagged",
    "sandbox",
    "purpose",
    "belongs_to",
    "note",
    "booked_by__email",
    "call_id",
    "hold",
    "id",
)


def export_chunks(entries):
    """The entries as lists of CSV rows, CHUNK at a time, read as plain tuples through one server-side
    cursor on PostgreSQL: never all in memory. Times in the current time zone with their offset."""
    chunk = []
    for row in export_rows(entries):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_rows(entries):
    zone = timezone.get_current_timezone()
    kinds = dict(EntryKind.choices)
    rows = entries.order_by("created_at", "id").values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK)
    for when, name, email, provider, credit, kind, amount, confirmed, flagged, sandbox, *rest in rows:
        yield (
            when.astimezone(zone).isoformat(timespec="seconds"),
            name or ("" if email else "The team"),
            email or "",
            provider,
            credit,
            kinds.get(kind, kind),
            amount_text(amount, separators=False),
            # Only a capture is confirmed or not; the other kinds leave the column empty.
            ("yes" if confirmed else "no") if kind == EntryKind.CAPTURE else "",
            "yes" if flagged else "",
            "yes" if sandbox else "",
            *("" if value is None else value for value in rest),
        )


@functools.lru_cache(maxsize=4096)  # a ledger's amounts are few distinct values, written many times
def amount_text(value, *, separators=True):
    """A credit amount as it reads: "1", "0.1", "1,234.5" (no trailing zeros)."""
    value = Decimal(value).normalize()
    if value == 0:
        return "0"
    return f"{value:,f}" if separators else f"{value:f}"


def credits_text(value, credit_type):
    """An amount and its words: "1 standard credit", "0.1 universal credits", "2 credits"."""
    return f"{amount_text(value)} {credit_unit_text(value, credit_type)}"


def credit_unit_text(value, credit_type):
    one, many = CREDIT_WORDS.get(credit_type, ("credit", "credits"))
    return one if Decimal(value) == 1 else many
