"""Reconciliation (issue 9): the providers' own balance and usage figures, read through `call_provider`,
against the ledger. Against the sandbox, a scripted run of every paid endpoint leaves nothing unexplained;
with faults injected, every difference is explained by the unconfirmed captures and the holds; spend the
ledger never saw is flagged, and an admin books it as an adjustment with a reason."""

import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from prospecting import tasks
from prospecting.models import (
    BalanceReading,
    CreditComparison,
    CreditType,
    EntryKind,
    LedgerEntry,
    ProviderCall,
    ReconciliationRun,
    RunState,
    Verdict,
)
from prospecting.providers.base import BaseClient, RateLimited
from prospecting.providers.billing import credit_type, max_credits, prices_for
from prospecting.services import reconciliation as service
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.ledger import expire_holds, reserve_credits
from prospecting.services.provider_calls import client_for, open_call
from tests.sandbox import conftest as sandbox_fixtures
from tests.sandbox import test_billing_matches_sandbox as billing_run
from tests.sandbox.conftest import billed, control
from tests.sandbox.test_billing_matches_sandbox import (
    EMAILS,
    PROFILES,
    run,
    run_every_script,
    sandbox_secret,
)

# The sandbox tests' fixtures: a running sandbox, and team A's five sandbox keys with generous limits.
running_sandbox = sandbox_fixtures.running_sandbox
keys = billing_run.keys

COMPARED = {CreditType.LIX_STANDARD, CreditType.LIX_EMAIL, CreditType.LUSHA, CreditType.LEADIQ_UC}
# One paid call per provider that gives figures, as (provider, endpoint, parameters, sandbox path).
PAID = [
    ("lix", "person_by_linkedin", {"profile_link": PROFILES[0]}, "/v1/person"),
    ("lusha", "person", {"email": EMAILS[0]}, "/v2/person"),
    ("leadiq", "search_people", {"fields": ("email",), "linkedin_url": PROFILES[0], "limit": 1}, "/graphql"),
]


def reconcile(keys, user=None):
    """Read every key's figures once: {credit type: the comparison with the reading before}."""
    return {c.credit_type: c for key in keys.values() for c in service.reconcile_key(key=key, user=user)}


def captured(key, *, confirmed=True):
    totals = {}
    entries = LedgerEntry.objects.filter(call__key=key, kind=EntryKind.CAPTURE, confirmed=confirmed)
    for kind, amount in entries.values_list("credit_type", "amount"):
        totals[kind] = totals.get(kind, 0) + amount
    return totals


def sandbox_bill(server, key):
    """What the sandbox says it charged the key, by the ledger's credit types."""
    totals = billed(server, key.provider, sandbox_secret(key))
    return {credit_type(key.provider, kind): Decimal(str(amount)) for kind, amount in totals.items()}


def test_after_every_paid_endpoint_the_ledger_equals_the_sandboxs_bill_and_nothing_is_unexplained(
    keys, team_a, alice, bob, running_sandbox
):
    assert reconcile(keys) == {}  # the first readings are the baselines
    run_every_script(team_a, bob)
    for provider, key in keys.items():
        bill = sandbox_bill(running_sandbox, key)
        assert bill, f"the script spent nothing with {provider}"
        assert captured(key) == bill, provider
        assert captured(key, confirmed=False) == {}, provider
    comparisons = reconcile(keys, alice)
    assert set(comparisons) == COMPARED  # LinkUp, LookC and organisation credits give no figure
    for kind, comparison in comparisons.items():
        assert comparison.unexplained == 0, kind
        assert comparison.verdict == Verdict.MATCHED, kind
        assert (
            comparison.provider_change
            == comparison.confirmed
            == captured(keys[comparison.provider]).get(kind, 0)
        ), kind
    assert sum(c.provider_change for c in comparisons.values()) > 0
    # The readings themselves were logged calls and cost nothing.
    readings = ProviderCall.objects.filter(pk__in=BalanceReading.objects.values("call"))
    assert readings.count() == 2 * 4  # Lix's balances and allowance, Lusha's usage, LeadIQ's account: twice
    assert not LedgerEntry.objects.filter(call__in=readings).exists()


