"""The team's provider keys: list, add, replace or edit, test, use the sandbox, revoke."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.timesince import timesince
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from accounts.decorators import post_to_object, team_admin_required, team_required
from accounts.models import Provider, ProviderKey
from prospecting.demo import register_sandbox_webhook
from prospecting.forms import ProviderKeyForm
from prospecting.services import keys as key_services
from prospecting.services.provider_calls import check_provider_key


def when_text(when):
    """When something happened, with its time zone: "just now (14:02 UTC)", "3 minutes ago (13:59 UTC)"."""
    seconds = (timezone.now() - when).total_seconds()
    ago = "just now" if seconds < 60 else f"{timesince(when)} ago"
    return f"{ago} ({format_date(timezone.localtime(when), 'H:i T')})"


def _key_row(provider, key):
    """What one provider's row shows: its key, what Test costs, when it was tested, its price table."""
    return {
        "provider": provider,
        "key": key,
        "test_cost": key_services.check_cost_text(provider.value),
        "tested": when_text(key.checked_at) if key and key.checked_at else "",
        "prices": key_services.price_table_text(key) if key else "",
    }


@team_required
def provider_keys(request):
    keys = {key.provider: key for key in ProviderKey.objects.for_team(request.team).active()}
    rows = [_key_row(provider, keys.get(provider.value)) for provider in Provider]
    lookc = keys.get(Provider.LOOKC)
    webhook_url = key_services.lookc_webhook_url(lookc) if lookc and request.membership.is_admin else ""
    context = {"rows": rows, "sandbox_enabled": settings.SANDBOX_ENABLED, "lookc_webhook_url": webhook_url}
    return render(request, "prospecting/provider_keys.html", context)


def _save_key(request, form, *, provider, existing):
    """A pasted secret replaces the credentials; ticking "use the Lix key" borrows Lix's; otherwise only
    the label and options change."""
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "label": data["label"],
        "options": form.options(),
        "ip": client_ip(request),
    }
    if data["secret"]:
        return key_services.add_provider_key(
            team=request.team, provider=provider, secret=data["secret"], **common
        )
    if data.get("uses_lix_key") and not (existing and existing.uses_lix_key):
        return key_services.use_lix_key_for_lookc(team=request.team, **common)
    return key_services.update_provider_key(key=existing, **common)


def _provider_key_form(request, *, provider, existing):
    form = ProviderKeyForm(request.POST or None, provider=provider, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            _save_key(request, form, provider=provider, existing=existing)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The {Provider(provider).label} key was saved.")
            return redirect("provider_keys")
    context = {"form": form, "provider": Provider(provider), "existing": existing}
    return render(request, "prospecting/provider_key_form.html", context, status=400 if form.errors else 200)


@sensitive_post_parameters()
@team_admin_required
def provider_key_add(request, provider):
    if provider not in Provider.values:
        raise Http404("No such provider.")
    existing = ProviderKey.objects.for_team(request.team).active().filter(provider=provider).first()
    if existing:
        return redirect("provider_key_edit", pk=existing.pk)
    return _provider_key_form(request, provider=provider, existing=None)


@sensitive_post_parameters()
@team_admin_required
def provider_key_edit(request, pk):
    key = get_object_or_404(ProviderKey.objects.for_team(request.team).active(), pk=pk)
    return _provider_key_form(request, provider=key.provider, existing=key)


@team_admin_required
def provider_key_revoke(request, pk):
    key = get_object_or_404(ProviderKey.objects.for_team(request.team).active(), pk=pk)
    if request.method != "POST":
        return render(request, "prospecting/provider_key_revoke.html", {"key": key})
    key_services.revoke_provider_key(key=key, actor=request.user, ip=client_ip(request))
    messages.success(request, f"The {key.get_provider_display()} key was revoked and erased.")
    return redirect("provider_keys")


@team_admin_required
@post_to_object(lambda request: ProviderKey.objects.for_team(request.team).active())
def provider_key_test(request, key):
    cost = key_services.check_cost_text(key.provider)
    if cost and not request.POST.get("confirm"):
        # A test that spends credits (LinkUp bills its /check) asks first; over htmx, hx-confirm asked.
        return render(request, "prospecting/provider_key_test_confirm.html", {"key": key, "cost": cost})
    key = check_provider_key(key=key, user=request.user, ip=client_ip(request))
    if request.htmx:
        row = _key_row(Provider(key.provider), key)
        return render(request, "prospecting/provider_keys.html#key-row", {"row": row})
    if key.status == "valid":
        messages.success(request, f"The {key.get_provider_display()} key works.")
    else:
        messages.error(request, f"{key.get_provider_display()}: {key.status_message}")
    return redirect("provider_keys")


@require_POST
@team_admin_required
def provider_key_sandbox(request, provider):
    if provider not in Provider.values:
        raise Http404("No such provider.")
    try:
        key = key_services.connect_sandbox_key(
            team=request.team, actor=request.user, provider=provider, ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("provider_keys")
    register_sandbox_webhook(key)
    key = check_provider_key(key=key, user=request.user, ip=client_ip(request))
    messages.success(
        request, f"{key.get_provider_display()} now uses the sandbox: simulated data, no real credits."
    )
    return redirect("provider_keys")
