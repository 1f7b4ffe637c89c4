"""Pushing a list to LeadIQ Prospector: the LeadIQ list is created (or reused), contactable people go
in batches of 100, each person's outcome is kept in words, suppressed people are held back, and a push
run twice never sends anyone twice.

Any member may push (not only admins): a push sends what any member may already export to CSV, to the
team's own LeadIQ account, at no cost in credits, and the do-not-contact list applies as to an export."""

import base64
import json
from unittest import mock

import pytest
import requests
import responses
from django.urls import reverse

from prospecting import tasks
from prospecting.models import LeadiqPush, ProviderCall, PushState, Suppression, SuppressionKind
from prospecting.providers.facts import PersonFacts
from prospecting.services.keys import connect_sandbox_key
from prospecting.services.lists import add_to_list, create_list
from prospecting.services.push import push_list_to_leadiq
from prospecting.services.records import keep_people
from tests.conftest import SECRET
from tests.sandbox.conftest import control, sandbox_urls

PROSPECTOR = "https://prospector.leadiq.com"
LIST_ID = "a1" * 12
LISTS_URL = f"{PROSPECTOR}/v1/lists"
PROSPECTS_URL = f"{PROSPECTOR}/v1/lists/{LIST_ID}/prospects"
BATCH_URL = f"{PROSPECTS_URL}/batch"


def person(index, **extra):
    return PersonFacts(
        full_name=f"Person {index}",
        first_name="Person",
        last_name=str(index),
        title="CTO",
        company_name="Acme",
        linkedin_url=f"https://www.linkedin.com/in/person-{index}",
        emails=((f"person{index}@acme.test", "valid"),),
        **extra,
    )


def list_of(team, user, facts, name="Q4 targets"):
    prospect_list = create_list(team=team, user=user, name=name)
    add_to_list(
        prospect_list=prospect_list,
        people=keep_people(team=team, user=user, facts=facts, source="lix"),
        user=user,
    )
    return prospect_list


def sent_batches(mocked):
    return [json.loads(call.request.body) for call in mocked.calls if call.request.url == BATCH_URL]


def all_added(request):
    return (
        200,
        {},
        json.dumps({"succeeded": [{"id": "b2" * 12} for _ in json.loads(request.body)], "failed": []}),
    )


def mock_prospector(mocked, *, already=(), batch=all_added):
    mocked.post(LISTS_URL, status=201, json={"id": LIST_ID, "name": "Q4 targets"})
    mocked.get(PROSPECTS_URL, json={"items": list(already), "nextCursor": None})
    mocked.add_callback(responses.POST, BATCH_URL, callback=batch)


@pytest.fixture
def leadiq_key(key_for):
    return key_for("leadiq")


@pytest.fixture
def tasks_run_inline():
    """The push task's `.delay` runs it in-process, after the view's transaction commits."""
    task = tasks.push_list_to_leadiq_task
    with mock.patch.object(task, "delay", side_effect=task) as delay:
        yield delay


def press_push(client, prospect_list, capture):
    with capture(execute=True):
        return client.post(reverse("list_push", args=[prospect_list.pk]))


