import base64
import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
import responses
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.crypto import SecretDecryptionError
from accounts.models import AuditEvent, KeyStatus, ProviderKey
from prospecting.celery import app as celery_app
from prospecting.models import ProviderCall
from prospecting.providers.billing import prices_for
from prospecting.services.keys import add_provider_key, connect_sandbox_key
from prospecting.tasks import refresh_balances_of_key
from tests.sandbox.conftest import sandbox_urls
from tests.test_celery_worker import worker  # noqa: F401 (the real worker, on this module's private_queue)

CANARY = "canary-SECRET-7f3a9e1c-b2d4-QRST"


def add_key(client, provider, **data):
    return client.post(reverse("provider_key_add", args=[provider]), data)


def press_refresh_balances(client, capture_on_commit_callbacks):
    """Press Refresh on the Balances page; returns the answer and the tasks it enqueued after commit."""
    with (
        mock.patch("prospecting.tasks.refresh_balances_of_key.delay") as delay,
        capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("balances"))
    return response, [call.args for call in delay.call_args_list]


def refresh_balances_through_tasks(client, capture_on_commit_callbacks):
    """Press Refresh, then run each task it enqueued as a worker would (no eager mode)."""
    response, tasks = press_refresh_balances(client, capture_on_commit_callbacks)
    for args in tasks:
        refresh_balances_of_key(*args)
    return response


def raw_secret_column(key_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_providerkey WHERE id = %s", [key_id])
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    "url",
    [
        lambda key: reverse("provider_key_add", args=["lusha"]),
        lambda key: reverse("provider_key_edit", args=[key.pk]),
        lambda key: reverse("provider_key_revoke", args=[key.pk]),
    ],
)
def test_member_cannot_reach_key_management(bob_client, alice, url):
    key = add_provider_key(team=alice.memberships.get().team, actor=alice, provider="lix", secret=CANARY)
    assert bob_client.get(url(key)).status_code == 403
    assert bob_client.post(url(key), {"secret": "other-key-1234"}).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None and key.secret.reveal() == CANARY


def test_member_sees_which_providers_are_configured_but_not_the_key(bob_client, alice, team_a):
    add_provider_key(team=team_a, actor=alice, provider="lix", secret=CANARY)
    page = bob_client.get(reverse("provider_keys")).content.decode()
    assert "Lix" in page and "Not configured" in page
    assert CANARY[-4:] not in page


def test_admin_adds_key_and_sees_only_last_four(alice_client, team_a):
    response = add_key(alice_client, "lusha", secret=CANARY, label="Pro plan", rate_limits="25/s, 300/min")
    assert response.status_code == 302
    key = ProviderKey.objects.for_team(team_a).active().get(provider="lusha")
    assert key.secret.reveal() == CANARY and key.status == KeyStatus.UNVERIFIED
    assert key.options == {"rate_limits": [[25, 1], [300, 60]]}
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert "••••QRST" in page
    event = AuditEvent.objects.get(action="key_added", team=team_a)
    assert event.ip_address == "127.0.0.1" and CANARY not in str(event.details)


def test_invalid_rate_limit_is_refused_with_a_message(alice_client, team_a):
    response = add_key(alice_client, "lix", secret=CANARY, rate_limits="lots per minute")
    assert response.status_code == 400
    assert "is not a rate limit" in response.content.decode()
    assert not ProviderKey.objects.for_team(team_a).exists()


def test_canary_secret_never_appears_in_any_html_response(alice_client, bob_client, team_a):
    add_key(alice_client, "lix", secret=CANARY, viewer_id="ada-lovelace")
    key = ProviderKey.objects.get(team=team_a, provider="lix")
    # A failed re-submission must not echo the secret back into the form either.
    failed = alice_client.post(
        reverse("provider_key_edit", args=[key.pk]), {"secret": CANARY, "rate_limits": "nonsense"}
    )
    assert failed.status_code == 400
    pages = [failed] + [
        client.get(url)
        for client in (alice_client, bob_client)
        for url in (
            reverse("home"),
            reverse("provider_keys"),
            reverse("provider_key_edit", args=[key.pk]),
            reverse("provider_key_revoke", args=[key.pk]),
            reverse("accounts:audit_log"),
            reverse("accounts:members"),
        )
    ]
    assert any(page.status_code == 200 for page in pages)
    for page in pages:
        assert CANARY not in page.content.decode()
        assert CANARY[:12] not in page.content.decode()


