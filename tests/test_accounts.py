"""Accounts: invitations and sign-up, team switching, roles, removal, lockout, login and the audit trail."""

from datetime import timedelta
from unittest import mock
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services, tasks
from accounts.audit import record_event
from accounts.middleware import SESSION_KEY
from accounts.models import AuditAction, AuditEvent, Invitation, Membership, Role, User
from tests.conftest import PASSWORD, logged_in, make_user

NEW_PASSWORD = "a much longer secret phrase"


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def task_runs_inline():
    """`.delay` of the invitation email task runs the task in-process instead of enqueuing it."""
    task = tasks.send_invitation_email
    with mock.patch.object(task, "delay", side_effect=task) as delay:
        yield delay


def invite(client, email="new@a.test", role=Role.MEMBER):
    return client.post(reverse("accounts:invite"), {"email": email, "role": role})


def link_in_last_email():
    line = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/accept/" in line)
    return urlparse(line.strip()).path


def make_invitation(team, inviter, email="new@a.test", role=Role.MEMBER):
    invitation = services.invite_member(
        team=team, inviter=inviter, email=email, role=role, base_url="http://testserver/"
    )
    return invitation, invitation.path()


def sign_up(client, path, name="New Person"):
    return client.post(path, {"name": name, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def message_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def membership(user, team):
    return Membership.objects.get(user=user, team=team)


# --- Invitations and sign-up --------------------------------------------------------------------


def test_invited_person_signs_up_through_emailed_link_and_joins_team(
    alice_client, team_a, task_runs_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(alice_client, "New@A.test", Role.ADMIN)

    invitation = Invitation.objects.get(team=team_a, email="new@a.test")
    assert response.status_code == 302
    assert response.url == reverse("accounts:invitation_detail", args=[invitation.pk])
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT, team=team_a, target="new@a.test")
    task_runs_inline.assert_called_once_with(invitation.pk, "http://testserver/")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@a.test"]
    path = link_in_last_email()
    assert path == invitation.path()
    invitation.refresh_from_db()
    assert invitation.emailed_at is not None

    visitor = Client()
    assert visitor.get(path).status_code == 200
    response = sign_up(visitor, path)

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(email="new@a.test")
    assert user.name == "New Person"
    assert user.check_password(NEW_PASSWORD)
    assert membership(user, team_a).role == Role.ADMIN
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    home = visitor.get(reverse("home"))
    assert home.status_code == 200
    assert home.wsgi_request.user == user


def test_invitation_email_is_plain_text_without_html_escapes(
    alice_client, alice, team_a, task_runs_inline, django_capture_on_commit_callbacks
):
    team_a.name = "R&D"
    team_a.save()
    alice.name = "Alice O'Neil"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice_client)

    body = mail.outbox[0].body
    assert "Alice O'Neil invited you to join R&D on Quarry" in body
    assert "&amp;" not in body and "&#x27;" not in body


def test_inviting_an_existing_member_is_refused(alice_client, bob, team_a):
    response = invite(alice_client, "bob@a.test")

    assert response.status_code == 400
    assert not Invitation.objects.filter(email="bob@a.test").exists()


def test_member_cannot_invite(bob_client, team_a):
    response = invite(bob_client)

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_expired_invitation_link_is_refused(alice, team_a):
    invitation, path = make_invitation(team_a, alice)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    visitor = Client()

    assert visitor.get(path).status_code == 410
    assert sign_up(visitor, path).status_code == 410
    assert not User.objects.filter(email="new@a.test").exists()
    assert Membership.objects.filter(team=team_a).count() == 1


def test_accepted_invitation_link_cannot_be_reused(alice, team_a):
    invitation, path = make_invitation(team_a, alice)
    assert sign_up(Client(), path).status_code == 302

    visitor = Client()
    assert visitor.get(path).status_code == 410
    assert sign_up(visitor, path, name="Someone Else").status_code == 410
    assert User.objects.get(email="new@a.test").name == "New Person"


def test_revoked_invitation_link_is_refused(alice_client, alice, team_a):
    invitation, path = make_invitation(team_a, alice)

    response = alice_client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED, target="new@a.test").exists()
    assert sign_up(Client(), path).status_code == 410
    assert not User.objects.filter(email="new@a.test").exists()