def wait_until_answered(server, provider, path, count):
    """The sandbox records a request once it answered it (after an injected latency, too)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        received = control(server, "received", provider=provider)["received"]
        if sum(1 for r in received if r["path"] == path) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the sandbox never answered {provider} {path}")


def left_by_a_killed_worker(key, endpoint, params, user):
    """What a worker killed after sending leaves: the hold and the `sent` row, and the provider's bill."""
    most = max_credits(key.provider, endpoint, params, prices_for(key))
    hold = reserve_credits(team=key.team, user=user, provider=key.provider, credits=most, sandbox=True)
    open_call(team=key.team, user=user, key=key, endpoint=endpoint, hold=hold.id, credits=most)
    getattr(client_for(key), endpoint)(**params)  # the request went out and was billed; then SIGKILL


def test_with_faults_every_difference_is_explained_by_unconfirmed_captures_and_holds(
    keys, team_a, bob, running_sandbox, settings, monkeypatch
):
    reconcile(keys)
    for kind in ("malformed", "drop"):  # answers that cannot be read: not billed by the sandbox
        for provider, endpoint, params, path in PAID:
            control(running_sandbox, "faults", {"provider": provider, "path": path, "kind": kind})
            run(team_a, bob, provider, endpoint, **params)
    # Timeouts after sending: the sandbox bills once its delayed answer is ready, after Quarry gave up.
    settings.PROVIDER_TIMEOUT = (5, 1)
    for provider, endpoint, params, path in PAID:
        fault = {"provider": provider, "path": path, "kind": "latency", "seconds": 1.5}
        control(running_sandbox, "faults", fault)
        run(team_a, bob, provider, endpoint, **params)
        wait_until_answered(running_sandbox, provider, path, 3)
    # A worker stopped while it read the answer (a time limit): the provider billed, Quarry never knew.
    with monkeypatch.context() as patched:
        patched.setattr(BaseClient, "handle", mock.Mock(side_effect=SoftTimeLimitExceeded()))
        for provider, endpoint, params, _path in PAID:
            with pytest.raises(SoftTimeLimitExceeded):
                run(team_a, bob, provider, endpoint, **params)
    # A worker killed outright: its `sent` row and hold stay until the expiry task settles them.
    for provider, endpoint, params, _path in PAID:
        left_by_a_killed_worker(keys[provider], endpoint, params, bob)
    assert expire_holds(now=timezone.now() + timedelta(hours=1)) == len(PAID)

    comparisons = reconcile(keys)
    assert {kind for kind, c in comparisons.items() if c.provider_change} == {
        CreditType.LIX_STANDARD,
        CreditType.LUSHA,
        CreditType.LEADIQ_UC,
    }
    for kind, comparison in comparisons.items():
        assert comparison.unexplained == 0, kind
        assert comparison.verdict != Verdict.FLAGGED, kind
        if comparison.provider_change:
            assert comparison.verdict == Verdict.EXPLAINED, kind
            assert comparison.confirmed == 0 < comparison.provider_change <= comparison.unconfirmed, kind
            assert comparison.held == 0, kind
            # The sandbox charged less than the most the calls could have cost: what to book, once settled.
            suggested = service.suggested_adjustment(comparison)
            assert suggested == comparison.provider_change - comparison.unconfirmed < 0, kind
    for provider, key in keys.items():
        assert captured(key) == {}, provider  # nothing was confirmed: every paid call hit a fault


def test_a_call_in_flight_at_a_reading_is_a_hold_that_explains_the_difference(
    keys, team_a, bob, running_sandbox
):
    reconcile(keys)
    provider, endpoint, params, _path = PAID[0]
    key = keys[provider]
    most = max_credits(provider, endpoint, params, prices_for(key))
    hold = reserve_credits(team=team_a, user=bob, provider=provider, credits=most, sandbox=True)
    open_call(team=team_a, user=bob, key=key, endpoint=endpoint, hold=hold.id, credits=most)
    getattr(client_for(key), endpoint)(**params)  # billed; the answer is not recorded yet
    comparison = reconcile(keys)[CreditType.LIX_STANDARD]
    assert (comparison.provider_change, comparison.confirmed, comparison.held) == (1, 0, 1)
    assert comparison.verdict == Verdict.EXPLAINED and comparison.unexplained == 0


def test_an_unconfirmed_capture_is_offered_for_settling_once(keys, team_a, bob, running_sandbox):
    reconcile(keys)
    provider, endpoint, params, path = PAID[0]
    control(running_sandbox, "faults", {"provider": provider, "path": path, "kind": "malformed"})
    run(team_a, bob, provider, endpoint, **params)  # unreadable, and not billed by the sandbox
    first = reconcile(keys)[CreditType.LIX_STANDARD]
    assert (first.provider_change, first.unconfirmed, first.held) == (0, 1, 0)
    assert service.suggested_adjustment(first) == -1
    # Read again at once: the call, sent before the previous reading, may only explain; nothing to settle.
    second = reconcile(keys)[CreditType.LIX_STANDARD]
    assert (second.provider_change, second.unconfirmed, second.held) == (0, 0, 1)
    assert second.verdict == Verdict.EXPLAINED and service.suggested_adjustment(second) is None


