import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.fields import EncryptedSecretField


class UserManager(BaseUserManager):
    def normalize_email(self, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    @property
    def display_name(self):
        return self.name or self.email

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name


class TeamScopedQuerySet(models.QuerySet):
    """The queryset of every team-owned model: `for_team` is the one way a query is scoped to a team."""

    def for_team(self, team):
        return self.filter(team=team)


class Team(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class MembershipQuerySet(TeamScopedQuerySet):
    def admins(self):
        return self.filter(role=Role.ADMIN)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="membership_unique")]
        ordering = ["joined_at", "id"]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def is_admin(self):
        return self.role == Role.ADMIN


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(TeamScopedQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token):
        return self.filter(token_hash=hash_token(token or ""))


class Invitation(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The hash finds the invitation from a link; the encrypted token lets the admin copy the link
    # again and the email task build it without the token ever travelling through the broker.
    token_hash = models.CharField(max_length=64, unique=True)
    token = EncryptedSecretField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.team}"

    def set_new_token(self):
        token = secrets.token_urlsafe(32)
        self.token = token
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + settings.INVITATION_TTL
        return token

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    def path(self):
        from django.urls import reverse

        return reverse("accounts:accept_invitation", args=[self.token.reveal()])


class Provider(models.TextChoices):
    LIX = "lix", "Lix"
    LOOKC = "lookc", "LookC"
    LINKUP = "linkup", "LinkUp"
    LUSHA = "lusha", "Lusha"
    LEADIQ = "leadiq", "LeadIQ"


class KeyStatus(models.TextChoices):
    UNVERIFIED = "unverified", "Not tested yet"
    VALID = "valid", "Valid"
    REJECTED = "rejected", "Rejected"


class ProviderKeyQuerySet(TeamScopedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ProviderKey(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="provider_keys")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    label = models.CharField(max_length=100, blank=True)
    secret = EncryptedSecretField(null=True, blank=True)
    last4 = models.CharField(max_length=4, blank=True)
    # LookC accounts usually share Lix's key: such a LookC key stores no secret and reads Lix's.
    uses_lix_key = models.BooleanField(default=False)
    # A key of the built-in sandbox (prospecting/sandbox): calls go there, and every record says so.
    is_sandbox = models.BooleanField(default=False)
    # The secret part of this team's LookC webhook URL (LookC signs nothing, so the URL is the secret).
    webhook_token = models.CharField(max_length=64, blank=True, default="", db_index=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=KeyStatus.choices, default=KeyStatus.UNVERIFIED)
    status_message = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # The provider's balances as last fetched ({"rows": [{"label", "value"}], "error": ""}): pages show
    # these instead of calling providers on every view.
    balances = models.JSONField(default=dict, blank=True)
    balances_checked_at = models.DateTimeField(null=True, blank=True)
    # Set when a background refresh of the balances starts, cleared when the figures arrive: pages show
    # "Refreshing…" and poll meanwhile.
    balances_refreshing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProviderKeyQuerySet.as_manager()

    # A refresh whose task never ran (no worker, a lost message) stops counting as running after this,
    # so a page never polls forever and Refresh can start it again.
    BALANCES_REFRESH_GIVES_UP_AFTER = timedelta(minutes=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "provider"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_key_per_provider",
            ),
            models.CheckConstraint(
                condition=models.Q(uses_lix_key=False) | models.Q(provider="lookc"),
                name="only_lookc_uses_lix_key",
            ),
        ]
        ordering = ["provider", "-created_at"]

    def __str__(self):
        return f"{self.get_provider_display()} key of {self.team}"

    @property
    def masked(self):
        if self.is_sandbox:
            return "Sandbox key"
        if self.uses_lix_key:
            return "Uses the Lix key"
        return f"••••{self.last4}"

    @property
    def is_refreshing_balances(self):
        since = self.balances_refreshing_since
        return since is not None and timezone.now() - since < self.BALANCES_REFRESH_GIVES_UP_AFTER

    @property
    def balances_refresh_stalled(self):
        return self.balances_refreshing_since is not None and not self.is_refreshing_balances

    def reveal_secret(self) -> str:
        if self.uses_lix_key:
            lix = ProviderKey.objects.for_team(self.team_id).active().filter(provider=Provider.LIX).first()
            if lix is None:
                raise ProviderKey.DoesNotExist(
                    "This LookC key uses the Lix key, and the team has no Lix key."
                )
            return lix.reveal_secret()
        return self.secret.reveal()


class AuditAction(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logged out"
    PASSWORD_CHANGED = "password_changed", "Changed password"
    PASSWORD_RESET = "password_reset", "Reset password by email"
    TEAM_CREATED = "team_created", "Created team"
    INVITATION_SENT = "invitation_sent", "Invited"
    INVITATION_RENEWED = "invitation_renewed", "Renewed invitation"
    INVITATION_REVOKED = "invitation_revoked", "Revoked invitation"
    INVITATION_ACCEPTED = "invitation_accepted", "Joined through invitation"
    ROLE_CHANGED = "role_changed", "Changed role"
    MEMBER_REMOVED = "member_removed", "Removed member"
    KEY_ADDED = "key_added", "Added provider key"
    KEY_REPLACED = "key_replaced", "Replaced provider key"
    KEY_UPDATED = "key_updated", "Changed provider key settings"
    KEY_TESTED = "key_tested", "Tested provider key"
    KEY_REVOKED = "key_revoked", "Revoked provider key"
    SUPPRESSION_ADDED = "suppression_added", "Added to do-not-contact"
    SUPPRESSION_REMOVED = "suppression_removed", "Removed from do-not-contact"
    SUPPRESSION_IMPORTED = "suppression_imported", "Imported do-not-contact entries"
    SUPPRESSION_OVERRIDDEN = "suppression_overridden", "Overrode do-not-contact for one export"
    PERSON_ERASED = "person_erased", "Erased a person"
    BUDGET_CHANGED = "budget_changed", "Changed a credit budget"
    CREDITS_ADJUSTED = "credits_adjusted", "Booked a credit adjustment"


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(TeamScopedQuerySet):
    def for_team(self, team):
        # Account events (logins, password changes) carry no team. A team's admins see those of its
        # current members from the moment each joined: from then on they show who could reach the
        # team's data, while what a person did before (in another team, or before this team existed)
        # is not this team's business, and a new team's trail starts with its creation.
        return self.filter(
            models.Q(team=team)
            | models.Q(
                team__isnull=True,
                actor__memberships__team=team,
                actor__memberships__joined_at__lte=models.F("created_at"),
            )
        ).distinct()

    def matching(self, *, action="", person=""):
        """Narrowed to one action and to the events by or about one person (by email), when given."""
        events = self.filter(action=action) if action else self
        if person:
            events = events.filter(models.Q(actor_email__iexact=person) | models.Q(target__iexact=person))
        return events

    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEvent(models.Model):
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail still reads after a user is deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    target = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