def test_renewed_invitation_kills_old_link_and_emails_working_new_one(
    alice_client, alice, team_a, task_runs_inline, django_capture_on_commit_callbacks
):
    invitation, old_path = make_invitation(team_a, alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("accounts:invitation_renew", args=[invitation.pk]))

    assert response.status_code == 302
    task_runs_inline.assert_called_once_with(invitation.pk, "http://testserver/")
    assert len(mail.outbox) == 1
    new_path = link_in_last_email()
    assert new_path != old_path
    assert Client().get(old_path).status_code == 410
    assert sign_up(Client(), new_path).status_code == 302
    assert membership(User.objects.get(email="new@a.test"), team_a).role == Role.MEMBER


def test_user_without_team_joins_through_invitation(alice, team_a):
    dave = make_user("dave@x.test")
    _, path = make_invitation(team_a, alice, email="dave@x.test")
    client = logged_in(dave)

    assert client.get(path).status_code == 200
    response = client.post(path)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert membership(dave, team_a).role == Role.MEMBER
    assert client.get(reverse("home")).context["current_team"] == team_a


def test_member_of_other_team_joins_and_lands_in_new_team(alice, carol, carol_client, team_a, team_b):
    _, path = make_invitation(team_a, alice, email="carol@b.test")

    response = carol_client.post(path)

    assert response.status_code == 302
    assert membership(carol, team_a).role == Role.MEMBER
    assert membership(carol, team_b).role == Role.ADMIN
    assert carol_client.session[SESSION_KEY] == team_a.pk


def test_signed_in_user_with_other_email_cannot_accept(alice, team_a):
    dave = make_user("dave@x.test")
    invitation, path = make_invitation(team_a, alice)
    client = logged_in(dave)

    response = client.post(path)

    assert response.status_code == 400
    assert not Membership.objects.filter(user=dave).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert any("new@a.test" in text for text in message_texts(response))


@pytest.mark.parametrize("used", ["expired", "accepted", "revoked"])
def test_accepting_a_dead_invitation_in_the_service_is_refused(alice, team_a, used):
    # The view checks first, but the service re-checks under a row lock for concurrent requests.
    dave = make_user("dave@x.test")
    invitation, _ = make_invitation(team_a, alice, email="dave@x.test")
    field = {"expired": "expires_at", "accepted": "accepted_at", "revoked": "revoked_at"}[used]
    Invitation.objects.filter(pk=invitation.pk).update(**{field: timezone.now() - timedelta(seconds=1)})

    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=dave)

    assert not Membership.objects.filter(user=dave).exists()


# --- Team switching -----------------------------------------------------------------------------


def test_user_in_two_teams_switches_team(alice, alice_client, team_a, team_b):
    Membership.objects.create(user=alice, team=team_b, role=Role.MEMBER)
    assert "<h1>Team A</h1>" in alice_client.get(reverse("home")).text

    response = alice_client.post(reverse("accounts:team_switch", args=[team_b.pk]))

    assert response.status_code == 302
    assert alice_client.session[SESSION_KEY] == team_b.pk
    assert "<h1>Team B</h1>" in alice_client.get(reverse("home")).text


def test_switching_to_team_user_is_not_in_gives_404(bob_client, carol, team_a, team_b):
    bob_client.get(reverse("home"))

    response = bob_client.post(reverse("accounts:team_switch", args=[team_b.pk]))

    assert response.status_code == 404
    assert bob_client.session[SESSION_KEY] == team_a.pk
    assert "<h1>Team A</h1>" in bob_client.get(reverse("home")).text


# --- Roles and removal --------------------------------------------------------------------------


def change_role(client, member, role, **extra):
    pk = Membership.objects.get(user=member).pk
    return client.post(reverse("accounts:member_role", args=[pk]), {"role": role}, **extra)