def test_the_confirmation_page_says_what_the_push_does_and_that_it_costs_nothing(
    mocked, leadiq_key, bob_client, team_a, alice
):
    prospect_list = list_of(team_a, alice, [person(1), person(2), person(3)])
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="person3@acme.test")
    page = bob_client.get(reverse("list_push", args=[prospect_list.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "creates a LeadIQ list named “Q4 targets” and adds the 2 people of this list to it" in text
    assert "1 person is on the do-not-contact list and is not sent" in text
    assert "Cost: none" in text
    assert not mocked.calls and not LeadiqPush.objects.exists()  # looking is free and starts nothing


def test_a_member_pushes_a_list_the_list_is_created_and_people_go_in_batches_of_100(
    mocked, leadiq_key, bob_client, bob, team_a, alice, tasks_run_inline, django_capture_on_commit_callbacks
):
    prospect_list = list_of(team_a, alice, [person(index) for index in range(150)])
    mock_prospector(mocked)
    response = press_push(bob_client, prospect_list, django_capture_on_commit_callbacks)

    push = LeadiqPush.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("list_push_result", args=[prospect_list.pk, push.pk])
    created = json.loads(mocked.calls[0].request.body)
    assert created["name"] == "Q4 targets"
    # Prospector takes the base64-decoded key [S][E4].
    assert mocked.calls[0].request.headers["X-API-Key"] == SECRET
    assert [len(batch) for batch in sent_batches(mocked)] == [100, 50]
    first = sent_batches(mocked)[0][0]
    assert first["firstName"] == "Person" and first["workEmail"].endswith("@acme.test")
    assert first["emailStatus"] == "Verified" and first["linkedinUrl"].startswith(
        "https://www.linkedin.com/in/"
    )
    assert (push.state, push.added, push.started_by, push.leadiq_list_id) == (
        PushState.DONE,
        150,
        bob,
        LIST_ID,
    )
    # Every call went through call_provider: logged, at no cost.
    calls = ProviderCall.objects.filter(provider="leadiq").order_by("pk")
    assert all(not call.credits and not call.credits_unconfirmed for call in calls)
    assert list(calls.values_list("endpoint", flat=True)) == [
        "create_list",
        "list_prospects",
        "add_prospects",
        "add_prospects",
    ]
    page = bob_client.get(response["Location"]).content.decode()
    assert "150 added, 0 already in the LeadIQ list, 0 not added, of 150 people" in page


def test_a_partial_failure_is_reported_per_prospect_in_leadiqs_words(
    mocked, leadiq_key, alice_client, team_a, alice, tasks_run_inline, django_capture_on_commit_callbacks
):
    prospect_list = list_of(team_a, alice, [person(1), person(2), person(3)])

    def one_refused(request):
        batch = json.loads(request.body)
        refused = next(i for i, p in enumerate(batch) if p["lastName"] == "2")
        answer = {
            "succeeded": [{"id": "b2" * 12}] * 2,
            "failed": [{"index": refused, "reason": "workEmail must be a valid email"}],
        }
        return 200, {}, json.dumps(answer)

    mock_prospector(mocked, batch=one_refused)
    response = press_push(alice_client, prospect_list, django_capture_on_commit_callbacks)
    push = LeadiqPush.objects.get()
    assert push.added == 2
    assert [(f["name"], f["reason"]) for f in push.failures] == [
        ("Person 2", "LeadIQ refused it: workEmail must be a valid email")
    ]
    page = alice_client.get(response["Location"]).content.decode()
    assert "2 added, 0 already in the LeadIQ list, 1 not added" in page
    assert "Person 2" in page and "LeadIQ refused it: workEmail must be a valid email" in page


def test_a_person_leadiq_cannot_take_is_reported_without_sinking_the_batch(mocked, leadiq_key, team_a, alice):
    nameless = PersonFacts(full_name="", linkedin_url="https://www.linkedin.com/in/no-name")
    prospect_list = list_of(team_a, alice, [person(1), nameless])
    mock_prospector(mocked)
    push = push_list_to_leadiq(prospect_list=prospect_list, user=alice)
    assert [len(batch) for batch in sent_batches(mocked)] == [1]
    [failure] = push.failures
    assert failure["reason"] == "Quarry did not send it: A prospect needs firstName and lastName."
    assert push.added == 1 and push.state == PushState.DONE


def test_suppressed_people_are_held_back_and_the_results_say_so(
    mocked, leadiq_key, alice_client, team_a, alice, tasks_run_inline, django_capture_on_commit_callbacks
):
    prospect_list = list_of(team_a, alice, [person(1), person(2), person(3)])
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="person2@acme.test")
    Suppression.objects.create(team=team_a, kind=SuppressionKind.LINKEDIN, value="person-3")
    mock_prospector(mocked)
    response = press_push(alice_client, prospect_list, django_capture_on_commit_callbacks)
    [batch] = sent_batches(mocked)
    assert [p["lastName"] for p in batch] == ["1"]
    push = LeadiqPush.objects.get()
    assert (push.held_back, push.to_push, push.added) == (2, 1, 1)
    page = alice_client.get(response["Location"]).content.decode()
    assert "2 people were held back: on the do-not-contact list, never sent." in page


def test_a_second_push_reuses_the_leadiq_list_and_adds_only_who_is_not_there(
    mocked, leadiq_key, team_a, alice
):
    prospect_list = list_of(team_a, alice, [person(1), person(2)])
    mock_prospector(mocked)
    push_list_to_leadiq(prospect_list=prospect_list, user=alice)
    add_to_list(
        prospect_list=prospect_list,
        people=keep_people(team=team_a, user=alice, facts=[person(3)], source="lix"),
        user=alice,
    )
    mocked.replace(
        responses.GET,
        PROSPECTS_URL,
        json={"items": [p | {"id": "c3" * 12} for p in sent_batches(mocked)[0]], "nextCursor": None},
    )
    again = push_list_to_leadiq(prospect_list=prospect_list, user=alice)
    creates = [call for call in mocked.calls if call.request.url == LISTS_URL]
    assert len(creates) == 1  # the second push went to the same LeadIQ list
    assert [p["lastName"] for p in sent_batches(mocked)[1]] == ["3"]
    assert (again.leadiq_list_id, again.added, again.already) == (LIST_ID, 1, 2)


def test_a_redelivered_push_does_not_send_a_batch_twice(mocked, leadiq_key, team_a, alice):
    """A worker killed after LeadIQ took a batch, before Quarry wrote it down: the task comes back with
    the push still running. It reads the LeadIQ list first and finds them there."""
    prospect_list = list_of(team_a, alice, [person(1), person(2)])
    push = LeadiqPush.objects.create(
        team=team_a,
        prospect_list=prospect_list,
        started_by=alice,
        state=PushState.RUNNING,
        leadiq_list_id=LIST_ID,
        leadiq_list_name="Q4 targets",
    )
    there = [{"id": "c3" * 12, "linkedinUrl": f"https://www.linkedin.com/in/person-{i}/"} for i in (1, 2)]
    mock_prospector(mocked, already=there)
    tasks.push_list_to_leadiq_task(push.pk)
    push.refresh_from_db()
    assert sent_batches(mocked) == [] and not [c for c in mocked.calls if c.request.url == LISTS_URL]
    assert (push.state, push.already, push.added) == (PushState.DONE, 2, 0)
    tasks.push_list_to_leadiq_task(push.pk)  # delivered once more, after it finished: nothing happens
    assert len(mocked.calls) == 1


def test_a_batch_whose_outcome_is_unknown_is_not_repeated_and_says_so(mocked, leadiq_key, team_a, alice):
    prospect_list = list_of(team_a, alice, [person(1)])
    mock_prospector(
        mocked, batch=lambda request: (500, {}, json.dumps({"code": "internal", "message": "Oops"}))
    )
    push = push_list_to_leadiq(prospect_list=prospect_list, user=alice)
    assert len(sent_batches(mocked)) == 1
    [failure] = push.failures
    assert failure["reason"].startswith("LeadIQ may or may not have added them")
    assert "people already in the LeadIQ list are not sent twice" in failure["reason"]


def test_a_list_name_leadiq_already_has_stops_the_push_in_words(mocked, leadiq_key, team_a, alice):
    prospect_list = list_of(team_a, alice, [person(1)])
    mocked.post(
        LISTS_URL,
        status=409,
        json={"code": "list_name_exists", "message": "A list with this name already exists"},
    )
    push = push_list_to_leadiq(prospect_list=prospect_list, user=alice)
    assert push.state == PushState.FAILED
    assert "LeadIQ already has a list named “Q4 targets” that no push of this list made" in push.message
    assert "Rename this list in Quarry, or that one in LeadIQ, and push again." in push.message
    assert sent_batches(mocked) == []


def test_the_results_page_polls_while_the_push_runs_and_refreshes_without_javascript(
    alice_client, team_a, alice
):
    prospect_list = list_of(team_a, alice, [person(1)])
    push = LeadiqPush.objects.create(team=team_a, prospect_list=prospect_list, started_by=alice)
    url = reverse("list_push_result", args=[prospect_list.pk, push.pk])
    page = alice_client.get(url).content.decode()
    assert (
        f'hx-get="{url}"' in page and '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    )
    part = alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<div id="push-live"')
    push.state = PushState.DONE
    push.save()
    assert "hx-get" not in alice_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "noscript" not in alice_client.get(url).content.decode()


def test_the_list_page_offers_the_push_only_with_a_leadiq_key(key_for, alice_client, team_a, alice):
    prospect_list = list_of(team_a, alice, [person(1)])
    url = reverse("list_detail", args=[prospect_list.pk])
    assert "Push to LeadIQ" not in alice_client.get(url).content.decode()
    assert alice_client.post(reverse("list_push", args=[prospect_list.pk])).status_code == 400
    assert (
        "This team has no LeadIQ key yet"
        in alice_client.get(reverse("list_push", args=[prospect_list.pk])).content.decode()
    )
    assert not LeadiqPush.objects.exists()
    key_for("leadiq")
    assert reverse("list_push", args=[prospect_list.pk]) in alice_client.get(url).content.decode()


def test_another_teams_list_and_push_answer_404(leadiq_key, alice_client, team_b, carol, team_a, alice):
    theirs = list_of(team_b, carol, [person(1)])
    push = LeadiqPush.objects.create(team=team_b, prospect_list=theirs, started_by=carol)
    ours = list_of(team_a, alice, [person(2)], name="Ours")
    assert alice_client.get(reverse("list_push", args=[theirs.pk])).status_code == 404
    assert alice_client.post(reverse("list_push", args=[theirs.pk])).status_code == 404
    assert alice_client.get(reverse("list_push_result", args=[theirs.pk, push.pk])).status_code == 404
    # Their push under our list's id is not found either.
    assert alice_client.get(reverse("list_push_result", args=[ours.pk, push.pk])).status_code == 404
    assert LeadiqPush.objects.count() == 1


def test_pushing_again_while_a_push_runs_follows_the_running_one(
    leadiq_key, alice_client, team_a, alice, django_capture_on_commit_callbacks
):
    prospect_list = list_of(team_a, alice, [person(1)])
    running = LeadiqPush.objects.create(
        team=team_a, prospect_list=prospect_list, started_by=alice, state=PushState.RUNNING
    )
    response = press_push(alice_client, prospect_list, django_capture_on_commit_callbacks)
    assert response["Location"] == reverse("list_push_result", args=[prospect_list.pk, running.pk])
    assert LeadiqPush.objects.count() == 1


def test_a_push_against_the_sandbox_end_to_end(
    sandbox, settings, team_a, alice, bob_client, tasks_run_inline, django_capture_on_commit_callbacks
):
    server = sandbox()
    settings.SANDBOX_URL = server.url
    settings.SANDBOX_PROVIDER_URLS = sandbox_urls(server)
    key = connect_sandbox_key(team=team_a, actor=alice, provider="leadiq")
    key.options = {**key.options, "rate_limits": [[1000, 1]]}
    key.save()
    control(server, "limits", {"provider": "leadiq", "windows": [[1000, 1]]})
    mail_only = PersonFacts(
        full_name="Odd Mail", first_name="Odd", last_name="Mail", emails=(("odd@mail.test", "probable"),)
    )
    prospect_list = list_of(team_a, alice, [person(1), person(2), mail_only])
    Suppression.objects.create(team=team_a, kind=SuppressionKind.EMAIL, value="person2@acme.test")

    response = press_push(bob_client, prospect_list, django_capture_on_commit_callbacks)
    push = LeadiqPush.objects.get()
    assert push.state == PushState.DONE, push.message
    assert (push.added, push.held_back) == (2, 1)
    # The sandbox holds them in the list it made.
    client_key = base64.b64decode(key.reveal_secret()).decode()
    listed = requests.get(
        f"{settings.SANDBOX_PROVIDER_URLS['LEADIQ_PROSPECTOR_URL']}/v1/lists/{push.leadiq_list_id}/prospects",
        headers={"X-API-Key": client_key},
        timeout=5,
    ).json()["items"]
    assert sorted(p["lastName"] for p in listed) == ["1", "Mail"]
    # Pushing again sends nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post(reverse("list_push", args=[prospect_list.pk]))
    again = LeadiqPush.objects.first()
    assert (again.pk != push.pk, again.already, again.added) == (True, 2, 0)
    assert "2 added" in bob_client.get(response["Location"]).content.decode()
