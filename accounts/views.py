"""Team and account pages.

Views that take an object id look it up in the current team before checking the method, so an id
from another team answers 404 to every method and never reveals that the object exists.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import services
from accounts.audit import client_ip, record_event
from accounts.decorators import post_to_object, team_admin_required, team_required
from accounts.forms import AuditFilterForm, InviteForm, LoginForm, RoleForm, SignUpForm, TeamForm
from accounts.middleware import SESSION_KEY
from accounts.models import AuditAction, AuditEvent, Invitation, Membership, User
from accounts.validators import without_control_characters


def _safe_next(request, fallback="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(fallback)


def _base_url(request):
    return request.build_absolute_uri("/")


# --- Session ---------------------------------------------------------------------------------


@sensitive_post_parameters()
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            login(request, user)
            record_event(action=AuditAction.LOGIN, actor=user, ip=client_ip(request))
            return redirect(_safe_next(request))
        # Only an address that passed the form's checks is looked up; anything else (a NUL byte, which
        # PostgreSQL refuses in any query, or an over-long address) is recorded as typed, made readable.
        email = form.cleaned_data.get("username")
        typed = without_control_characters(User.objects.normalize_email(request.POST.get("username", "")))
        record_event(
            action=AuditAction.LOGIN_FAILED,
            actor=User.objects.filter(email__iexact=email).first() if email else None,
            actor_email=(email or typed)[:254],
            target=(email or typed)[:300],
            ip=client_ip(request),
        )
    # The form posts to the bare login URL, so after a failed attempt `next` only comes back in the POST.
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "next": next_url, "lock_warning": _lock_warning(request, form)}
    return render(request, "accounts/login.html", context)


def _lock_warning(request, form):
    """Before the attempt that would lock this email from this address, say so (django-axes counts)."""
    email = form.cleaned_data.get("username") if form.is_bound else None
    if not email:
        return ""
    credentials = {settings.AXES_USERNAME_FORM_FIELD: email}
    left = get_failure_limit(request, credentials) - AxesProxyHandler.get_failures(request, credentials)
    if left != 1:
        return ""
    cool_off = get_cool_off(request)
    lock = f"a {round(cool_off.total_seconds() / 60)}-minute lock" if cool_off else "a lock"
    return (
        f"One attempt left before {lock}: another wrong password pauses logging in to this account "
        "from your address."
    )


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record_event(action=AuditAction.LOGOUT, actor=request.user, ip=client_ip(request))
    logout(request)
    messages.success(request, "You are logged out.")
    return redirect("accounts:login")


@sensitive_post_parameters()
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        record_event(action=AuditAction.PASSWORD_CHANGED, actor=user, ip=client_ip(request))
        messages.success(request, "Your password was changed.")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset page, which also records the reset and lifts the account's login lockout."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.finish_password_reset(user=form.user, ip=client_ip(self.request))
        return response


# --- Teams -----------------------------------------------------------------------------------


@login_required
def no_team(request):
    if request.team is not None:
        return redirect("home")
    return render(request, "accounts/no_team.html")


@login_required
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.create_team(name=form.cleaned_data["name"], admin=request.user, ip=client_ip(request))
        request.session[SESSION_KEY] = team.pk
        messages.success(request, f"{team} is ready. Invite your colleagues and add provider keys.")
        return redirect("accounts:members")
    return render(request, "accounts/team_create.html", {"form": form})


@login_required
@post_to_object(
    lambda request: Membership.objects.filter(user=request.user), url_kwarg="team_id", field="team_id"
)
def team_switch(request, membership):
    request.session[SESSION_KEY] = membership.team_id
    messages.success(request, f"You are now working in {membership.team}.")
    return redirect(_safe_next(request))


# --- Members and invitations -----------------------------------------------------------------


def _members_context(request, invite_form=None):
    return {
        "memberships": Membership.objects.for_team(request.team).select_related("user"),
        "invitations": Invitation.objects.for_team(request.team).pending().select_related("invited_by"),
        "invite_form": invite_form or InviteForm(),
        "role_choices": RoleForm.base_fields["role"].choices,
        "invitation_ttl_days": settings.INVITATION_TTL.days,
    }


@team_required
def members(request):
    return render(request, "accounts/members.html", _members_context(request))


@require_POST
@team_admin_required
def invite(request):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                team=request.team,
                inviter=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, f"Invitation created for {invitation.email}; it is on its way by email."
            )
            return redirect("accounts:invitation_detail", pk=invitation.pk)
    return render(request, "accounts/members.html", _members_context(request, form), status=400)


@team_admin_required
def invitation_detail(request, pk):
    invitation = get_object_or_404(Invitation.objects.for_team(request.team), pk=pk)
    link = request.build_absolute_uri(invitation.path()) if invitation.is_pending else None
    return render(request, "accounts/invitation_detail.html", {"invitation": invitation, "link": link})


@team_admin_required
@post_to_object(lambda request: Invitation.objects.for_team(request.team))
def invitation_renew(request, invitation):
    try:
        services.renew_invitation(
            invitation=invitation, actor=request.user, base_url=_base_url(request), ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:members")
    messages.success(request, "A new link was made; the old one no longer works.")
    return redirect("accounts:invitation_detail", pk=invitation.pk)


@team_admin_required
@post_to_object(lambda request: Invitation.objects.for_team(request.team))
def invitation_revoke(request, invitation):
    try:
        services.revoke_invitation(invitation=invitation, actor=request.user, ip=client_ip(request))
        messages.success(request, f"The invitation of {invitation.email} was revoked.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("accounts:members")


@sensitive_post_parameters()
def accept_invitation(request, token):
    invitation = Invitation.objects.by_token(token).select_related("team").first()
    if invitation is None or not invitation.is_pending:
        return render(request, "accounts/invitation_invalid.html", {"invitation": invitation}, status=410)
    existing_user = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation, "existing_user": existing_user}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.accept_invitation(
                    invitation=invitation, user=request.user, ip=client_ip(request)
                )
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return render(request, "accounts/accept_invitation.html", context, status=400)
            request.session[SESSION_KEY] = membership.team_id
            messages.success(request, f"Welcome to {membership.team}.")
            return redirect("home")
        return render(request, "accounts/accept_invitation.html", context)
    if existing_user:
        return render(request, "accounts/accept_invitation.html", context)
    form = SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.sign_up_with_invitation(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("accounts:login")
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = membership.team_id
        messages.success(request, f"Welcome to Quarry and to {membership.team}.")
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {**context, "form": form})


@team_admin_required
@post_to_object(lambda request: Membership.objects.for_team(request.team).select_related("user"))
def member_role(request, membership):
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(
                membership=membership,
                role=form.cleaned_data["role"],
                actor=request.user,
                ip=client_ip(request),
            )
            messages.success(request, f"{membership.user.display_name} is now {form.cleaned_data['role']}.")
        except ValidationError as error:
            messages.error(request, error.messages[0])
    else:
        name, problem = membership.user.display_name, form.errors["role"][0]
        messages.error(request, f"The role of {name} was not changed. {problem}")
    if request.htmx:
        return render(request, "accounts/members.html#member-table", _members_context(request))
    return redirect("accounts:members")


@team_admin_required
def member_remove(request, pk):
    membership = get_object_or_404(Membership.objects.for_team(request.team).select_related("user"), pk=pk)
    if request.method != "POST":
        return render(request, "accounts/member_remove.html", {"membership": membership})
    try:
        services.remove_member(membership=membership, actor=request.user, ip=client_ip(request))
        messages.success(request, f"{membership.user.display_name} was removed from {request.team}.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("accounts:members")


# --- Audit trail -----------------------------------------------------------------------------


@team_admin_required
def audit_log(request):
    events = AuditEvent.objects.for_team(request.team).select_related("actor")
    form = AuditFilterForm(request.GET, people=_people_in_trail(request.team, events))
    # Invalid filters show their error beside the field and filter nothing.
    filters = form.cleaned_data if form.is_valid() else {}
    events = events.matching(action=filters.get("action", ""), person=filters.get("person", ""))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = form.query() if filters else ""
    context = {"page": page, "form": form, "query": query, "filtered": bool(query)}
    return render(request, "accounts/audit_log.html", context)


def _people_in_trail(team, events):
    members = Membership.objects.for_team(team).values_list("user__email", flat=True)
    actors = events.exclude(actor_email="").order_by().values_list("actor_email", flat=True).distinct()
    return sorted({*members, *actors})
