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
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone

from accounts.models import Provider
from prospecting.models import (
    ContactPoint,
    CreditType,
    EntryKind,
    FactValue,
    LedgerEntry,
    ProviderCall,
)

ZERO = Decimal(0)
# What each figure sums (see the module docstring).
SPENT = Q(kind=EntryKind.CAPTURE, confirmed=True) | Q(kind=EntryKind.ADJUSTMENT)
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


def _settled():
    """The capture or release that settles a reservation: same team, hold and credit type. One look-up
    in the hold index per reservation."""
    return LedgerEntry.objects.filter(
        team=OuterRef("team"),
        hold=OuterRef("hold"),
        credit_type=OuterRef("credit_type"),
        kind__in=[EntryKind.CAPTURE, EntryKind.RELEASE],
    )


def open_hold():
    return Q(kind=EntryKind.RESERVE) & ~Q(Exists(_settled()))


def visible_entries(*, membership):
    """The ledger entries a member may see: a team admin the team's, a member only their own."""
    entries = LedgerEntry.objects.for_team(membership.team)
    return entries if membership.is_admin else entries.filter(user=membership.user)


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

    def buckets(self):
        """The first day of every bucket of the period, in order."""
        first, last = timezone.localtime(self.start).date(), timezone.localtime(self.end).date()
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
    entries: int = 0
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


def spend_breakdown(entries):
    """The figures by member, provider, credit type and sandbox: one GROUP BY query."""
    rows = (
        entries.values("user_id", "user__name", "user__email", "provider", "credit_type", "sandbox")
        .annotate(
            spent=Sum("amount", filter=SPENT, default=ZERO),
            unconfirmed=Sum("amount", filter=UNCONFIRMED, default=ZERO),
            held=Sum("amount", filter=open_hold(), default=ZERO),
            count=Count("id"),
        )
        # Also drops the model's ordering, which would otherwise join the GROUP BY.
        .order_by("user__name", "user__email", "provider", "credit_type", "sandbox")
    )
    return [
        Figures(
            credit_type=row["credit_type"],
            sandbox=row["sandbox"],
            spent=row["spent"],
            unconfirmed=row["unconfirmed"],
            held=row["held"],
            entries=row["count"],
            user_id=row["user_id"],
            member=row["user__name"] or row["user__email"] or "",
            provider=row["provider"],
        )
        for row in rows
    ]


def spend_totals(breakdown):
    """The breakdown's rows added up per credit type (real spend first, then the sandbox's)."""
    totals = {}
    for row in breakdown:
        total = totals.setdefault(
            (row.sandbox, row.credit_type), Figures(credit_type=row.credit_type, sandbox=row.sandbox)
        )
        total.spent += row.spent
        total.unconfirmed += row.unconfirmed
        total.held += row.held
        total.entries += row.entries
    order = list(CreditType.values)
    return [totals[key] for key in sorted(totals, key=lambda key: (key[0], order.index(key[1])))]


def spend_series(entries, *, period):
    """Spent and unconfirmed per bucket of the period (days or months), per credit type and sandbox:
    {(sandbox, credit type): [(first day, spent, unconfirmed), ...]} with every bucket present."""
    trunc = TruncDay if period.unit == "day" else TruncMonth
    rows = (
        filtered(entries, period=period)
        .filter(SPENT | UNCONFIRMED)
        .annotate(bucket=trunc("created_at"))
        .values("bucket", "credit_type", "sandbox")
        .annotate(
            spent=Sum("amount", filter=SPENT, default=ZERO),
            unconfirmed=Sum("amount", filter=UNCONFIRMED, default=ZERO),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        day = row["bucket"]
        day = timezone.localtime(day).date() if isinstance(day, datetime) else day
        found[(row["sandbox"], row["credit_type"], day)] = (row["spent"], row["unconfirmed"])
    order = list(CreditType.values)
    keys = sorted({(sandbox, kind) for sandbox, kind, _ in found}, key=lambda k: (k[0], order.index(k[1])))
    buckets = period.buckets()
    return {key: [(day, *found.get((*key, day), (ZERO, ZERO))) for day in buckets] for key in keys}


def entry_rows(entries):
    """Entries for a page of the drill-down, in one query whatever the page size, each with `is_open`
    (an unsettled reservation) and `hold_call_id` (the call of its hold: a reservation names no call)."""
    hold_call = ProviderCall.objects.filter(team=OuterRef("team"), hold=OuterRef("hold")).exclude(hold="")
    return entries.select_related("user", "booked_by", "call").annotate(
        is_open=ExpressionWrapper(open_hold(), output_field=BooleanField()),
        hold_call_id=Subquery(hold_call.values("pk")[:1]),
    )


def call_entries(*, call, entries):
    """The ledger entries of a call: booked to it, or sharing its hold (a reservation names no call)."""
    mine = Q(call=call) | Q(hold=call.hold) if call.hold else Q(call=call)
    return entry_rows(entries.filter(mine)).order_by("created_at", "id")


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
    "note",
    "booked_by__email",
    "call_id",
    "hold",
    "id",
)


def export_rows(entries):
    """The entries as CSV rows (plain tuples read through a server-side cursor on PostgreSQL, CHUNK at a
    time): never all in memory. Times in the current time zone with their offset."""
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


def amount_text(value, *, separators=True):
    """A credit amount as it reads: "1", "0.1", "1,234.5" (no trailing zeros)."""
    value = Decimal(value).normalize()
    if value == 0:
        return "0"
    return f"{value:,f}" if separators else f"{value:f}"


def credits_text(value, credit_type):
    """ "1 standard credit", "0.1 universal credits", "2 credits"."""
    one, many = CREDIT_WORDS.get(credit_type, ("credit", "credits"))
    return f"{amount_text(value)} {one if Decimal(value) == 1 else many}"