def spend_outside_quarry(server, key, kind, balance):
    control(
        server,
        "accounts",
        {"provider": key.provider, "key": sandbox_secret(key), "balances": {kind: balance}},
    )


def test_spend_the_ledger_never_saw_is_flagged_first_on_the_admins_page(
    keys, team_a, alice, alice_client, running_sandbox
):
    reconcile(keys)
    spend_outside_quarry(running_sandbox, keys["lix"], "standard", 99_988)  # 12 credits spent elsewhere
    comparisons = reconcile(keys, alice)
    flagged = comparisons[CreditType.LIX_STANDARD]
    assert (flagged.provider_change, flagged.confirmed, flagged.unexplained) == (12, 0, 12)
    assert flagged.verdict == Verdict.FLAGGED and flagged.needs_adjustment
    assert comparisons[CreditType.LUSHA].verdict == Verdict.MATCHED
    page = alice_client.get(reverse("reconciliation"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows[0]["comparison"] == flagged and rows[0]["suggested"] == 12
    assert [row["comparison"].verdict for row in rows[1:]] == [Verdict.MATCHED] * 3
    html = page.content.decode()
    assert "Unexplained difference" in html and reverse("reconciliation_adjust", args=[flagged.pk]) in html
    for words in ("LinkUp has no balance", "LookC bills the Lix account"):
        assert words in html  # LinkUp and LookC keys: said plainly, not left out


def test_a_balance_that_went_up_is_not_compared(keys, running_sandbox):
    reconcile(keys)
    spend_outside_quarry(running_sandbox, keys["lix"], "standard", 150_000)  # a top-up
    comparison = reconcile(keys)[CreditType.LIX_STANDARD]
    assert comparison.verdict == Verdict.NOT_COMPARED and comparison.unexplained == 0
    assert service.suggested_adjustment(comparison) is None


def test_lushas_usage_is_read_at_most_five_times_a_minute(keys, running_sandbox, monkeypatch):
    monkeypatch.setattr(service, "READING_MAX_WAIT", 0)
    for _ in range(5):
        service.read_balances(key=keys["lusha"])
    asked = len(control(running_sandbox, "received", provider="lusha")["received"])
    with pytest.raises(RateLimited):
        service.read_balances(key=keys["lusha"])
    assert len(control(running_sandbox, "received", provider="lusha")["received"]) == asked


# --- Adjustments ------------------------------------------------------------------------------------------


@pytest.fixture
def flagged(keys, alice, running_sandbox):
    reconcile(keys)
    spend_outside_quarry(running_sandbox, keys["lix"], "standard", 99_993)
    return reconcile(keys, alice)[CreditType.LIX_STANDARD]


def ledger_rows():
    return list(LedgerEntry.objects.order_by("id").values())


def test_an_admin_books_a_flagged_difference_as_an_adjustment_with_a_reason(
    flagged, team_a, alice, alice_client
):
    before = ledger_rows()
    url = reverse("reconciliation_adjust", args=[flagged.pk])
    assert alice_client.get(url).context["form"]["amount"].value() == 7
    answer = alice_client.post(url, {"amount": "7", "reason": "Spent in Lix's own dashboard"})
    assert answer.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT)
    assert (entry.team, entry.user, entry.booked_by, entry.amount) == (team_a, None, alice, 7)
    assert (entry.credit_type, entry.note, entry.sandbox) == (
        CreditType.LIX_STANDARD,
        "Spent in Lix's own dashboard",
        True,
    )
    assert ledger_rows()[: len(before)] == before  # append-only: a new entry, nothing else changed
    flagged.refresh_from_db()
    assert flagged.adjustment == entry and not flagged.needs_adjustment
    event = AuditEvent.objects.get(action=AuditAction.CREDITS_ADJUSTED)
    assert (event.team, event.actor) == (team_a, alice)
    assert event.details["reason"] == "Spent in Lix's own dashboard" and event.details["amount"] == "7"
    # Booked once: a second post (a double click) books nothing more.
    again = alice_client.post(url, {"amount": "7", "reason": "again"})
    assert again.status_code == 400 and "booked" in again.content.decode()
    assert LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).count() == 1
    page = alice_client.get(reverse("reconciliation")).content.decode()
    assert "Spent in Lix&#x27;s own dashboard" in page


