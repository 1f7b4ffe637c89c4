"""Quarry against its own sandbox over real HTTP: sandbox keys, the call service and call log, the
sandbox's billing equal to Quarry's, LookC's webhook reaching Quarry, and the demo team."""

import base64
import time

import pytest
from django.core.management import call_command

from accounts.models import AuditAction, AuditEvent, KeyStatus, ProviderKey, Team
from prospecting.demo import register_sandbox_webhook
from prospecting.models import ProviderCall, WebhookEvent
from prospecting.providers import PROVIDERS
from prospecting.providers.base import KeyRejected, ProviderError, RateLimited
from prospecting.providers.leadiq import LeadiqClient
from prospecting.providers.linkup import LinkupClient
from prospecting.providers.lix import LixClient
from prospecting.providers.lookc import LookcClient
from prospecting.providers.lusha import LushaClient
from prospecting.services.keys import connect_sandbox_key, lookc_webhook_url
from prospecting.services.provider_calls import call_provider, check_provider_key, record_call
from prospecting.tasks import register_demo_webhook, set_up_demo_key
from tests.sandbox.conftest import billed, control, sandbox_urls

PROFILES = [f"https://www.linkedin.com/in/prospect-{index}" for index in range(6)]
EMAILS = [f"buyer{index}@northwind.io" for index in range(6)]


@pytest.fixture
def sandbox_keys(running_sandbox, team_a, alice):
    keys = {}
    for provider in ("lix", "lookc", "linkup", "lusha", "leadiq"):
        key = connect_sandbox_key(team=team_a, actor=alice, provider=provider)
        # Generous limits so the script does not wait; the limits themselves are tested elsewhere.
        key.options = {**key.options, "rate_limits": [[1000, 1]]}
        key.save()
        control(running_sandbox, "limits", {"provider": provider, "windows": [[1000, 1]]})
        keys[provider] = key
    return keys


def run(team, user, provider, endpoint, **params):
    try:
        return call_provider(team=team, user=user, provider=provider, endpoint=endpoint, **params)
    except ProviderError as error:
        return error


def test_sandbox_keys_call_the_sandbox_and_every_record_says_so(sandbox_keys, team_a, bob, running_sandbox):
    result = run(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILES[0])
    again = run(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=PROFILES[0])
    assert result.data == again.data  # deterministic
    logged = ProviderCall.objects.filter(provider="lix")
    assert logged.count() == 2 and all(call.sandbox for call in logged)
    received = control(running_sandbox, "received", provider="lix")["received"]
    assert [r["path"] for r in received] == ["/v1/person", "/v1/person"]


def test_the_sandboxs_billing_equals_quarrys_call_log(sandbox_keys, team_a, bob, running_sandbox):
    for profile in PROFILES:
        run(team_a, bob, "lix", LixClient.person_by_linkedin, profile_link=profile)
        run(team_a, bob, "lix", LixClient.email_by_linkedin, url=profile)
        run(
            team_a,
            bob,
            "leadiq",
            LeadiqClient.search_people,
            linkedin_url=profile,
            fields=("profile", "email", "phone", "company"),
        )
    run(
        team_a,
        bob,
        "lix",
        LixClient.search_people,
        url="https://www.linkedin.com/search/results/people/?keywords=cto",
    )
    for email in EMAILS:
        run(team_a, bob, "lookc", LookcClient.person_by_email, email=email)
        run(team_a, bob, "lusha", LushaClient.person, email=email)
    run(
        team_a,
        bob,
        "lusha",
        LushaClient.bulk_people,
        contacts=[{"contactId": str(i), "email": e} for i, e in enumerate(EMAILS)],
    )
    run(
        team_a,
        bob,
        "linkup",
        LinkupClient.profile_info,
        linkedin_url=PROFILES[0],
        login_token="li-sandbox-session",
    )
    run(
        team_a,
        bob,
        "linkup",
        LinkupClient.connections,
        login_token="li-sandbox-session",
        start_page=1,
        end_page=3,
    )
    for provider, key in sandbox_keys.items():
        secret = key.reveal_secret()
        # The sandbox knows LeadIQ's key by its decoded form, as LeadIQ's Prospector API does.
        secret = base64.b64decode(secret).decode() if provider == "leadiq" else secret
        charged = billed(running_sandbox, provider, secret)
        recorded = {}
        for credits in ProviderCall.objects.filter(provider=provider).values_list("credits", flat=True):
            for kind, amount in credits.items():
                recorded[kind] = round(recorded.get(kind, 0) + amount, 4)
        assert charged == recorded, provider
    assert ProviderCall.objects.exclude(credits={}).count() > 10


def test_testing_sandbox_keys_marks_them_valid(sandbox_keys, alice):
    for key in sandbox_keys.values():
        check_provider_key(key=key, user=alice)
        key.refresh_from_db()
        assert key.status == KeyStatus.VALID, (key.provider, key.status_message)


def test_a_wrong_sandbox_key_is_refused_like_a_real_one(running_sandbox, team_a, alice):
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lix")
    key.secret = "not-a-sandbox-key-0000"
    key.save()
    with pytest.raises(KeyRejected):
        call_provider(team=team_a, user=alice, provider="lix", endpoint=LixClient.balances)


