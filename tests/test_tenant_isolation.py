"""A member of one team gets 404 for every object of another team, whatever the method.

The route list is read from the URLconf: a new route taking an object id fails
`test_every_object_route_is_covered` until it gets a factory below.
"""

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import Invitation, Membership, Role, Team, TeamScopedQuerySet
from prospecting.models import Company, Person, SavedSearch, Suppression
from prospecting.services.keys import add_provider_key

# Routes whose parameters are not ids of team-owned objects, and why.
NOT_OBJECT_ROUTES = {
    "accounts:accept_invitation": "a bearer token, tested in test_accounts",
    "accounts:password_reset_confirm": "Django's signed reset token",
    "provider_key_add": "a provider name; the key is looked up in the session's team",
    "provider_key_sandbox": "a provider name; the key is created in the session's team",
    "lookc_webhook": "LookC's webhook: authenticated by the team's secret token, tested in test_webhooks",
}


def _invitation(team_b, carol):
    invitation = Invitation(team=team_b, email="dave@b.test", role=Role.MEMBER, invited_by=carol)
    invitation.set_new_token()
    invitation.save()
    return {"pk": invitation.pk}


def _key(team_b, carol):
    return {"pk": add_provider_key(team=team_b, actor=carol, provider="lix", secret="b-team-secret-0000").pk}


def _saved_search(team_b, carol):
    saved = SavedSearch.objects.create(
        team=team_b,
        owner=carol,
        name="B's search",
        provider="lusha",
        kind="contacts",
        query={"job_titles": "CTO"},
        shared=True,
    )
    return {"pk": saved.pk}


def _suppression(team_b, carol):
    return {"pk": Suppression.objects.create(team=team_b, kind="email", value="x@b.example").pk}


def _person(team_b, carol):
    return {"pk": Person.objects.create(team=team_b, full_name="Someone of B").pk}


def _membership(team_b, carol):
    return {"pk": Membership.objects.get(team=team_b, user=carol).pk}


def _list(team_b, carol):
    from prospecting.services.lists import create_list

    return {"pk": create_list(team=team_b, user=carol, name="Team B's list").pk}


def _push(team_b, carol):
    from prospecting.models import LeadiqPush

    prospect_list = _list(team_b, carol)["pk"]
    push = LeadiqPush.objects.create(team=team_b, prospect_list_id=prospect_list, started_by=carol)
    return {"pk": prospect_list, "push_pk": push.pk}


def _import_job(team_b, carol):
    from prospecting.models import ImportJob

    prospect_list = _list(team_b, carol)["pk"]
    job = ImportJob.objects.create(
        team=team_b, prospect_list_id=prospect_list, user=carol, headers=["Email"], total=1
    )
    return {"pk": prospect_list, "job_pk": job.pk}


def _spend_call(team_b, carol):
    from prospecting.models import ProviderCall

    call = ProviderCall.objects.create(
        team=team_b, user=carol, provider="lix", endpoint="search", method="GET", outcome="ok", hold="b-hold"
    )
    return {"pk": call.pk}


def _spend_entry(team_b, carol):
    from django.utils import timezone

    from prospecting.models import LedgerEntry

    entry = LedgerEntry.objects.create(
        team=team_b,
        user=carol,
        provider="lix",
        credit_type="lix_standard",
        kind="reserve",
        amount=1,
        hold="b-hold",
        idempotency_key="b-hold:reserve:lix_standard",
        created_at=timezone.now(),
    )
    return {"pk": entry.pk}


def _comparison(team_b, carol):
    from django.utils import timezone

    from prospecting.models import BalanceReading, CreditComparison

    key = add_provider_key(team=team_b, actor=carol, provider="lix", secret="b-team-secret-0000")
    now, common = (
        timezone.now(),
        {"team": team_b, "key": key, "provider": "lix", "credit_type": "lix_standard"},
    )
    previous, reading = (
        BalanceReading.objects.create(**common, measure="balance", figure=figure, asked_at=now, taken_at=now)
        for figure in (100, 90)
    )
    figures = {"provider_change": 10, "confirmed": 0, "unconfirmed": 0, "held": 0, "unexplained": 10}
    comparison = CreditComparison.objects.create(
        **common, previous=previous, reading=reading, verdict="flagged", **figures
    )
    return {"pk": comparison.pk}