def test_an_adjustment_needs_a_reason_and_an_amount(flagged, alice_client):
    url = reverse("reconciliation_adjust", args=[flagged.pk])
    for data in (
        {"amount": "7", "reason": " "},
        {"amount": "0", "reason": "x"},
        {"amount": "1e9", "reason": "x"},
    ):
        assert alice_client.post(url, data).status_code == 400, data
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_a_member_cannot_see_the_page_nor_book_an_adjustment(flagged, bob_client):
    url = reverse("reconciliation_adjust", args=[flagged.pk])
    assert bob_client.post(url, {"amount": "7", "reason": "mine"}).status_code == 403
    assert bob_client.get(url).status_code == 403
    assert bob_client.get(reverse("reconciliation")).status_code == 403
    assert bob_client.post(reverse("reconciliation")).status_code == 403
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    assert not ReconciliationRun.objects.exists()


def test_another_teams_admin_gets_404_and_sees_none_of_the_readings(flagged, team_b, carol, carol_client):
    url = reverse("reconciliation_adjust", args=[flagged.pk])
    assert carol_client.post(url, {"amount": "7", "reason": "theirs"}).status_code == 404
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()
    key_b = connect_sandbox_key(team=team_b, actor=carol, provider="lusha")
    service.reconcile_key(key=key_b, user=carol)
    page = carol_client.get(reverse("reconciliation"))
    assert page.context["rows"] == []
    assert [r.key for r in page.context["readings"]] == [key_b]
    assert "Lix standard credits" not in page.content.decode()
    assert all(c.team == flagged.team for c in service.latest_comparisons(flagged.team))
    assert [r.key for r in service.latest_readings(team_b)] == [key_b]


# --- Runs: the button and beat ----------------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """The run task's `.delay` calls, recorded instead of sent to a broker."""
    delay = mock.Mock()
    monkeypatch.setattr(tasks.reconcile_team_task, "delay", delay)
    return delay


def test_the_button_reads_in_the_background_and_the_page_polls_until_done(
    keys, alice_client, enqueued, django_capture_on_commit_callbacks
):
    url = reverse("reconciliation")
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post(url).status_code == 302
        assert not enqueued.called  # after commit, or the worker could miss the run
    run_id = enqueued.call_args.args[0]
    page = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Reading balances…" in page and 'hx-trigger="every 2s"' in page
    assert f'href="{url}"' in page  # the no-JS way to look again
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(url)  # a second click while it runs starts nothing
    assert enqueued.call_count == 1
    tasks.reconcile_team_task(run_id)
    assert ReconciliationRun.objects.get(pk=run_id).state == RunState.DONE
    # Lix's standard and email balances and its daily allowance, Lusha's usage, LeadIQ's.
    assert BalanceReading.objects.filter(run_id=run_id).count() == 5
    page = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page and "first reading is the baseline" in page
    tasks.reconcile_team_task(run_id)  # delivered twice: nothing more
    assert BalanceReading.objects.count() == 5


def test_beat_starts_one_run_per_team_with_figures_and_reports_what_failed(
    keys, team_a, team_b, carol, enqueued, django_capture_on_commit_callbacks, running_sandbox
):
    connect_sandbox_key(team=team_b, actor=carol, provider="linkup")  # no figures: no run for team B
    with django_capture_on_commit_callbacks(execute=True):
        assert service.start_reconciliations() == 1
        assert service.start_reconciliations() == 0  # team A's run is still going
    control(
        running_sandbox,
        "faults",
        {"provider": "lusha", "path": "/account/usage", "kind": "status", "status": 503},
    )
    tasks.reconcile_team_task(enqueued.call_args.args[0])
    run = ReconciliationRun.objects.get(team=team_a)
    assert run.state == RunState.DONE and run.started_by is None
    assert len(run.problems) == 1 and run.problems[0].startswith("Lusha: ")
    assert BalanceReading.objects.filter(team=team_a).count() == 4  # Lix's three figures and LeadIQ's


def test_a_comparison_counts_only_its_own_keys_calls(keys, team_a, bob, running_sandbox):
    reconcile(keys)
    run(team_a, bob, "lusha", "person", email=EMAILS[1])
    comparisons = reconcile(keys)
    assert comparisons[CreditType.LUSHA].confirmed == comparisons[CreditType.LUSHA].provider_change > 0
    assert (
        comparisons[CreditType.LEADIQ_UC].confirmed == 0 == comparisons[CreditType.LEADIQ_UC].provider_change
    )
    assert CreditComparison.objects.count() == 4