def test_key_forms_keep_posted_secrets_out_of_error_reports(alice_client, alice, team_a):
    key = add_provider_key(team=team_a, actor=alice, provider="lix", secret=CANARY)
    for url in (
        reverse("provider_key_add", args=["lusha"]),
        reverse("provider_key_edit", args=[key.pk]),
    ):
        response = alice_client.post(url, {"secret": CANARY, "rate_limits": "nonsense"})
        # Django's error reports replace every POST value of such a request with stars.
        assert response.wsgi_request.sensitive_post_parameters == "__ALL__", url


def test_stored_key_characters_are_escaped_in_the_edit_page(alice_client, alice, team_a):
    key = add_provider_key(team=team_a, actor=alice, provider="lix", secret="some-api-key-<b>x")
    page = alice_client.get(reverse("provider_key_edit", args=[key.pk])).content.decode()
    assert "Current key ••••&lt;b&gt;x." in page
    assert "<b>x" not in page


def test_encrypted_column_holds_no_plaintext(alice, team_a):
    key = add_provider_key(team=team_a, actor=alice, provider="lusha", secret=CANARY)
    raw = raw_secret_column(key.pk)
    assert raw and CANARY not in raw and CANARY[-4:] not in raw
    assert raw.startswith("gAAAAA")


def test_rotation_re_encrypts_under_the_newest_key(alice, team_a, settings):
    key = add_provider_key(team=team_a, actor=alice, provider="lix", secret=CANARY)
    old_token = raw_secret_column(key.pk)
    new_key = Fernet.generate_key().decode()
    settings.QUARRY_ENCRYPTION_KEYS = [new_key, *settings.QUARRY_ENCRYPTION_KEYS]
    call_command("rotate_encryption_keys")
    new_token = raw_secret_column(key.pk)
    assert new_token != old_token
    assert Fernet(new_key).decrypt(new_token.encode()).decode() == CANARY
    # With only the new key left, the rotated secret still opens.
    settings.QUARRY_ENCRYPTION_KEYS = [new_key]
    assert ProviderKey.objects.get(pk=key.pk).secret.reveal() == CANARY


def test_wrong_encryption_key_raises_instead_of_returning_ciphertext(alice, team_a, settings):
    key = add_provider_key(team=team_a, actor=alice, provider="lix", secret=CANARY)
    settings.QUARRY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretDecryptionError):
        ProviderKey.objects.get(pk=key.pk).secret.reveal()


def test_replacing_a_key_keeps_one_active_key_and_audits_it(alice_client, team_a):
    add_key(alice_client, "lix", secret=CANARY)
    key = ProviderKey.objects.get(team=team_a, provider="lix")
    alice_client.post(reverse("provider_key_edit", args=[key.pk]), {"secret": "brand-new-key-WXYZ"})
    key.refresh_from_db()
    assert key.secret.reveal() == "brand-new-key-WXYZ" and key.last4 == "WXYZ"
    assert ProviderKey.objects.for_team(team_a).active().count() == 1
    assert AuditEvent.objects.filter(team=team_a, action="key_replaced").exists()


def test_editing_options_with_a_blank_secret_keeps_the_stored_key(alice_client, team_a):
    add_key(alice_client, "linkup", secret=CANARY, country="FR")
    key = ProviderKey.objects.get(team=team_a, provider="linkup")
    alice_client.post(reverse("provider_key_edit", args=[key.pk]), {"secret": "", "country": "US"})
    key.refresh_from_db()
    assert key.secret.reveal() == CANARY and key.options["country"] == "US"