# URL name -> builds an object of team B and returns the URL kwargs naming it.
OBJECT_ROUTES = {
    "accounts:team_switch": lambda team_b, carol: {"team_id": team_b.pk},
    "accounts:member_role": _membership,
    "accounts:member_remove": _membership,
    "budget_member": _membership,
    "accounts:invitation_detail": _invitation,
    "accounts:invitation_renew": _invitation,
    "accounts:invitation_revoke": _invitation,
    "provider_key_edit": _key,
    "provider_key_revoke": _key,
    "provider_key_test": _key,
    "suppression_remove": _suppression,
    "person_erase": _person,
    "person_detail": lambda team_b, carol: {"pk": Person.objects.create(team=team_b, full_name="Bea").pk},
    "company_detail": lambda team_b, carol: {"pk": Company.objects.create(team=team_b, name="B Corp").pk},
    "person_add_to_list": _person,
    "company_add_to_list": lambda team_b, carol: {"pk": Company.objects.create(team=team_b, name="B Co").pk},
    "saved_search_run": _saved_search,
    "saved_search_delete": _saved_search,
    "list_detail": _list,
    "list_suppressed": _list,
    "list_rename": _list,
    "list_delete": _list,
    "list_add": _list,
    "list_remove": _list,
    "list_export": _list,
    "list_export_override": _list,
    "list_import": _list,
    "list_import_map": _import_job,
    "list_import_progress": _import_job,
    "list_import_errors": _import_job,
    "list_push": _list,
    "list_push_result": _push,
    "spend_call": _spend_call,
    "spend_entry": _spend_entry,
    "reconciliation_adjust": _comparison,
}


def routes_with_parameters(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":  # Django's admin: staff only, not team-scoped
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes_with_parameters(pattern.url_patterns, inner)
        elif pattern.pattern.converters or pattern.pattern.regex.groups:
            yield f"{namespace}{pattern.name}"


def test_every_object_route_is_covered():
    routes = set(routes_with_parameters())
    assert routes - set(NOT_OBJECT_ROUTES) == set(OBJECT_ROUTES)


@pytest.mark.parametrize("name", sorted(OBJECT_ROUTES))
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_member_of_other_team_gets_404(name, method, htmx, alice_client, team_b, carol):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](team_b, carol))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = getattr(alice_client, method)(url, {"role": "member", "secret": "x" * 20}, **headers)
    assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
    # Nothing of team B changed.
    assert Membership.objects.get(team=team_b, user=carol).role == Role.ADMIN
    assert not Invitation.objects.filter(team=team_b, revoked_at__isnull=False).exists()
    assert all(saved.name == "B's search" for saved in SavedSearch.objects.filter(team=team_b))
    assert team_b.prospect_lists.get().name == "Team B's list" if name.startswith("list_") else True
    assert all(
        key.revoked_at is None and key.secret.reveal() == "b-team-secret-0000"
        for key in team_b.provider_keys.all()
    )


POST_ONLY_ROUTES = ["accounts:team_switch", "accounts:member_role", "accounts:invitation_renew"]
POST_ONLY_ROUTES += ["accounts:invitation_revoke", "provider_key_test", "saved_search_delete"]
POST_ONLY_ROUTES += ["budget_member"]


@pytest.mark.parametrize("name", POST_ONLY_ROUTES)
def test_own_object_routes_that_act_answer_405_to_a_get(name, carol_client, team_b, carol):
    url = reverse(name, kwargs=OBJECT_ROUTES[name](team_b, carol))
    assert carol_client.get(url).status_code == 405


def test_every_team_owned_model_is_queried_through_the_team_scoped_queryset():
    team_owned = [
        model
        for model in apps.get_models()
        if any(field.name == "team" and field.related_model is Team for field in model._meta.fields)
    ]
    assert {model.__name__ for model in team_owned} >= {"Membership", "ProviderKey", "ProviderCall"}
    for model in team_owned:
        assert isinstance(model.objects.all(), TeamScopedQuerySet), model.__name__