def test_admin_makes_member_admin(alice_client, bob, team_a):
    response = change_role(alice_client, bob, Role.ADMIN)

    assert response.status_code == 302
    assert response.url == reverse("accounts:members")
    assert membership(bob, team_a).role == Role.ADMIN
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGED)
    assert (event.team, event.target) == (team_a, "bob@a.test")
    assert event.details == {"from": "member", "to": "admin"}


def test_member_cannot_change_roles(alice, bob_client, bob, team_a):
    response = change_role(bob_client, bob, Role.ADMIN)

    assert response.status_code == 403
    assert membership(bob, team_a).role == Role.MEMBER
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED).exists()


def test_role_change_over_htmx_returns_member_table_fragment(alice_client, bob, team_a):
    response = change_role(alice_client, bob, Role.ADMIN, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="member-table"' in response.text
    assert "<html" not in response.text
    assert "bob@a.test" in response.text
    assert membership(bob, team_a).role == Role.ADMIN


def test_admin_of_other_team_cannot_change_roles_in_team_a(carol_client, bob, team_a):
    response = change_role(carol_client, bob, Role.ADMIN)

    assert response.status_code == 404
    assert membership(bob, team_a).role == Role.MEMBER


def test_sole_admin_cannot_demote_herself(alice_client, alice, bob, team_a):
    response = change_role(alice_client, alice, Role.MEMBER)

    assert response.status_code == 302
    assert membership(alice, team_a).role == Role.ADMIN
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED).exists()
    assert any("at least one admin" in text for text in message_texts(response))


def test_sole_admin_cannot_be_removed(alice_client, alice, bob, team_a):
    pk = membership(alice, team_a).pk

    response = alice_client.post(reverse("accounts:member_remove", args=[pk]), follow=True)

    assert response.status_code == 200
    assert Membership.objects.filter(pk=pk, role=Role.ADMIN).exists()
    assert "at least one admin" in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.MEMBER_REMOVED).exists()


def test_admin_can_step_down_once_another_admin_exists(alice_client, alice, bob, team_a):
    change_role(alice_client, bob, Role.ADMIN)

    response = change_role(alice_client, alice, Role.MEMBER)

    assert response.status_code == 302
    assert membership(alice, team_a).role == Role.MEMBER
    assert membership(bob, team_a).role == Role.ADMIN
    assert alice_client.get(reverse("accounts:audit_log")).status_code == 403


def test_admin_removes_member_after_confirmation(alice_client, bob, team_a):
    url = reverse("accounts:member_remove", args=[membership(bob, team_a).pk])

    confirm = alice_client.get(url)

    assert confirm.status_code == 200
    assert "Remove Bob from Team A?" in confirm.text
    assert Membership.objects.filter(user=bob, team=team_a).exists()

    response = alice_client.post(url)

    assert response.status_code == 302
    assert response.url == reverse("accounts:members")
    assert not Membership.objects.filter(user=bob, team=team_a).exists()
    event = AuditEvent.objects.get(action=AuditAction.MEMBER_REMOVED)
    assert (event.team, event.target, event.details) == (team_a, "bob@a.test", {"role": "member"})


def test_member_cannot_remove_others(alice, bob_client, team_a):
    url = reverse("accounts:member_remove", args=[membership(alice, team_a).pk])

    assert bob_client.post(url).status_code == 403
    assert Membership.objects.filter(user=alice, team=team_a).exists()


# --- Login, lockout, logout ---------------------------------------------------------------------