def test_revoking_erases_the_secret_and_keeps_the_record(alice_client, team_a):
    add_key(alice_client, "lusha", secret=CANARY)
    key = ProviderKey.objects.get(team=team_a, provider="lusha")
    assert alice_client.get(reverse("provider_key_revoke", args=[key.pk])).status_code == 200
    alice_client.post(reverse("provider_key_revoke", args=[key.pk]))
    key.refresh_from_db()
    assert key.revoked_at is not None and key.secret is None and raw_secret_column(key.pk) is None
    assert AuditEvent.objects.filter(team=team_a, action="key_revoked").exists()


def test_lookc_can_use_the_lix_key(alice_client, team_a):
    refused = add_key(alice_client, "lookc", uses_lix_key="on")
    assert refused.status_code == 400 and "Lix key first" in refused.content.decode()
    add_key(alice_client, "lix", secret=CANARY)
    add_key(alice_client, "lookc", uses_lix_key="on")
    lookc = ProviderKey.objects.get(team=team_a, provider="lookc")
    assert lookc.secret is None and lookc.reveal_secret() == CANARY
    assert "Uses the Lix key" in alice_client.get(reverse("provider_keys")).content.decode()


def test_a_secret_assigned_as_text_is_masked_before_and_after_saving(alice, team_a):
    key = add_provider_key(team=team_a, actor=alice, provider="lusha", secret=CANARY)
    assert key.secret.reveal() == CANARY and CANARY not in repr(key.secret) and CANARY not in str(key.secret)
    assert ProviderKey.objects.get(pk=key.pk).secret.reveal() == CANARY


@pytest.mark.parametrize("provider", ["lix", "lookc", "linkup", "lusha", "leadiq"])
@pytest.mark.parametrize(
    "secret",
    ["key-with-€-0000", "key with space", "key\x07bell", "key\x1b[31mred", "key\r\nX-Evil: 1", "ключ"],
)
def test_a_secret_no_provider_issues_is_refused_with_a_message(alice_client, team_a, provider, secret):
    response = add_key(alice_client, provider, secret=secret)
    assert response.status_code == 400
    assert "copy it again from the provider" in response.content.decode()
    assert not ProviderKey.objects.for_team(team_a).exists()


def test_the_key_service_refuses_such_a_secret_too(alice, team_a):
    with pytest.raises(ValidationError, match="outside plain ASCII"):
        add_provider_key(team=team_a, actor=alice, provider="lusha", secret="abc€def")
    assert not ProviderKey.objects.exists()


def test_a_leadiq_key_must_be_the_base64_key_leadiq_issues(alice_client, team_a):
    refused = add_key(alice_client, "leadiq", secret="plainly-not-base64!")
    assert refused.status_code == 400 and "does not decode from base64" in refused.content.decode()
    accepted = add_key(alice_client, "leadiq", secret=base64.b64encode(b"leadiq-secret-1234").decode())
    assert accepted.status_code == 302
    assert ProviderKey.objects.for_team(team_a).filter(provider="leadiq").exists()


# One rule for every typed text (accounts.validators): a bidi override would make a label read as another.
@pytest.mark.parametrize(
    "text", ["Pro\x07plan", "Pro\x1b[2Jplan", "Pro\r\nplan", "Pro\tplan", "Pro\u202enalp", "Pro\u2066plan"]
)
def test_control_characters_are_refused_in_key_labels(alice_client, team_a, text):
    response = add_key(alice_client, "lix", secret=CANARY, label=text)
    assert response.status_code == 400 and "Remove the control characters" in response.content.decode()
    assert not ProviderKey.objects.for_team(team_a).exists()


@pytest.mark.parametrize("text", ["ada\x07lovelace", "ada\x1blovelace", "ada\r\nlovelace", "ada lovelace"])
def test_control_characters_and_spaces_are_refused_in_viewer_id(alice_client, team_a, text):
    response = add_key(alice_client, "lix", secret=CANARY, viewer_id=text)
    assert response.status_code == 400
    assert "control characters" in response.content.decode() or "has no spaces" in response.content.decode()
    assert not ProviderKey.objects.for_team(team_a).exists()


