from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import client_ip
from accounts.decorators import team_admin_required, team_required
from accounts.models import Membership, Provider, ProviderKey
from accounts.services import connect_sandbox_key
from prospecting.models import ProviderCall
from prospecting.services.provider_calls import check_provider_key, refresh_balances


@team_required
def home(request):
    keys = ProviderKey.objects.for_team(request.team).active()
    configured = {key.provider: key for key in keys}
    context = {
        "providers": [{"provider": p, "key": configured.get(p.value)} for p in Provider],
        "configured_count": len(configured),
        "member_count": Membership.objects.for_team(request.team).count(),
    }
    return render(request, "prospecting/home.html", context)


@team_admin_required
def provider_key_test(request, pk):
    key = get_object_or_404(ProviderKey.objects.for_team(request.team).active(), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    key = check_provider_key(key=key, user=request.user, ip=client_ip(request))
    if request.htmx:
        row = {"provider": Provider(key.provider), "key": key}
        return render(request, "accounts/provider_keys.html#key-row", {"row": row})
    if key.status == "valid":
        messages.success(request, f"The {key.get_provider_display()} key works.")
    else:
        messages.error(request, f"{key.get_provider_display()}: {key.status_message}")
    return redirect("accounts:provider_keys")


@require_POST
@team_admin_required
def provider_key_sandbox(request, provider):
    if provider not in Provider.values:
        raise Http404("No such provider.")
    try:
        key = connect_sandbox_key(
            team=request.team, actor=request.user, provider=provider, ip=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:provider_keys")
    key = check_provider_key(key=key, user=request.user, ip=client_ip(request))
    messages.success(
        request, f"{key.get_provider_display()} now uses the sandbox: simulated data, no real credits."
    )
    return redirect("accounts:provider_keys")


@team_admin_required
def call_log(request):
    calls = ProviderCall.objects.for_team(request.team).select_related("user")
    provider = request.GET.get("provider", "")
    if provider in Provider.values:
        calls = calls.filter(provider=provider)
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(
        request, "prospecting/call_log.html", {"page": page, "providers": Provider, "provider": provider}
    )


@team_required
def balances(request):
    # Calling providers costs rate budget: the page shows what was fetched last, and refreshing is a POST.
    if request.method == "POST":
        refresh_balances(team=request.team, user=request.user)
        messages.success(request, "Balances refreshed from the providers.")
        return redirect("balances")
    keys = ProviderKey.objects.for_team(request.team).active().order_by("provider")
    return render(request, "prospecting/balances.html", {"keys": keys})