def log_in(email, password, ip, client=None):
    client = client or Client()
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_repeated_wrong_passwords_lock_that_email_from_that_ip_only(alice, bob):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert log_in("alice@a.test", "wrong password", "10.0.0.1").status_code == 200
    assert log_in("alice@a.test", "wrong password", "10.0.0.1").status_code == 429

    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, target="alice@a.test")
    assert failed.count() == limit
    assert set(failed.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    assert set(failed.values_list("actor", flat=True)) == {alice.pk}

    locked = log_in("alice@a.test", PASSWORD, "10.0.0.1")
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated

    elsewhere = log_in("alice@a.test", PASSWORD, "10.0.0.2")
    assert elsewhere.status_code == 302
    assert elsewhere.url == reverse("home")
    assert elsewhere.wsgi_request.user == alice

    colleague = log_in("bob@a.test", PASSWORD, "10.0.0.1")
    assert colleague.status_code == 302
    assert colleague.wsgi_request.user == bob

    assert log_in("alice@a.test", PASSWORD, "10.0.0.1").status_code == 429


def test_lockout_counts_case_variants_of_email_together(alice):
    variants = ["ALICE@a.test", "Alice@A.test", "alice@A.TEST", "aLiCe@a.test", "alicE@a.test"]
    for email in (variants * settings.AXES_FAILURE_LIMIT)[: settings.AXES_FAILURE_LIMIT]:
        log_in(email, "wrong password", "10.0.0.1")

    assert log_in("alice@a.test", PASSWORD, "10.0.0.1").status_code == 429


def test_login_with_mixed_case_email_works_and_is_audited(alice):
    client = Client()

    response = log_in("  ALICE@A.Test ", PASSWORD, "10.0.0.3", client)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (event.actor, event.ip_address) == (alice, "10.0.0.3")


def test_login_redirects_only_to_local_next(alice):
    response = Client().post(
        reverse("accounts:login") + "?next=https://evil.test/",
        {"username": "alice@a.test", "password": PASSWORD, "next": "https://evil.test/"},
    )

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_keeps_next_after_a_failed_attempt(alice):
    client = Client()
    members = reverse("accounts:members")
    hidden = f'<input type="hidden" name="next" value="{members}">'
    assert hidden in client.get(reverse("accounts:login") + f"?next={members}").content.decode()

    # The form posts to the bare login URL: after a failure, `next` only lives on in the hidden field.
    failed = client.post(
        reverse("accounts:login"), {"username": "alice@a.test", "password": "wrong password", "next": members}
    )
    assert failed.status_code == 200
    assert hidden in failed.content.decode()

    response = client.post(
        reverse("accounts:login"), {"username": "alice@a.test", "password": PASSWORD, "next": members}
    )
    assert response.status_code == 302
    assert response.url == members


def test_views_receiving_passwords_keep_them_out_of_error_reports(alice, alice_client, team_a):
    _, accept_path = make_invitation(team_a, alice)
    posts = [
        (Client(), reverse("accounts:login"), {"username": "alice@a.test", "password": "wrong password"}),
        (alice_client, reverse("accounts:password_change"), {"old_password": "wrong password"}),
        (Client(), accept_path, {"name": "New", "password1": NEW_PASSWORD, "password2": "different"}),
    ]
    for client, url, data in posts:
        response = client.post(url, data)
        # Django's error reports replace every POST value of such a request with stars.
        assert response.wsgi_request.sensitive_post_parameters == "__ALL__", url


def test_logout_requires_post(alice_client, alice):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    assert alice_client.get(reverse("home")).status_code == 200

    response = alice_client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=alice).exists()
    assert alice_client.get(reverse("home")).status_code == 302


# --- Audit trail --------------------------------------------------------------------------------


@pytest.fixture
def events(alice, bob, carol, team_a, team_b):
    record_event(action=AuditAction.INVITATION_SENT, actor=alice, team=team_a, target="pat@a.test")
    record_event(action=AuditAction.LOGIN, actor=bob, ip="10.9.9.9")
    record_event(action=AuditAction.INVITATION_SENT, actor=carol, team=team_b, target="quinn@b.test")


def test_admin_sees_her_teams_events_and_members_logins(alice_client, events):
    response = alice_client.get(reverse("accounts:audit_log"))

    assert response.status_code == 200
    assert "pat@a.test" in response.text
    assert "10.9.9.9" in response.text
    assert "quinn@b.test" not in response.text


def test_member_cannot_see_audit_trail(bob_client, events):
    response = bob_client.get(reverse("accounts:audit_log"))

    assert response.status_code == 403
    assert "pat@a.test" not in response.text


def test_admin_of_other_team_does_not_see_team_a_events(carol_client, events):
    response = carol_client.get(reverse("accounts:audit_log"))

    assert response.status_code == 200
    assert "quinn@b.test" in response.text
    assert "pat@a.test" not in response.text
    assert "10.9.9.9" not in response.text