# --- Test: the verdict in place, and what a test costs ----------------------------------------------


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def generous_key(team, actor, provider, **options):
    return add_provider_key(
        team=team,
        actor=actor,
        provider=provider,
        secret=CANARY,
        options={"rate_limits": [[1000, 1]], **options},
    )


def test_testing_a_key_over_htmx_shows_the_verdict_and_when(mocked, alice_client, alice, team_a):
    key = generous_key(team_a, alice, "lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json={"emailBalance": 1, "linkedInBalance": 2})
    before = alice_client.get(reverse("provider_keys")).content.decode()
    assert "tested just now" not in before
    row = alice_client.post(reverse("provider_key_test", args=[key.pk]), HTTP_HX_REQUEST="true")
    body = row.content.decode()
    assert row.status_code == 200 and body.strip().startswith('<tr id="provider-lix"')
    assert "Works" in body and "tested just now" in body and "UTC)" in body


def test_a_refused_key_says_refused_with_the_providers_words(mocked, alice_client, alice, team_a):
    key = generous_key(team_a, alice, "lusha")
    mocked.get(
        "https://api.lusha.com/account/usage", status=401, json={"message": "Invalid API key provided"}
    )
    body = alice_client.post(
        reverse("provider_key_test", args=[key.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Refused" in body and "tested just now" in body and "Invalid API key provided" in body


def test_a_free_test_button_says_nothing_of_credits(alice_client, alice, team_a):
    generous_key(team_a, alice, "lix")
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert "Test<span" in page and "hx-confirm" not in page


def test_a_linkup_test_button_says_it_costs_a_credit_and_asks_first(alice_client, alice, team_a):
    generous_key(team_a, alice, "linkup", country="FR")
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert "Test (1 credit)" in page
    assert (
        'hx-confirm="Testing the LinkUp key costs 1 credit' in page and 'hx-vals=\'{"confirm": "1"}\'' in page
    )


def test_a_linkup_test_without_confirmation_shows_what_it_costs_and_calls_nobody(
    mocked, alice_client, alice, team_a
):
    key = generous_key(team_a, alice, "linkup", country="FR")
    response = alice_client.post(reverse("provider_key_test", args=[key.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "spends <strong>1 credit</strong>" in page and 'name="confirm"' in page
    assert len(mocked.calls) == 0 and not ProviderCall.objects.exists()
    key.refresh_from_db()
    assert key.checked_at is None


def test_a_confirmed_linkup_test_calls_linkup_once(mocked, alice_client, alice, team_a):
    key = generous_key(team_a, alice, "linkup", country="FR")
    mocked.get("https://api.linkupapi.com/v1/check", json={"status": "success"})
    response = alice_client.post(reverse("provider_key_test", args=[key.pk]), {"confirm": "1"})
    assert response.status_code == 302 and len(mocked.calls) == 1
    key.refresh_from_db()
    assert key.status == KeyStatus.VALID


# --- Prices per data point on the key's page ------------------------------------------------------


def test_lusha_key_form_shows_the_documented_prices_as_placeholder(alice_client):
    page = alice_client.get(reverse("provider_key_add", args=["lusha"])).content.decode()
    assert 'name="prices"' in page and 'placeholder="email 1, phone 5, company 1, signal 1"' in page


def test_providers_without_a_price_table_have_no_prices_field(alice_client):
    page = alice_client.get(reverse("provider_key_add", args=["lix"])).content.decode()
    assert 'name="prices"' not in page


def test_admin_edits_a_keys_prices_and_billing_uses_them(alice_client, team_a):
    add_key(alice_client, "lusha", secret=CANARY, prices="phone 8")
    key = ProviderKey.objects.get(team=team_a, provider="lusha")
    assert key.options["prices"] == {"phone": 8}
    assert prices_for(key)["phone"] == 8 and prices_for(key)["email"] == 1
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert "Prices: email 1, phone 8, company 1, signal 1" in page
    edit = alice_client.get(reverse("provider_key_edit", args=[key.pk])).content.decode()
    assert "email 1, phone 8, company 1, signal 1" in edit

    alice_client.post(
        reverse("provider_key_edit", args=[key.pk]), {"secret": "", "prices": "phone 7, email 2"}
    )
    key.refresh_from_db()
    assert key.secret.reveal() == CANARY and key.options["prices"] == {"phone": 7, "email": 2}
    event = AuditEvent.objects.filter(team=team_a, action="key_updated").latest("id")
    assert event.details["options"]["prices"] == {"phone": 7, "email": 2}
    assert event.details["previous_options"]["prices"] == {"phone": 8}


def test_an_invalid_price_is_refused_with_a_message(alice_client, team_a):
    response = add_key(
        alice_client, "leadiq", secret=base64.b64encode(b"leadiq-1234").decode(), prices="fax 3"
    )
    assert response.status_code == 400
    assert "has no data point “fax”" in response.content.decode()
    assert not ProviderKey.objects.for_team(team_a).exists()


def test_a_blank_price_table_restores_the_documented_defaults(alice_client, team_a):
    add_key(alice_client, "lusha", secret=CANARY, prices="phone 8")
    key = ProviderKey.objects.get(team=team_a, provider="lusha")
    alice_client.post(reverse("provider_key_edit", args=[key.pk]), {"secret": "", "prices": ""})
    key.refresh_from_db()
    assert "prices" not in key.options and prices_for(key)["phone"] == 5
    page = alice_client.get(reverse("provider_keys")).content.decode()
    assert "Prices: email 1, phone 5, company 1, signal 1 (documented defaults)" in page


# --- Balances: refreshed in the background, with live progress --------------------------------------

LIX_BALANCES = {"emailBalance": 1234, "linkedInBalance": 5678}
LIX_DAILY = {"requestsRemaining": 4321, "refreshesAt": 1798761600}


def test_refresh_answers_at_once_and_fetches_each_key_in_a_task_of_its_own(
    mocked, bob_client, bob, alice, team_a, django_capture_on_commit_callbacks
):
    lix = generous_key(team_a, alice, "lix")
    lusha = generous_key(team_a, alice, "lusha")
    response, tasks = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and len(mocked.calls) == 0  # nobody called during the request
    assert sorted(tasks) == sorted(
        [(lix.pk, response.wsgi_request.user.pk), (lusha.pk, response.wsgi_request.user.pk)]
    )
    page = bob_client.get(reverse("balances")).content.decode()
    assert page.count("Refreshing…</p>") == 2 and 'hx-trigger="every 1s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript, the page reloads itself
    assert "Refreshing the balances" in page


def test_polling_shows_the_figures_and_stops_once_every_key_is_done(
    mocked, bob_client, alice, team_a, django_capture_on_commit_callbacks
):
    generous_key(team_a, alice, "lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=LIX_BALANCES)
    mocked.get("https://api.lix-it.com/v1/account/allowances/daily", json=LIX_DAILY)
    _, tasks = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    polled = bob_client.get(reverse("balances"), HTTP_HX_REQUEST="true").content.decode()
    assert polled.strip().startswith('<div id="balances-live"') and 'hx-trigger="every 1s"' in polled
    for args in tasks:
        refresh_balances_of_key(*args)
    done = bob_client.get(reverse("balances"), HTTP_HX_REQUEST="true").content.decode()
    assert "1,234" in done and "4,321" in done and "Refreshing…</p>" not in done
    assert "2027-01-01 00:00 UTC" in done  # a date keeps its digits
    assert "hx-trigger" not in done and "<html" not in done


def test_pressing_refresh_twice_starts_one_refresh_per_key(
    bob_client, alice, team_a, django_capture_on_commit_callbacks
):
    generous_key(team_a, alice, "lix")
    _, first = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    _, second = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    assert len(first) == 1 and second == []


def test_a_refresh_task_delivered_twice_calls_the_provider_once(
    mocked, bob_client, alice, team_a, django_capture_on_commit_callbacks
):
    generous_key(team_a, alice, "lix")
    mocked.get("https://api.lix-it.com/v1/account/balances", json=LIX_BALANCES)
    mocked.get("https://api.lix-it.com/v1/account/allowances/daily", json=LIX_DAILY)
    _, tasks = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    refresh_balances_of_key(*tasks[0])
    refresh_balances_of_key(*tasks[0])
    assert len(mocked.calls) == 2  # balances and daily allowance, once


def test_a_refresh_that_never_ran_stops_showing_as_running_and_can_be_restarted(
    bob_client, alice, team_a, django_capture_on_commit_callbacks
):
    key = generous_key(team_a, alice, "lix")
    key.balances_refreshing_since = timezone.now() - timedelta(minutes=3)
    key.save()
    page = bob_client.get(reverse("balances")).content.decode()
    assert "The last refresh did not finish" in page and "hx-trigger" not in page
    _, tasks = press_refresh_balances(bob_client, django_capture_on_commit_callbacks)
    assert len(tasks) == 1


def test_balances_page_says_what_each_check_costs(bob_client, alice, team_a):
    generous_key(team_a, alice, "lix")
    generous_key(team_a, alice, "linkup", country="FR")
    page = bob_client.get(reverse("balances")).content.decode()
    assert "Checking costs no credits" not in page
    assert "Refreshing costs no credits" in page
    linkup = page[page.index('id="balance-linkup"') : page.index('id="balance-lix"')]
    assert "Refreshing: free · Testing the key: 1 credit" in linkup
    assert "Refreshing: free · Testing the key: free" in page[page.index('id="balance-lix"') :]


@pytest.fixture
def sandbox_for_the_worker(sandbox, settings, monkeypatch):
    server = sandbox()
    settings.SANDBOX_URL, settings.SANDBOX_PROVIDER_URLS = server.url, sandbox_urls(server)
    monkeypatch.setenv("SANDBOX_URL", server.url)  # the worker process reads it from its environment
    return server


@pytest.fixture
def private_queue(sandbox_for_the_worker):
    """(Overrides tests.test_celery_worker's.) Prospecting's tasks go to a queue of this test's own, so no
    other worker on the broker takes them."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    routes = celery_app.conf.task_routes
    celery_app.conf.task_routes = {"prospecting.tasks.*": {"queue": queue}}
    celery_app.amqp.flush_routes()
    with mock.patch.object(celery_app.amqp, "router", celery_app.amqp.Router()):
        yield queue
    celery_app.conf.task_routes = routes
    celery_app.amqp.flush_routes()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_real_worker_fetches_the_balances_a_refresh_started(alice, alice_client, team_a):
    key = connect_sandbox_key(team=team_a, actor=alice, provider="lusha")
    assert alice_client.post(reverse("balances")).status_code == 302
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        key.refresh_from_db()
        if key.balances_refreshing_since is None:
            break
        time.sleep(0.5)
    assert key.balances_refreshing_since is None and key.balances_checked_at is not None
    assert key.balances["rows"] and not key.balances["error"]
    polled = alice_client.get(reverse("balances"), HTTP_HX_REQUEST="true").content.decode()
    assert "Checked just now" in polled and "hx-trigger" not in polled


def test_a_lix_keys_recruiter_facet_path_is_an_option_the_admin_sets(alice_client, team_a):
    add_key(alice_client, "lix", secret=CANARY)
    key = ProviderKey.objects.get(team=team_a, provider="lix")
    assert key.options["recruiter_facet_path"] == "/v1/li/recruiter/search/facet"
    form = alice_client.get(reverse("provider_key_edit", args=[key.pk])).content.decode()
    assert "Recruiter facet path" in form
    alice_client.post(
        reverse("provider_key_edit", args=[key.pk]),
        {"secret": "", "recruiter_facet_path": "/v1/search/recruiter/facet"},
    )
    key.refresh_from_db()
    assert key.options["recruiter_facet_path"] == "/v1/search/recruiter/facet"
    refused = alice_client.post(
        reverse("provider_key_edit", args=[key.pk]), {"secret": "", "recruiter_facet_path": "/v2/x"}
    )
    key.refresh_from_db()
    assert refused.status_code == 400 and key.options["recruiter_facet_path"] == "/v1/search/recruiter/facet"
