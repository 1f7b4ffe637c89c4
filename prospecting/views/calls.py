from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.decorators import team_admin_required, team_required
from accounts.models import Provider, ProviderKey
from prospecting.models import ProviderCall
from prospecting.services.provider_calls import refresh_balances


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
