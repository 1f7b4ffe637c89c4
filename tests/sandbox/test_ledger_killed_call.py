"""A worker killed with SIGKILL while its paid request is at the provider settles nothing: its hold stays
open (and counts against the budget) until it expires; then beat's task captures it in full, unconfirmed
and flagged, tied to the call's `sent` row. Nothing is repeated, nothing is under-counted."""

from datetime import timedelta

import pytest

from prospecting.models import CallState, EntryKind, LedgerEntry, ProviderCall
from prospecting.services import ledger
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.provider_calls import DEFAULT_MAX_WAIT
from tests.sandbox.test_killed_call import kill_a_key_test_mid_call


@pytest.mark.django_db(transaction=True)
def test_a_hold_left_by_a_killed_worker_expires_into_an_unconfirmed_flagged_capture(
    sandbox, settings, team_a, alice
):
    server = sandbox()
    key = connect_sandbox_key(team=team_a, actor=alice, provider="linkup")
    kill_a_key_test_mid_call(server, key, settings)
    row = ProviderCall.objects.get(key=key)
    assert row.state == CallState.SENT and row.hold
    reserve = LedgerEntry.objects.get()
    assert (reserve.kind, reserve.hold, reserve.amount, reserve.credit_type) == (
        "reserve",
        row.hold,
        1,
        "linkup",
    )
    assert ledger.held_credits(team=team_a, credit_type="linkup") == 1
    assert ledger.expire_holds() == 0  # the call may still answer
    assert ledger.expire_holds(now=reserve.expires_at + timedelta(seconds=1)) == 1
    capture = LedgerEntry.objects.get(kind=EntryKind.CAPTURE)
    assert (capture.amount, capture.confirmed, capture.flagged, capture.call) == (1, False, True, row)
    assert ledger.held_credits(team=team_a, credit_type="linkup") == 0
    assert ledger.spent_credits(team=team_a, credit_type="linkup") == 1
    # The hold outlived the call's longest possible life: the limiter's wait, the timeouts and a grace.
    longest = DEFAULT_MAX_WAIT + sum(settings.PROVIDER_TIMEOUT) + ledger.HOLD_GRACE_SECONDS
    assert reserve.expires_at - reserve.created_at == timedelta(seconds=longest)