def test_password_reset_by_email_link_sets_a_new_password(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "ALICE@a.test"})
    assert response.status_code == 302 and len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    form_page = client.get(urlparse(link.strip()).path, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_change_keeps_the_session_and_is_audited(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert alice_client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED, actor=alice).exists()


# --- Bad input gets a clear message and changes nothing -------------------------------------------

CONTROL_CHARACTERS = ["\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\x7f", "\x85", "\u2028", "\u202e"]
# 60 + 1 + 244 + 4 = 309 characters: a valid address for Django's form field (320), too long for the column.
LONG_EMAIL = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "test"
CONTROL_MESSAGE = "Remove the control characters"


def test_login_with_a_nul_byte_in_the_email_is_refused_and_recorded_readably(db):
    # PostgreSQL refuses NUL in any query: looking the raw address up answered 500 (no account needed).
    response = Client().post(reverse("accounts:login"), {"username": "alice\x00@a.test", "password": "x"})

    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.text
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    readable = "alice\ufffd@a.test"
    assert (event.target, event.actor_email, event.actor) == (readable, readable, None)


def test_login_with_an_overlong_email_is_refused(db):
    response = Client().post(reverse("accounts:login"), {"username": LONG_EMAIL, "password": "x"})

    assert response.status_code == 200
    assert "at most 254 characters" in response.text
    assert len(AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).actor_email) <= 254


def test_an_invitation_email_longer_than_the_column_is_refused(alice_client, team_a):
    response = invite(alice_client, LONG_EMAIL)

    assert response.status_code == 400
    assert "at most 254 characters" in response.text
    assert not Invitation.objects.exists()


def test_an_invitation_email_with_control_characters_in_its_quoted_part_is_refused(alice_client):
    # Django's email validator accepts a quoted local part, control characters included.
    response = invite(alice_client, '"ada\x07lovelace"@a.test')

    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.text
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("control", CONTROL_CHARACTERS)
def test_a_team_name_with_control_characters_is_refused(alice_client, alice, control):
    response = alice_client.post(reverse("accounts:team_create"), {"name": f"Sales{control}team"})

    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.text
    assert list(alice.memberships.values_list("team__name", flat=True)) == ["Team A"]


def test_a_team_name_in_another_script_or_with_emoji_is_kept(alice_client, alice):
    # Zero-width joiners build emoji: they are format characters, not controls.
    name = "Équipe Ventes 東京 👩‍💻"
    response = alice_client.post(reverse("accounts:team_create"), {"name": name})

    assert response.status_code == 302
    assert alice.memberships.filter(team__name=name).exists()


def test_a_sign_up_name_with_control_characters_is_refused(alice, team_a):
    _, path = make_invitation(team_a, alice)

    response = sign_up(Client(), path, name="New\x1b[2JPerson")

    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.text
    assert not User.objects.filter(email="new@a.test").exists()


@pytest.mark.parametrize("email", ["alice\x00@a.test", '"alice\x07"@a.test', LONG_EMAIL])
def test_password_reset_refuses_a_malformed_email_and_sends_nothing(client, alice, email):
    response = client.post(reverse("accounts:password_reset"), {"email": email})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not mail.outbox


def test_an_unknown_role_is_refused_with_a_message_and_changes_nothing(alice_client, bob, team_a):
    response = change_role(alice_client, bob, "owner")

    assert response.status_code == 302
    assert message_texts(response) == ["The role of Bob was not changed. Choose a role: Admin or Member."]
    assert membership(bob, team_a).role == Role.MEMBER
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED).exists()


