"""Everything in accounts that changes more than one row, enqueues work or must be audited."""

from axes.utils import reset as reset_login_attempts
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import (
    AuditAction,
    Invitation,
    Membership,
    Role,
    Team,
    User,
)


def create_team(*, name, admin, ip=None):
    with transaction.atomic():
        team = Team.objects.create(name=name.strip())
        Membership.objects.create(team=team, user=admin, role=Role.ADMIN)
        record_event(action=AuditAction.TEAM_CREATED, actor=admin, team=team, target=team.name, ip=ip)
    return team


def finish_password_reset(*, user, ip=None):
    """After a reset link set a new password: record it, and lift the account's login lockout from every
    address, because the lockout page tells a locked-out person to reset their password."""
    record_event(action=AuditAction.PASSWORD_RESET, actor=user, ip=ip)
    # The lockout is kept per (email as the login form cleaned it, IP): the stored, normalised email.
    reset_login_attempts(username=user.email)


# --- Invitations -----------------------------------------------------------------------------


def _enqueue_invitation_email(invitation, base_url):
    from accounts.tasks import send_invitation_email

    # After commit, so the worker finds the row; only ids and the site URL travel through the broker.
    # robust: a broker outage must not turn a saved invitation into an error page; the link is shown
    # to the admin anyway, and "Make a new link" sends the email again.
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk, base_url), robust=True)


def invite_member(*, team, inviter, email, role, base_url, ip=None):
    if role not in Role.values:
        raise ValidationError("Choose a role: Admin or Member.")
    email = User.objects.normalize_email(email)
    if Membership.objects.for_team(team).filter(user__email__iexact=email).exists():
        raise ValidationError(f"{email} is already a member of {team}.")
    if Invitation.objects.for_team(team).pending().filter(email__iexact=email).exists():
        raise ValidationError(f"{email} already has a pending invitation: renew it to get a new link.")
    with transaction.atomic():
        invitation = Invitation(team=team, email=email, role=role, invited_by=inviter)
        invitation.set_new_token()
        invitation.save()
        record_event(
            action=AuditAction.INVITATION_SENT,
            actor=inviter,
            team=team,
            target=email,
            ip=ip,
            details={"role": role},
        )
        _enqueue_invitation_email(invitation, base_url)
    return invitation


def renew_invitation(*, invitation, actor, base_url, ip=None):
    """A fresh link and expiry for an invitation that is pending or expired; the old link dies."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation was already used or revoked; invite the person again.")
    with transaction.atomic():
        invitation.set_new_token()
        invitation.emailed_at = None
        invitation.save()
        record_event(
            action=AuditAction.INVITATION_RENEWED,
            actor=actor,
            team=invitation.team,
            target=invitation.email,
            ip=ip,
        )
        _enqueue_invitation_email(invitation, base_url)
    return invitation


def revoke_invitation(*, invitation, actor, ip=None):
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted; remove the member instead.")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_event(
            action=AuditAction.INVITATION_REVOKED,
            actor=actor,
            team=invitation.team,
            target=invitation.email,
            ip=ip,
        )


def accept_invitation(*, invitation, user, ip=None):
    """Make `user` a member through `invitation`; each link works once, before it expires."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise ValidationError("This invitation link has expired or was already used.")
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(
                f"This invitation is for {invitation.email}, but you are signed in as {user.email}."
            )
        membership, created = Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_event(
            action=AuditAction.INVITATION_ACCEPTED,
            actor=user,
            team=invitation.team,
            target=invitation.email,
            ip=ip,
            details={"role": membership.role, "new_member": created},
        )
    return membership


def sign_up_with_invitation(*, invitation, name, password, ip=None):
    with transaction.atomic():
        user = User.objects.create_user(invitation.email, password, name=name.strip())
        membership = accept_invitation(invitation=invitation, user=user, ip=ip)
    return membership


# --- Members -----------------------------------------------------------------------------------


def _locked_membership(membership):
    """The membership, re-read under lock after the team's admin rows, always in the same order, so two
    admins demoting or removing each other at once neither both succeed nor deadlock."""
    list(Membership.objects.for_team(membership.team_id).admins().order_by("pk").select_for_update())
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _ensure_another_admin_remains(membership):
    admins = Membership.objects.for_team(membership.team_id).admins().count()
    if membership.is_admin and admins <= 1:
        raise ValidationError(
            f"{membership.team} must keep at least one admin: make someone else admin first."
        )


def change_role(*, membership, role, actor, ip=None):
    if role not in Role.values:
        raise ValidationError("Choose a role: Admin or Member.")
    with transaction.atomic():
        membership = _locked_membership(membership)
        if membership.role == role:
            return membership
        if role != Role.ADMIN:
            _ensure_another_admin_remains(membership)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            action=AuditAction.ROLE_CHANGED,
            actor=actor,
            team=membership.team,
            target=membership.user.email,
            ip=ip,
            details={"from": previous, "to": role},
        )
    return membership


def remove_member(*, membership, actor, ip=None):
    with transaction.atomic():
        membership = _locked_membership(membership)
        _ensure_another_admin_remains(membership)
        record_event(
            action=AuditAction.MEMBER_REMOVED,
            actor=actor,
            team=membership.team,
            target=membership.user.email,
            ip=ip,
            details={"role": membership.role},
        )
        membership.delete()
