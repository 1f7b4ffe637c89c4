"""Monthly credit budgets (issue 9, "Budgets"): the one way an admin sets, changes or removes a member's
budget or the team's cap, recorded in the audit trail, and this month's figures the Budgets page shows.

The reservation (services/ledger.py) is what enforces a budget; this module only writes the limits and
reads the ledger the way the reservation counts it: this month's captures and adjustments, confirmed or
not, plus the holds still open (reserved this month or the last).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.audit import record_event
from accounts.models import AuditAction, Provider
from prospecting.models import Budget, CreditType, EntryKind, LedgerEntry
from prospecting.providers.billing import CREDIT_ACCOUNTS
from prospecting.services.ledger import (
    SPENT_KINDS,
    holds_counted_since,
    month_start,
    number_text,
    open_holds_since,
)

ZERO = Decimal(0)
TEAM = "team"  # the key of the team's own figures (its cap), beside members' user ids


def set_budget(*, team, member, credit_type, monthly_limit, actor, ip=None):
    """Set `member`'s (a User; None: the team's cap) monthly limit on `credit_type` to `monthly_limit`
    (a Decimal ≥ 0; None removes it: no limit). Returns the limit it had (None: none). A change is
    recorded in the audit trail; setting the same limit again changes and records nothing."""
    CreditType(credit_type)  # refuses an unknown credit type (ValueError)
    try:
        with transaction.atomic():
            budget = Budget.objects.for_team(team).filter(user=member, credit_type=credit_type)
            budget = budget.select_for_update().first()
            before = budget.monthly_limit if budget else None
            if before == monthly_limit:
                return before
            if monthly_limit is None:
                budget.delete()
            elif budget is None:
                Budget.objects.create(
                    team=team,
                    user=member,
                    credit_type=credit_type,
                    monthly_limit=monthly_limit,
                    updated_by=actor,
                )
            else:
                budget.monthly_limit, budget.updated_by = monthly_limit, actor
                budget.save(update_fields=["monthly_limit", "updated_by", "updated_at"])
            record_event(
                action=AuditAction.BUDGET_CHANGED,
                actor=actor,
                team=team,
                target=member.email if member else "the whole team",
                ip=ip,
                details={
                    "credit_type": credit_type,
                    "before": _plain(before),
                    "after": _plain(monthly_limit),
                    "to": _change_words(credit_type, before, monthly_limit),  # what the audit page shows
                },
            )
    except IntegrityError:
        # Two admins created the same budget at the same moment: the other one's stands.
        raise ValidationError(
            "Someone set this budget at the same moment: look at the table and try again."
        ) from None
    return before


def _plain(limit):
    return None if limit is None else number_text(limit)


def _change_words(credit_type, before, after):
    """ "250 Lusha credits a month (was no limit)"."""
    label = CreditType(credit_type).label
    now = f"{number_text(after)} {label} a month" if after is not None else f"no limit on {label}"
    return f"{now} (was {'no limit' if before is None else number_text(before)})"


# --- This month's figures ------------------------------------------------------------------------------


@dataclass
class Figures:
    """One member's (or the whole team's) figures on one credit type this month."""

    confirmed: Decimal = ZERO  # captures the provider confirmed, and adjustments
    unconfirmed: Decimal = ZERO  # captures of calls whose outcome is unknown (the most they could cost)
    held: Decimal = ZERO  # open reservations
    limit: Decimal | None = None  # the monthly budget (cap); None: no limit

    @property
    def used(self):
        return self.confirmed + self.unconfirmed + self.held

    @property
    def left(self):
        """What a reservation may still take (as `remaining_budget` counts it); None without a limit."""
        return None if self.limit is None else self.limit - self.used

    # In words, for the page: "1,250", "12.5".
    @property
    def confirmed_text(self):
        return number_text(self.confirmed)

    @property
    def unconfirmed_text(self):
        return number_text(self.unconfirmed)

    @property
    def held_text(self):
        return number_text(self.held)

    @property
    def limit_text(self):
        return "No limit" if self.limit is None else number_text(self.limit)

    @property
    def left_text(self):
        if self.left is None:
            return "—"
        return number_text(self.left) if self.left >= 0 else f"0 (over by {number_text(-self.left)})"


@dataclass
class Section:
    credit_type: str
    rows: dict = field(default_factory=dict)  # user id -> Figures, and TEAM -> the team's

    @property
    def label(self):
        return CreditType(self.credit_type).label

    @property
    def providers(self):
        """The providers whose calls draw on this credit type, in words: "Lix and LookC"."""
        kind = self.credit_type
        names = [Provider(slug).label for slug, kinds in CREDIT_ACCOUNTS.items() if kind in kinds.values()]
        return " and ".join(names)

    def of(self, user_id):
        return self.rows.get(user_id) or Figures()

    @property
    def team(self):
        return self.rows.get(TEAM) or Figures()


def budget_sections(*, team, providers=(), now=None):
    """This month's figures per credit type: for every member with spend, holds or a budget, and for the
    whole team (its cap). The credit types shown are those of the team's `providers` (slugs of its keys)
    and any with a budget or with spend this month. Three queries whatever the team's size."""
    start = month_start(now)
    sections = {kind: Section(kind) for slug in providers for kind in CREDIT_ACCOUNTS.get(slug, {}).values()}

    def figures(kind, user_id):
        section = sections.setdefault(kind, Section(kind))
        return section.rows.setdefault(user_id, Figures())

    entries = LedgerEntry.objects.for_team(team)
    spent = entries.filter(kind__in=SPENT_KINDS, created_at__gte=start)
    spent = spent.values("user_id", "credit_type", "kind", "confirmed").annotate(total=Sum("amount"))
    for row in spent.order_by():
        sure = row["kind"] == EntryKind.ADJUSTMENT or row["confirmed"]
        for whose in (row["user_id"], TEAM):
            one = figures(row["credit_type"], whose)
            if sure:
                one.confirmed += row["total"]
            else:
                one.unconfirmed += row["total"]
    # The reservations a budget check counts (ledger._used): open, reserved this month or the last.
    open_holds = entries.filter(open_holds_since(team, holds_counted_since(now)))
    for row in open_holds.values("user_id", "credit_type").annotate(total=Sum("amount")).order_by():
        for whose in (row["user_id"], TEAM):
            figures(row["credit_type"], whose).held += row["total"]
    for budget in Budget.objects.for_team(team):
        figures(budget.credit_type, budget.user_id or TEAM).limit = budget.monthly_limit
    return [sections[kind] for kind in CreditType.values if kind in sections]
