"""Everything in accounts that changes more than one row, enqueues work or must be audited."""

import base64
import secrets

from axes.utils import reset as reset_login_attempts
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import record_event
from accounts.models import (
    AuditAction,
    Invitation,
    KeyStatus,
    Membership,
    Provider,
    ProviderKey,
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


# --- Provider keys -----------------------------------------------------------------------------


def save_provider_key(
    *, team, actor, provider, secret="", label="", options=None, uses_lix_key=False, is_sandbox=False, ip=None
):
    """Add the team's key for `provider`, or change the active one. The secret is write-only: a blank
    secret on an existing key keeps the stored one."""
    secret = (secret or "").strip()
    with transaction.atomic():
        key = (
            ProviderKey.objects.for_team(team).active().select_for_update().filter(provider=provider).first()
        )
        if (
            uses_lix_key
            and not ProviderKey.objects.for_team(team).active().filter(provider=Provider.LIX).exists()
        ):
            raise ValidationError("Add the team's Lix key first, then LookC can use it.")
        if not uses_lix_key and not secret and (key is None or key.secret is None):
            raise ValidationError("Paste the API key.")
        if key is None:
            action = AuditAction.KEY_ADDED
            key = ProviderKey(team=team, provider=provider, created_by=actor)
        else:
            action = (
                AuditAction.KEY_REPLACED
                if secret or uses_lix_key != key.uses_lix_key
                else AuditAction.KEY_UPDATED
            )
        key.label = label.strip()
        key.options = options or {}
        key.uses_lix_key = uses_lix_key
        if secret or uses_lix_key:
            # Editing only the options of a sandbox key must not turn it into a real one, or the reverse.
            key.is_sandbox = is_sandbox
        if provider == Provider.LOOKC and not key.webhook_token:
            key.webhook_token = secrets.token_urlsafe(24)
        if uses_lix_key:
            key.secret, key.last4 = None, ""
        elif secret:
            key.secret, key.last4 = secret, secret[-4:]
        if action != AuditAction.KEY_UPDATED:
            key.status, key.status_message, key.checked_at = KeyStatus.UNVERIFIED, "", None
        key.save()
        record_event(
            action=action,
            actor=actor,
            team=team,
            target=key.get_provider_display(),
            ip=ip,
            details={
                "key_id": key.pk,
                "last4": key.last4,
                "uses_lix_key": uses_lix_key,
                "options": key.options,
                "sandbox": is_sandbox,
            },
        )
    return key


def connect_sandbox_key(*, team, actor, provider, ip=None):
    """Give the team a key of the built-in sandbox for `provider` (demo mode; refused when disabled)."""
    if not settings.SANDBOX_ENABLED:
        raise ValidationError("The sandbox is disabled in this deployment.")
    secret = f"sandbox-{provider}-{team.pk}-{secrets.token_hex(6)}"
    if provider == Provider.LEADIQ:
        # LeadIQ keys are base64 text: its Prospector API is sent the decoded form.
        secret = base64.b64encode(secret.encode()).decode()
    options = {"country": "FR"} if provider == Provider.LINKUP else {}
    return save_provider_key(
        team=team,
        actor=actor,
        provider=provider,
        secret=secret,
        label="",
        options=options,
        is_sandbox=True,
        ip=ip,
    )


def revoke_provider_key(*, key, actor, ip=None):
    """Stop using a key: its secret is erased, the row stays for the record."""
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.secret = None
        key.save(update_fields=["revoked_at", "secret", "updated_at"])
        record_event(
            action=AuditAction.KEY_REVOKED,
            actor=actor,
            team=key.team,
            target=key.get_provider_display(),
            ip=ip,
            details={"key_id": key.pk, "last4": key.last4},
        )
