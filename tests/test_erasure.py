"""Erasure: an admin forgets a person entirely; only the cost of the calls and a suppression entry
for their identifiers remain."""

import json

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from prospecting.models import (
    ListEntry,
    Merge,
    Person,
    ProspectList,
    ProviderCall,
    SavedSearch,
    Suppression,
    WebhookEvent,
)
from prospecting.providers.facts import PersonFacts
from prospecting.services.erasure import erase_person
from prospecting.services.records import keep_people

EMAIL = "jane.doe@acme.example"
SECRET_PHONE = "+33612345678"
NEEDLES = [EMAIL, "jane-doe", "Jane Doe", SECRET_PHONE, "ACwAAAjanejanejanejanejanejane0"]
PROFILE = "https://www.linkedin.com/in/Jane-Doe/"


def _call(team, user, message=""):
    return ProviderCall.objects.create(
        team=team,
        user=user,
        provider="lusha",
        endpoint="person",
        method="GET",
        outcome="ok",
        message=message,
        request_id="req-jane",
        credits={"email": 1},
    )


@pytest.fixture
def jane(team_a, alice):
    """Jane, kept from three answers (two records merged into one), in a list, named in a webhook
    delivery, a saved search's last results and a provider's message; John beside her."""
    first = _call(team_a, alice)
    keep_people(
        team=team_a, user=alice, facts=[PersonFacts(full_name="Jane Doe", linkedin_url=PROFILE)], source="lix"
    )
    keep_people(
        team=team_a,
        user=alice,
        facts=[
            PersonFacts(full_name="Jane Doe", emails=((EMAIL, "valid"),), phones=((SECRET_PHONE, "mobile"),))
        ],
        source="lusha",
        call=first,
    )
    (person,) = keep_people(
        team=team_a,
        user=alice,
        facts=[
            PersonFacts(
                full_name="Jane Doe",
                linkedin_url="jane-doe",
                sales_nav_id=NEEDLES[-1],
                emails=((EMAIL, "valid"),),
                company_name="Acme",
                company_domain="acme.example",
            )
        ],
        source="lusha",
        call=_call(team_a, alice),
    )
    assert Merge.objects.filter(person=person).exists()
    keep_people(
        team=team_a,
        user=alice,
        facts=[PersonFacts(full_name="John Roe", linkedin_url="john-roe", company_domain="acme.example")],
        source="lix",
    )
    _call(team_a, alice, message=f"No phone found for {EMAIL}")
    prospects = ProspectList.objects.create(team=team_a, name="Q3", created_by=alice)
    ListEntry.objects.create(prospect_list=prospects, person=person, added_by=alice)
    body = json.dumps({"name": "Jane Doe", "email": EMAIL, "url": PROFILE}).encode()
    WebhookEvent.objects.create(team=team_a, provider="lookc", body=body, body_sha256="a" * 64)
    WebhookEvent.objects.create(
        team=team_a, provider="lookc", body=b'{"name": "John Roe"}', body_sha256="b" * 64
    )
    SavedSearch.objects.create(
        team=team_a,
        owner=alice,
        name="CEOs",
        provider="lix",
        kind="people",
        last_result_keys=["linkedin:jane-doe", "linkedin:john-roe"],
        previous_result_keys=["linkedin:jane-doe", "linkedin:ann-a"],
    )
    return person


def _traces(needle, *, skip=(Suppression,)):
    """Every (model, field) whose stored value contains `needle`, across every table of the project."""
    found = []
    for model in apps.get_models():
        if model in skip:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField, models.BinaryField))
        ]
        for row in model._base_manager.values_list(*[f.attname for f in fields]) if fields else []:
            for field, value in zip(fields, row, strict=True):
                text = (
                    bytes(value).decode(errors="replace")
                    if isinstance(value, (bytes, memoryview))
                    else str(value)
                )
                if needle.lower() in text.lower():
                    found.append(f"{model.__name__}.{field.name}")
    return found