def test_sandbox_keys_are_refused_when_the_sandbox_is_disabled(sandbox_keys, team_a, alice, settings):
    settings.SANDBOX_ENABLED = False
    with pytest.raises(KeyRejected, match="sandbox is disabled"):
        call_provider(team=team_a, user=alice, provider="lix", endpoint=LixClient.balances)


@pytest.mark.django_db(transaction=True)
def test_lookc_answers_later_through_quarrys_webhook(sandbox, settings, live_server, team_a, alice):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    settings.SITE_URL = live_server.url
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lookc")
    assert register_sandbox_webhook(key)  # what the demo set-up and "Use the sandbox" do, once
    pending = None
    for index in range(30):  # the sandbox answers some look-ups asynchronously
        result = run(
            team_a, alice, "lookc", LookcClient.person_by_email, email=f"later{index}@globexhealth.com"
        )
        if not result.data["complete"]:
            pending = result.data["request_id"]
            break
    assert pending, "no asynchronous answer among 30 look-ups"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not WebhookEvent.objects.filter(team=team_a).exists():
        time.sleep(0.2)
    event = WebhookEvent.objects.get(team=team_a, provider="lookc")
    assert event.body and lookc_webhook_url(key).startswith(live_server.url)
    status = run(team_a, alice, "lookc", LookcClient.request_status, request_id=pending)
    assert status.data["complete"] is True


def test_the_demo_team_gets_a_sandbox_key_per_provider_that_tests_valid(
    running_sandbox, db, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(set_up_demo_key, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_demo_team")
    team = Team.objects.get(name="Demo Sales Team")
    keys = ProviderKey.objects.for_team(team).active()
    assert sorted(keys.values_list("provider", flat=True)) == ["leadiq", "linkup", "lix", "lookc", "lusha"]
    assert all(key.is_sandbox for key in keys) and sorted(enqueued) == sorted(key.pk for key in keys)
    for key_id in enqueued:
        set_up_demo_key(key_id)  # what the worker runs for each callback
    assert set(ProviderKey.objects.for_team(team).values_list("status", flat=True)) == {KeyStatus.VALID}


def test_the_demos_own_key_checks_are_recorded_with_no_user(
    running_sandbox, db, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(set_up_demo_key, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_demo_team")
    for key_id in enqueued:
        set_up_demo_key(key_id)
    team = Team.objects.get(name="Demo Sales Team")
    calls = ProviderCall.objects.for_team(team)
    assert calls.count() >= 5 and not calls.filter(user__isnull=False).exists()
    tests = AuditEvent.objects.filter(team=team, action=AuditAction.KEY_TESTED)
    assert tests.count() == 5 and not tests.filter(actor__isnull=False).exists()


def test_the_demo_registers_lookcs_webhook_at_set_up_and_again_after_a_restart(
    running_sandbox, db, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.SITE_URL = "http://quarry.test"
    set_up, registered = [], []
    monkeypatch.setattr(set_up_demo_key, "delay", set_up.append)
    monkeypatch.setattr(register_demo_webhook, "delay", registered.append)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_demo_team", "--if-empty")
    for key_id in set_up:
        set_up_demo_key(key_id)
    lookc = ProviderKey.objects.get(provider="lookc")
    account = control(running_sandbox, "accounts", provider="lookc", key=lookc.reveal_secret())
    assert account["webhook_url"] == lookc_webhook_url(lookc)
    # The next `make run`: the demo exists, and a restarted sandbox is told the URL again.
    control(running_sandbox, "reset", {})
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_demo_team", "--if-empty")
    assert registered == [lookc.pk]
    register_demo_webhook(lookc.pk)
    account = control(running_sandbox, "accounts", provider="lookc", key=lookc.reveal_secret())
    assert account["webhook_url"] == lookc_webhook_url(lookc)


def test_linkup_bills_a_rate_limited_call_in_the_sandbox_as_in_quarrys_log(
    sandbox_keys, team_a, bob, running_sandbox
):
    control(running_sandbox, "limits", {"provider": "linkup", "windows": [[1, 60]]})
    run(
        team_a,
        bob,
        "linkup",
        LinkupClient.connections,
        login_token="li-sandbox-session",
        start_page=1,
        end_page=2,
    )
    # Quarry's own limiter would hold the second call back; go around it to meet the provider's 429.
    client = PROVIDERS["linkup"](
        sandbox_keys["linkup"].reveal_secret(), {"country": "FR"}, urls=sandbox_urls(running_sandbox)
    )
    with pytest.raises(RateLimited) as limited:
        client.connections(login_token="li-sandbox-session", start_page=1, end_page=2)
    record_call(
        team=team_a, user=bob, key=sandbox_keys["linkup"], call=limited.value.call, error=limited.value
    )
    charged = billed(running_sandbox, "linkup")
    recorded = sum(
        c["credits"] for c in ProviderCall.objects.filter(provider="linkup").values_list("credits", flat=True)
    )
    assert charged == {"credits": 4} and recorded == 4
