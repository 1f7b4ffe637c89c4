"""The ledger against the sandbox's own bill: after the scripted run of every paid endpoint of the five
providers (test_billing_matches_sandbox), the ledger's confirmed captures per provider and credit type
equal what the sandbox says it charged, and no hold is left open; with faults injected, what could not be
read is captured in full as unconfirmed and flagged, and nothing is counted as confirmed."""

import pytest
from django.db.models import Sum

from prospecting.models import EntryKind, LedgerEntry
from prospecting.services.ledger import by_credit_type, held_credits
from tests.sandbox import test_billing_matches_sandbox as scripted
from tests.sandbox.conftest import billed, control
from tests.sandbox.test_billing_matches_sandbox import (
    EMAILS,
    PROFILES,
    run,
    run_every_script,
    sandbox_secret,
)

keys = scripted.keys  # the same sandbox keys, one per provider (a fixture)


def captured(provider, confirmed=True):
    rows = (
        LedgerEntry.objects.filter(provider=provider, kind=EntryKind.CAPTURE, confirmed=confirmed)
        .values_list("credit_type")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return dict(rows)


def test_the_ledgers_confirmed_captures_equal_the_sandboxs_own_bill(keys, team_a, bob, running_sandbox):
    run_every_script(team_a, bob)
    for provider, key in keys.items():
        charged = by_credit_type(provider, billed(running_sandbox, provider, sandbox_secret(key)))
        assert charged and captured(provider) == charged, provider
        assert captured(provider, confirmed=False) == {}, provider
    assert not LedgerEntry.objects.filter(flagged=True).exists()
    for credit_type in set(LedgerEntry.objects.values_list("credit_type", flat=True)):
        assert held_credits(team=team_a, user=bob, credit_type=credit_type) == 0


@pytest.mark.parametrize("fault", [{"kind": "malformed"}, {"kind": "drop"}])
def test_answers_that_cannot_be_read_are_captured_in_full_unconfirmed_and_flagged(
    keys, team_a, bob, running_sandbox, fault
):
    for provider, path in (("lix", "/v1/person"), ("lusha", "/v2/person"), ("leadiq", "/graphql")):
        control(running_sandbox, "faults", {"provider": provider, "path": path, **fault})
    run(team_a, bob, "lix", "person_by_linkedin", profile_link=PROFILES[0])
    run(team_a, bob, "lusha", "person", email=EMAILS[0])
    run(team_a, bob, "leadiq", "search_people", fields=("email",), linkedin_url=PROFILES[0], limit=1)
    for provider, most in (("lix", {"standard": 1}), ("lusha", {"credits": 6}), ("leadiq", {"uc": 1.1})):
        assert captured(provider, confirmed=False) == by_credit_type(provider, most), provider
        assert captured(provider) == {} == billed(running_sandbox, provider), provider
    assert set(LedgerEntry.objects.filter(kind=EntryKind.CAPTURE).values_list("flagged", flat=True)) == {True}
    assert not LedgerEntry.objects.filter(kind=EntryKind.RELEASE).exists()