def test_erasure_leaves_no_trace_but_the_cost(jane, team_a, alice):
    assert _traces(EMAIL) and _traces("Jane Doe")  # the scan sees them before
    calls = {call.pk: (call.credits, call.created_at) for call in ProviderCall.objects.all()}

    erase_person(person=jane, actor=alice, ip="10.0.0.1")

    for needle in NEEDLES:
        assert _traces(needle) == [], needle
    assert not Person.objects.filter(pk=jane.pk).exists()
    assert not ListEntry.objects.filter(person_id=jane.pk).exists()
    # The calls stay, with their cost and date; nothing a provider wrote in them.
    assert {call.pk: (call.credits, call.created_at) for call in ProviderCall.objects.all()} == calls
    assert not ProviderCall.objects.exclude(message="").exists()
    # John, his company and his delivery are untouched.
    john = Person.objects.get()
    assert john.full_name == "John Roe" and john.company.domain == "acme.example"
    assert bytes(WebhookEvent.objects.filter(body_sha256="b" * 64).get().body) == b'{"name": "John Roe"}'
    assert SavedSearch.objects.get().last_result_keys == ["linkedin:john-roe"]
    assert SavedSearch.objects.get().previous_result_keys == ["linkedin:ann-a"]


def test_erased_identifiers_are_suppressed_so_they_are_never_bought_again(jane, team_a, alice):
    erase_person(person=jane, actor=alice)
    assert set(Suppression.objects.for_team(team_a).values_list("kind", "value")) == {
        ("email", EMAIL),
        ("linkedin", "jane-doe"),
        ("linkedin", NEEDLES[-1]),
    }
    assert set(Suppression.objects.values_list("reason", flat=True)) == {"Erasure request"}
    (again,) = keep_people(team=team_a, user=alice, facts=[PersonFacts(linkedin_url=PROFILE)], source="lix")
    assert not Person.objects.for_team(team_a).contactable().filter(pk=again.pk).exists()


def test_erasure_is_audited_without_the_persons_data(jane, team_a, alice):
    erase_person(person=jane, actor=alice, ip="10.0.0.1")
    event = AuditEvent.objects.get(action=AuditAction.PERSON_ERASED)
    assert (event.team, event.actor, event.target) == (team_a, alice, f"person #{jane.pk}")
    assert event.details["suppressed"] == 3 and event.details["lists"] == 1
    assert not any(needle.lower() in json.dumps(event.details).lower() for needle in NEEDLES)


def test_an_admin_confirms_then_erases_from_the_page(jane, alice_client):
    url = reverse("person_erase", args=[jane.pk])
    page = alice_client.get(url)
    assert page.status_code == 200 and "Erase Jane Doe entirely?" in page.content.decode()
    unconfirmed = alice_client.post(url)
    assert unconfirmed.status_code == 302 and Person.objects.filter(pk=jane.pk).exists()
    erased = alice_client.post(url, {"confirm": "erase"})
    assert erased.status_code == 302 and erased.url == reverse("people")
    assert not Person.objects.filter(pk=jane.pk).exists()


def test_the_person_page_offers_erasure_to_admins_only(jane, alice_client, bob_client):
    url = reverse("person_erase", args=[jane.pk])
    assert url in alice_client.get(reverse("person_detail", args=[jane.pk])).content.decode()
    assert url not in bob_client.get(reverse("person_detail", args=[jane.pk])).content.decode()


def test_a_member_gets_403_and_nothing_is_erased(jane, bob_client):
    url = reverse("person_erase", args=[jane.pk])
    assert bob_client.get(url).status_code == 403
    assert bob_client.post(url, {"confirm": "erase"}).status_code == 403
    assert Person.objects.filter(pk=jane.pk).exists()


def test_another_teams_admin_gets_404_and_nothing_is_erased(jane, carol_client):
    url = reverse("person_erase", args=[jane.pk])
    assert carol_client.get(url).status_code == 404
    assert carol_client.post(url, {"confirm": "erase"}).status_code == 404
    assert Person.objects.filter(pk=jane.pk).exists()
