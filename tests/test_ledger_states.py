"""Reserve, capture, release and expire in any order (a hypothesis state machine against a plain model):
the budget left never goes below zero, each hold resolves exactly once whatever settles it first,
held = the open reservations, spent = the captures."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Membership, Team, User
from prospecting.models import Budget, CallState, EntryKind, LedgerEntry, ProviderCall
from prospecting.services import ledger
from prospecting.services.ledger import BudgetExceeded

UC = "leadiq_uc"  # fractional: LeadIQ's universal credits
amounts = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("6"), places=1)


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")

    @initialize(limit=st.integers(min_value=0, max_value=20))
    def a_new_team(self, limit):
        # Entries are never deleted: every run of the machine gets a team and member of its own.
        self.team = Team.objects.create(name="Ledger machine")
        self.user = User.objects.create_user(f"m{self.team.pk}@machine.test", "x" * 12)
        Membership.objects.create(team=self.team, user=self.user, role="admin")
        self.limit = Decimal(limit)
        Budget.objects.create(team=self.team, user=self.user, credit_type=UC, monthly_limit=self.limit)
        self.open, self.settled, self.sent, self.captured = {}, {}, set(), Decimal(0)

    @rule(target=holds, amount=amounts, sent=st.booleans())
    def reserve(self, amount, sent):
        room = self.limit - self.captured - sum(self.open.values())
        try:
            hold = ledger.reserve_credits(
                team=self.team, user=self.user, provider="leadiq", credits={"uc": amount}
            )
        except BudgetExceeded:
            assert amount > room
            return multiple()
        assert amount <= room
        if sent:  # the call's row, written before its request left
            ProviderCall.objects.create(
                team=self.team, user=self.user, provider="leadiq", endpoint="search_people", hold=hold.id,
                state=CallState.SENT, method="", outcome="",
            )  # fmt: skip
            self.sent.add(hold.id)
        self.open[hold.id] = amount
        return hold

    def _settled_now(self, hold_id, wrote, captured):
        was_open = hold_id in self.open
        assert wrote == was_open  # a hold resolves once; every later attempt writes nothing
        if was_open:
            self.open.pop(hold_id)
            self.settled[hold_id] = captured
            self.captured += captured

    @rule(hold=holds, share=st.fractions(min_value=0, max_value=1))
    def capture(self, hold, share):
        part = (hold.reserved[UC] * Decimal(share.numerator) / Decimal(share.denominator)).quantize(
            Decimal("0.1")
        )
        wrote = ledger.settle_hold(hold, confirmed={UC: part} if part else {})
        self._settled_now(hold.id, wrote, part)

    @rule(hold=holds)
    def outcome_unknown(self, hold):
        wrote = ledger.settle_hold(hold, unconfirmed=hold.reserved)
        self._settled_now(hold.id, wrote, hold.reserved[UC])

    @rule(hold=holds)
    def release(self, hold):
        self._settled_now(hold.id, ledger.settle_hold(hold), Decimal(0))

    @rule(hold=holds)
    def expire(self, hold):
        # Sent: captured in full (it may have been billed); never sent: released.
        captured = hold.reserved[UC] if hold.id in self.sent else Decimal(0)
        self._settled_now(hold.id, ledger.expire_hold(hold.id), captured)

    @rule()
    def expire_everything_due(self):
        due = dict(self.open)
        ledger.expire_holds(now=timezone.now() + timedelta(hours=1))
        for hold_id, amount in due.items():
            captured = amount if hold_id in self.sent else Decimal(0)
            self._settled_now(hold_id, True, captured)

    @invariant()
    def figures_match_the_model(self):
        if not hasattr(self, "team"):
            return
        figures = {"team": self.team, "user": self.user, "credit_type": UC}
        assert ledger.held_credits(**figures) == sum(self.open.values())
        assert ledger.spent_credits(**figures) == self.captured
        left, limit = ledger.remaining_budget(**figures)
        assert left == self.limit - self.captured - sum(self.open.values()) and left >= 0

    @invariant()
    def each_hold_resolved_once(self):
        if not hasattr(self, "team"):
            return
        moved = dict(
            LedgerEntry.objects.for_team(self.team)
            .filter(kind__in=[EntryKind.CAPTURE, EntryKind.RELEASE])
            .values_list("hold")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        assert set(moved) == set(self.settled)
        reserved = dict(
            LedgerEntry.objects.for_team(self.team)
            .filter(kind=EntryKind.RESERVE)
            .values_list("hold", "amount")
        )
        assert all(moved[hold_id] == reserved[hold_id] for hold_id in moved)  # captured + released = held


def test_reserve_capture_release_and_expire_in_any_order_keep_the_books(db):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
