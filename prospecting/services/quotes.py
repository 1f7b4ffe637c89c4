"""Quotes: what an action will cost before it runs, and whether the member's budget covers it (issue 9,
"Quotes"; DESIGN.md, "Anything that spends credits says what it will cost before it runs").

A quote gives, per provider and credit type, the **maximum** (each provider's `max_credits` at the key's
prices, as the reservation will compute it) and the **expected** cost: the maximum less what the team
already owns and is fresh (a valid email, a phone, company data obtained within settings.FRESH_DAYS),
which is not bought again. Beside each line: what is left of the member's monthly budget and of the
team's cap (`remaining_budget`), and whether the expected cost fits in both.

Quotes read the database and never call a provider. The reservation still has the last word: a quote
that fits can be refused by a reservation made a moment later, and one that does not fit is refused
before anything is sent.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from prospecting.models import ContactKind, ContactPoint, ContactStatus, CreditType, FactValue, Person
from prospecting.models.calls import describe_credits
from prospecting.providers.base import ProviderError
from prospecting.providers.billing import max_credits, prices_for
from prospecting.providers.lusha import LushaClient
from prospecting.services.ledger import (
    by_credit_type,
    credits_text,
    next_month_start,
    number_text,
    remaining_budget,
    resets_text,
)
from prospecting.services.provider_calls import active_key
from prospecting.services.records import COMPANY_VALUE_FIELDS
from prospecting.services.search import failure_in_words, plan_enrichment, search_cost

DATA_POINTS = ("email", "phone", "company")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Allowance:
    """What is left of a monthly budget (or the team's cap) this month, and the limit."""

    left: Decimal
    limit: Decimal

    @property
    def left_text(self):
        return number_text(max(self.left, ZERO))

    @property
    def limit_text(self):
        return number_text(self.limit)


@dataclass
class QuoteLine:
    provider: str
    credit_type: str
    maximum: Decimal
    expected: Decimal
    budget: Allowance | None = None  # the member's; None: no budget set
    cap: Allowance | None = None  # the team's; None: no cap

    @property
    def label(self):
        return CreditType(self.credit_type).label

    @property
    def maximum_text(self):
        return credits_text(self.maximum, self.credit_type)

    @property
    def expected_text(self):
        return credits_text(self.expected, self.credit_type) if self.expected else "nothing"

    @property
    def budget_text(self):
        """ "You have 4 Lusha credits left this month of 10; the team has 80 left of its cap of 100"."""
        kind, budget, cap = self.credit_type, self.budget, self.cap
        if budget is None:
            text = f"No budget is set for you on {self.label}"
        else:
            left = credits_text(max(budget.left, ZERO), kind)
            text = f"You have {left} left this month of {budget.limit_text}"
        if cap is not None:
            text += f"; the team has {cap.left_text} left of its cap of {cap.limit_text}"
        return text

    @property
    def over_budget(self):
        return self.budget is not None and self.expected > self.budget.left

    @property
    def over_cap(self):
        return self.cap is not None and self.expected > self.cap.left

    @property
    def fits(self):
        return not (self.over_budget or self.over_cap)


@dataclass
class Quote:
    lines: list  # QuoteLine, one per credit type the action draws on
    credits: dict = field(default_factory=dict)  # the maximum in the provider's billing kinds
    expected_credits: dict = field(default_factory=dict)  # what will be reserved, in billing kinds
    items: int = 0  # people (or companies, contacts) quoted
    owned: int = 0  # of which the team already has everything asked for, fresh: nothing to buy
    # What the caller should buy: the indexes of the search rows to enrich (`quote_lusha_enrichment`), or
    # {person id: the data points still needed} (`quote_people`).
    to_buy: list | dict = field(default_factory=list)
    resets_at: object = None

    @property
    def free(self):
        return not any(line.maximum for line in self.lines)

    @property
    def fits(self):
        return all(line.fits for line in self.lines)

    @property
    def saves(self):
        """True when owned data makes the expected cost lower than the maximum."""
        return any(line.expected < line.maximum for line in self.lines)

    @property
    def cost_text(self):
        """What the action will spend at most, in the words of the provider's bill: "12 credits"."""
        return describe_credits(self.expected_credits) or "free"

    @property
    def maximum_text(self):
        return ", ".join(line.maximum_text for line in self.lines) or "free"

    @property
    def expected_text(self):
        return ", ".join(line.expected_text for line in self.lines if line.expected) or "nothing"

    @property
    def resets_text(self):
        return resets_text(self.resets_at)

    @property
    def fresh_days(self):
        return settings.FRESH_DAYS


def quote_credits(*, team, user, provider, credits, expected=None, **extra):
    """The quote of an action whose most is `credits` and whose expected cost is `expected` (default: the
    same), both in the provider's billing kinds as `max_credits` gives them."""
    expected = credits if expected is None else expected
    maximum, likely = by_credit_type(provider, credits), by_credit_type(provider, expected)
    lines = [
        QuoteLine(
            provider=provider,
            credit_type=kind,
            maximum=maximum.get(kind, ZERO),
            expected=likely.get(kind, ZERO),
            budget=_allowance(remaining_budget(team=team, credit_type=kind, user=user)),
            cap=_allowance(remaining_budget(team=team, credit_type=kind)),
        )
        for kind in sorted(maximum.keys() | likely.keys())
    ]
    return Quote(
        lines=lines, credits=credits, expected_credits=expected, resets_at=next_month_start(), **extra
    )


def _allowance(found):
    return Allowance(*found) if found is not None else None


# --- A search page ---------------------------------------------------------------------------------------


def quote_search(*, team, user, provider, kind, query, page):
    """One page of a search: its most with the team's key (`search_cost`). What a page returns is not known
    before it runs, so nothing owned is subtracted: expected = maximum. Raises SearchFailed (no key)."""
    credits = search_cost(team=team, provider=provider, kind=kind, query=query, page=page)
    return quote_credits(team=team, user=user, provider=provider, credits=credits)


# --- People and data points ------------------------------------------------------------------------------


def fresh_data_points(*, team, people, data_points=DATA_POINTS, now=None):
    """{person id: the data points the team already has for them, fresh}: a valid email, a phone not known
    to be invalid, company data of their company, each obtained within settings.FRESH_DAYS. Three queries
    whatever the number of people."""
    since = (now or timezone.now()) - timedelta(days=settings.FRESH_DAYS)
    ids = list(people)
    owned = {pk: set() for pk in ids}
    if not ids:
        return owned
    wanted = {"email", "phone"} & set(data_points)
    points = ContactPoint.objects.for_team(team).filter(
        person_id__in=ids, obtained_at__gte=since, kind__in=wanted
    )
    points = points.exclude(status=ContactStatus.INVALID).exclude(
        kind=ContactKind.EMAIL, status__in=[ContactStatus.PROBABLE, ContactStatus.UNKNOWN]
    )
    for pk, kind in points.values_list("person_id", "kind").distinct():
        owned[pk].add(kind)
    if "company" in data_points:
        people_with_company = Person.objects.for_team(team).filter(pk__in=ids, company__isnull=False)
        company_of = dict(people_with_company.values_list("pk", "company"))
        fresh = set(
            FactValue.objects.for_team(team)
            .filter(
                company_id__in=set(company_of.values()),
                field__in=COMPANY_VALUE_FIELDS[1:],  # industry, size, location: more than a name
                obtained_at__gte=since,
            )
            .values_list("company_id", flat=True)
        )
        for pk, company in company_of.items():
            if company in fresh:
                owned[pk].add("company")
    return owned


def quote_people(*, team, user, provider, people, data_points, now=None):
    """The quote of buying `data_points` (DATA_POINTS) of `people` (ids) from `provider`, one person at a
    time as an enrichment does: the maximum buys every point of every person; the expected cost leaves out
    the points the team has, fresh. `to_buy` holds {person id: points still needed}. Raises ProviderError
    (no key), ValueError for a data point the provider does not sell."""
    points = tuple(point for point in DATA_POINTS if point in set(data_points))
    prices = prices_for(active_key(team=team, provider=provider))
    owned = fresh_data_points(team=team, people=people, data_points=points, now=now)
    needs = {pk: tuple(p for p in points if p not in have) for pk, have in owned.items()}
    priced = {}  # points -> {billing kind: amount} for one person

    def price(wanted):
        if wanted not in priced:
            priced[wanted] = _person_price(provider, wanted, prices)
        return priced[wanted]

    total, expected = {}, {}
    for wanted in needs.values():
        _add(total, price(points))
        _add(expected, price(wanted))
    return quote_credits(
        team=team,
        user=user,
        provider=provider,
        credits=total,
        expected=expected,
        items=len(needs),
        owned=sum(1 for wanted in needs.values() if not wanted),
        to_buy={pk: wanted for pk, wanted in needs.items() if wanted},
    )


# What one person's data points cost with each provider: the calls an enrichment makes for them, priced by
# the provider's own `max_credits`. Lusha and LeadIQ sell email, phone and company data per data point
# (LeadIQ's lookup also charges its profile); Lix sells an email (Email credit) and a company's data
# (Organisation credit) and no phones.
def _lusha_calls(points):
    calls = []
    if "email" in points or "phone" in points:
        flags = {"reveal_emails": "email" in points or None, "reveal_phones": "phone" in points or None}
        calls.append(("bulk_people", {"contacts": [{}], **flags}))
    if "company" in points:
        calls.append(("bulk_companies", {"companies": [{}]}))
    return calls


def _leadiq_calls(points):
    return [("search_people", {"limit": 1, "fields": ["profile", *points]})] if points else []


def _lix_calls(points):
    if "phone" in points:
        raise ValueError("Lix does not sell phone numbers.")
    endpoints = {"email": "email_by_linkedin", "company": "organisation_by_linkedin"}
    return [(endpoints[point], {}) for point in points]


PERSON_CALLS = {"lusha": _lusha_calls, "leadiq": _leadiq_calls, "lix": _lix_calls}


def _person_price(provider, points, prices):
    if provider not in PERSON_CALLS:
        raise ValueError(f"Quarry buys no data points from {provider}.")
    total = {}
    for endpoint, params in PERSON_CALLS[provider](points):
        _add(total, max_credits(provider, endpoint, params, prices))
    return total


def _add(total, credits):
    for kind, amount in credits.items():
        total[kind] = total.get(kind, 0) + Decimal(str(amount))


# --- Enriching the ticked contacts of a Lusha search ------------------------------------------------------


def quote_lusha_enrichment(*, team, user, results, selected):
    """The quote of enriching the ticked rows of a Lusha contact search. Lusha's enrichment reveals a
    contact's email and phone together (Quarry sends no reveal flags: plans other than Unified Credits
    refuse them), so a contact costs its full price unless the team already has both, fresh: those are
    left out of the call (`to_buy` holds the indexes of the rows to send). Returns (quote, plan); raises
    SearchFailed when the team has no Lusha key."""
    plan = plan_enrichment(team=team, results=results, selected=selected)
    records = [row.record_id for row in plan.rows if row.record_id]
    owned = fresh_data_points(team=team, people=records, data_points=("email", "phone"))
    buy = [row for row in plan.rows if owned.get(row.record_id) != {"email", "phone"}]
    try:
        prices = prices_for(active_key(team=team, provider="lusha")) if plan.rows else {}
    except ProviderError as error:
        raise failure_in_words("lusha", error) from None
    endpoint = LushaClient.enrich_contacts.__name__

    def price(rows):
        params = {"request_id": results.request_id, "contact_ids": [row.ref for row in rows]}
        return max_credits("lusha", endpoint, params, prices) if rows else {}

    positions = {id(row): index for index, row in enumerate(results.rows)}
    quote = quote_credits(
        team=team,
        user=user,
        provider="lusha",
        credits=price(plan.rows),
        expected=price(buy),
        items=len(plan.rows),
        owned=len(plan.rows) - len(buy),
        to_buy=[positions[id(row)] for row in buy],
    )
    return quote, plan
