from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from accounts.audit import client_ip
from accounts.decorators import team_admin_required, team_required
from accounts.models import Membership, Provider, ProviderKey
from prospecting.services.provider_calls import check_provider_key, provider_balances


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


@team_required
def balances(request):
    rows = provider_balances(team=request.team, user=request.user)
    return render(request, "prospecting/balances.html", {"rows": rows})