def test_an_unknown_role_over_htmx_shows_the_message_in_the_member_table(alice_client, bob, team_a):
    response = change_role(alice_client, bob, "", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert 'id="member-table"' in response.text
    assert "The role of Bob was not changed. Choose a role." in response.text
    assert membership(bob, team_a).role == Role.MEMBER


def test_an_invitation_with_an_unknown_role_is_refused_with_a_message(alice_client, alice, team_a):
    response = invite(alice_client, "new@a.test", "owner")

    assert response.status_code == 400
    assert "Choose a role: Admin or Member." in response.text
    assert not Invitation.objects.exists()
    with pytest.raises(ValidationError, match="Choose a role"):
        services.invite_member(
            team=team_a, inviter=alice, email="new@a.test", role="owner", base_url="http://testserver/"
        )
    assert not Invitation.objects.exists()


# --- Lockout and password reset -------------------------------------------------------------------


def reset_by_email_link(client, email, password=NEW_PASSWORD, **extra):
    client.post(reverse("accounts:password_reset"), {"email": email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password/reset/" in line)
    form_page = client.get(urlparse(link.strip()).path, follow=True)
    return client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}, **extra
    )


def lock(email, ip):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(email, "wrong password", ip)
    assert log_in(email, PASSWORD, ip).status_code == 429


def test_a_completed_password_reset_lifts_the_accounts_lockout_from_every_address(alice, bob):
    lock("alice@a.test", "10.0.0.1")
    lock("alice@a.test", "10.0.0.2")
    lock("bob@a.test", "10.0.0.1")

    done = reset_by_email_link(Client(), "alice@a.test", REMOTE_ADDR="10.0.0.9")

    assert done.status_code == 302
    assert log_in("alice@a.test", NEW_PASSWORD, "10.0.0.1").status_code == 302
    assert log_in("alice@a.test", NEW_PASSWORD, "10.0.0.2").status_code == 302
    # Only that account: Bob's lockout from the same address stays.
    assert log_in("bob@a.test", PASSWORD, "10.0.0.1").status_code == 429


def test_a_password_reset_is_in_the_audit_trail(alice):
    reset_by_email_link(Client(), "alice@a.test", REMOTE_ADDR="10.0.0.9")

    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert (event.actor, event.ip_address, event.team) == (alice, "10.0.0.9", None)
    # The reset logged her other sessions out; a new one sees it in her team's trail.
    trail = logged_in(User.objects.get(pk=alice.pk)).get(reverse("accounts:audit_log")).text
    assert "Reset password by email" in trail


LOCK_WARNING = "One attempt left before a 15-minute lock"


@pytest.mark.parametrize("email", ["alice@a.test", "nobody@a.test"])
def test_login_warns_before_the_attempt_that_would_lock(alice, email, settings):
    # The same for an email without an account, so the warning tells nothing about who has one.
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        response = log_in(email, "wrong password", "10.0.0.1")
        assert LOCK_WARNING not in response.text

    response = log_in(email, "wrong password", "10.0.0.1")

    assert response.status_code == 200
    assert LOCK_WARNING in response.text
    assert reverse("accounts:password_reset") in response.text
    assert LOCK_WARNING not in log_in(email, "wrong password", "10.0.0.2").text
    assert log_in(email, "wrong password", "10.0.0.1").status_code == 429


def test_the_lockout_page_says_how_long_and_links_back_to_the_login_page(alice, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = log_in("alice@a.test", "wrong password", "10.0.0.1")

    assert response.status_code == 429
    assert "paused for 15 minutes after repeated wrong passwords" in response.text
    assert f'href="{reverse("accounts:login")}"' in response.text
    assert f'href="{reverse("accounts:password_reset")}"' in response.text


# --- What a team's audit trail holds, and its filters ----------------------------------------------


def trail(client, **params):
    return client.get(reverse("accounts:audit_log"), params)


def test_a_new_teams_trail_starts_with_its_creation(db):
    dave = make_user("dave@d.test", "Dave")
    client = Client()
    assert log_in("dave@d.test", PASSWORD, "10.0.0.7", client).status_code == 302
    record_event(action=AuditAction.PASSWORD_CHANGED, actor=dave, ip="10.0.0.8")

    client.post(reverse("accounts:team_create"), {"name": "Dave's team"})
    response = trail(client)

    assert response.status_code == 200
    assert [e.action for e in response.context["page"]] == [AuditAction.TEAM_CREATED]
    assert "10.0.0.7" not in response.text and "10.0.0.8" not in response.text


def test_a_members_account_events_show_from_when_they_joined(alice, alice_client, carol, team_a):
    record_event(action=AuditAction.LOGIN, actor=carol, ip="10.0.0.1")
    invitation, path = make_invitation(team_a, alice, email="carol@b.test")
    services.accept_invitation(invitation=invitation, user=carol)
    record_event(action=AuditAction.LOGIN, actor=carol, ip="10.0.0.2")

    response = trail(alice_client, person="carol@b.test")

    assert "10.0.0.2" in response.text
    assert "10.0.0.1" not in response.text


@pytest.fixture
def busy_trail(alice, bob, team_a):
    record_event(action=AuditAction.LOGIN, actor=alice, ip="10.0.0.1")
    record_event(action=AuditAction.LOGIN, actor=bob, ip="10.0.0.2")
    services.change_role(membership=membership(bob, team_a), role=Role.ADMIN, actor=alice)
    record_event(action=AuditAction.INVITATION_SENT, actor=alice, team=team_a, target="pat@a.test")


def test_the_audit_trail_filters_by_action(alice_client, busy_trail):
    response = trail(alice_client, action="login")

    assert {e.action for e in response.context["page"]} == {AuditAction.LOGIN}
    assert {e.ip_address for e in response.context["page"]} == {"10.0.0.1", "10.0.0.2"}


def test_the_audit_trail_filters_by_person_who_acted_or_was_acted_on(alice_client, busy_trail):
    response = trail(alice_client, person="bob@a.test")

    actions = [(e.action, e.actor_email) for e in response.context["page"]]
    assert actions == [(AuditAction.ROLE_CHANGED, "alice@a.test"), (AuditAction.LOGIN, "bob@a.test")]
    assert '<option value="bob@a.test" selected>' in response.text


def test_the_audit_trail_combines_filters_and_says_when_nothing_matches(alice_client, busy_trail):
    response = trail(alice_client, action="role_changed", person="bob@a.test")
    assert len(response.context["page"].object_list) == 1

    empty = trail(alice_client, action="logout", person="bob@a.test")

    assert not empty.context["page"].object_list
    assert "No events match these filters" in empty.text
    assert f'href="{reverse("accounts:audit_log")}"' in empty.text


def test_an_unknown_filter_value_says_so_and_filters_nothing(alice_client, busy_trail):
    response = trail(alice_client, action="drop_table", person="mallory@evil.test")

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert len(response.context["page"].object_list) == 4


def test_the_audit_trails_pages_keep_the_filters(alice, alice_client, team_a):
    for number in range(55):
        record_event(action=AuditAction.INVITATION_SENT, actor=alice, team=team_a, target=f"p{number}@a.test")

    response = trail(alice_client, action="invitation_sent", person="alice@a.test")
    assert 'href="?action=invitation_sent&amp;person=alice%40a.test&amp;page=2"' in response.text

    second = trail(alice_client, action="invitation_sent", person="alice@a.test", page=2)
    assert len(second.context["page"].object_list) == 5
    assert 'href="?action=invitation_sent&amp;person=alice%40a.test&amp;page=1"' in second.text


# --- Wording ------------------------------------------------------------------------------------------


def test_the_overview_says_which_role_in_plain_english(alice_client, bob_client):
    assert "You are an admin of this team." in alice_client.get(reverse("home")).text
    assert "You are a member of this team." in bob_client.get(reverse("home")).text


def test_the_remove_confirmation_promises_only_what_exists(alice_client, bob):
    pk = Membership.objects.get(user=bob).pk
    page = alice_client.get(reverse("accounts:member_remove", args=[pk])).text
    # The confirmation itself, not the navigation (which links to the team's lists).
    confirmation = page.split("<main", 1)[1].split("</main>", 1)[0]

    assert "They lose access to Team A at once: its members, provider keys and balances." in confirmation
    assert "searches" not in confirmation and "lists" not in confirmation


def test_the_audit_trail_shows_times_with_their_zone_and_names_quarrys_own_actions(alice_client, team_a):
    record_event(action=AuditAction.KEY_TESTED, actor=None, team=team_a, target="Lix")
    response = trail(alice_client)
    assert " UTC</td>" in response.text
    assert "Quarry (set-up)" in response.text
