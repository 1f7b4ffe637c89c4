"""Personas shared by the tests: two members of team A (Alice the admin, Bob a member) and Carol, the
admin of team B."""

import base64
import importlib
import uuid

import pytest
import responses
from django.test import Client

from accounts.models import Membership, Role, Team, User
from prospecting.sandbox.server import SandboxServer
from prospecting.services.keys import add_provider_key

PASSWORD = "correct horse battery staple"
# A provider key's secret: a canary that must never appear in pages, logs or the call log.
SECRET = "sk-live-canary-0123456789-ABCD"


@pytest.fixture(autouse=True)
def _limiter_state_of_its_own(settings, monkeypatch):
    """With REDIS_URL (CI), the limiter's buckets live in one Redis shared by every test and both xdist
    workers, whose test databases hand out the same key ids: a Retry-After one test provokes would hold
    back another test's key of the same id. Each test gets its own key prefix."""
    if settings.REDIS_URL:
        from prospecting import ratelimit

        monkeypatch.setattr(ratelimit.default_store(), "prefix", f"test:{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    """Each test starts with an empty cache of its own process (cached look-ups would otherwise carry
    from one test to the next, and xdist workers' databases reuse the same key ids)."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _ledger_triggers_around_the_flush(request):
    """The credit ledger is append-only in the database (migration 0012_ledger's triggers). On SQLite, Django
    empties the tables after a transactional test (live_server browser tests, transaction=True) with
    DELETE FROM, which the trigger refuses once the test wrote an entry; PostgreSQL TRUNCATEs, which the
    row trigger allows. So on SQLite, a transactional test drops the two triggers as it ends, just
    before that flush, and every database test puts them back first (test_ledger proves they hold)."""
    uses_db = request.node.get_closest_marker("django_db") or "_django_db_helper" in request.fixturenames
    if not uses_db:
        yield
        return
    # Set up the database first, so that it is flushed after this fixture's end.
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    triggers = importlib.import_module("prospecting.migrations.0012_ledger")
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_CREATE:
            cursor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    yield
    # A transactional test runs outside the atomic block other tests are rolled back in; its tables are
    # emptied next.
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for sql in triggers.SQLITE_DROP:
                cursor.execute(sql)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(email, name=""):
    return User.objects.create_user(email, PASSWORD, name=name)


def make_member(team, email, role=Role.MEMBER, name=""):
    user = make_user(email, name)
    Membership.objects.create(team=team, user=user, role=role)
    return user


@pytest.fixture
def team_a(db):
    return Team.objects.create(name="Team A")


@pytest.fixture
def team_b(db):
    return Team.objects.create(name="Team B")


@pytest.fixture
def alice(team_a):
    return make_member(team_a, "alice@a.test", Role.ADMIN, "Alice")


@pytest.fixture
def bob(team_a):
    return make_member(team_a, "bob@a.test", Role.MEMBER, "Bob")


@pytest.fixture
def carol(team_b):
    return make_member(team_b, "carol@b.test", Role.ADMIN, "Carol")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice):
    return logged_in(alice)


@pytest.fixture
def bob_client(bob):
    return logged_in(bob)


@pytest.fixture
def carol_client(carol):
    return logged_in(carol)


@pytest.fixture
def sandbox():
    """Start a real sandbox server on a free port: sandbox() for all five providers, or
    sandbox(lix.PROVIDER, ...) for some. Stopped after the test."""
    servers = []

    def start(*providers):
        server = SandboxServer(("127.0.0.1", 0), providers={p.slug: p for p in providers} or None)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def key_for(team_a, alice):
    def make(provider, **options):
        # Generous limits: these tests are about the call log and billing, not about waiting.
        options = {"rate_limits": [[1000, 1]], **options}
        # LeadIQ issues base64 keys ("Secret Base64"), and Quarry refuses any other.
        secret = base64.b64encode(SECRET.encode()).decode() if provider == "leadiq" else SECRET
        return add_provider_key(team=team_a, actor=alice, provider=provider, secret=secret, options=options)

    return make


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps
