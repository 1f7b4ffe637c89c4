"""The demo: a team with an admin and a member, and a key of the built-in sandbox for every provider.

This is the one seam between Quarry and its sandbox, and it talks to the sandbox over HTTP only (its
`/_sandbox/` control API): production code never imports the sandbox package.
"""

import requests
from django.conf import settings
from django.db import transaction

from accounts.models import Membership, Provider, ProviderKey, Role, Team, User
from accounts.services import create_team
from prospecting.services.keys import connect_sandbox_key, lookc_webhook_url
from prospecting.services.provider_calls import check_provider_key, refresh_key_balances

DEMO_TEAM = "Demo Sales Team"
DEMO_PASSWORD = "quarry-demo-pass"
DEMO_USERS = [
    ("admin@demo.quarry.test", "Ada Admin", Role.ADMIN),
    ("member@demo.quarry.test", "Max Member", Role.MEMBER),
]


def demo_team():
    """The demo team, if it was created."""
    return Team.objects.filter(name=DEMO_TEAM, memberships__user__email=DEMO_USERS[0][0]).first()


def create_demo_team():
    """Create the demo team and its users, or complete them; give it a sandbox key for every provider it
    lacks. Returns the team and the keys made, to be set up (`set_up_sandbox_key`) by the worker once the
    sandbox answers: at `make run` the sandbox process starts after this."""
    with transaction.atomic():
        users = {}
        for email, name, _role in DEMO_USERS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(email, name=name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            users[email] = user
        admin, member = users[DEMO_USERS[0][0]], users[DEMO_USERS[1][0]]
        team = demo_team() or create_team(name=DEMO_TEAM, admin=admin)
        Membership.objects.get_or_create(team=team, user=member, defaults={"role": Role.MEMBER})
        keys = []
        if settings.SANDBOX_ENABLED:
            configured = set(ProviderKey.objects.for_team(team).active().values_list("provider", flat=True))
            for provider in Provider.values:
                if provider not in configured:
                    keys.append(connect_sandbox_key(team=team, actor=admin, provider=provider))
    return team, keys


def demo_lookc_sandbox_key():
    """The demo team's LookC sandbox key, if it has one: the sandbox keeps its accounts in memory, so on
    every start it must be told again where that key's webhook is."""
    team = demo_team()
    key = team and ProviderKey.objects.for_team(team).active().filter(provider=Provider.LOOKC).first()
    return key if settings.SANDBOX_ENABLED and key and key.is_sandbox else None


def set_up_sandbox_key(*, key):
    """Ready a sandbox key: register LookC's webhook with the sandbox, test the key and fetch its balances.
    Done by Quarry itself, so the call log and audit trail name no user."""
    register_sandbox_webhook(key)
    key = check_provider_key(key=key, user=None)
    if key.status == "valid":
        refresh_key_balances(key=key, user=None)
    return key


def sandbox_is_up():
    try:
        return requests.get(f"{settings.SANDBOX_URL}/_sandbox/health", timeout=2).ok
    except requests.RequestException:
        return False


def register_sandbox_webhook(key):
    """Point the sandbox's LookC account at this team's webhook URL, as an admin would in LookC's
    dashboard. Only LookC answers through a webhook; a failure only delays asynchronous answers."""
    if not (key.is_sandbox and key.provider == Provider.LOOKC):
        return False
    try:
        requests.post(
            f"{settings.SANDBOX_URL}/_sandbox/accounts",
            json={"provider": "lookc", "key": key.reveal_secret(), "webhook_url": lookc_webhook_url(key)},
            timeout=2,
        ).raise_for_status()
    except requests.RequestException:
        return False
    return True
