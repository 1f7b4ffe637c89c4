from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.decorators import team_admin_required, team_required
from accounts.models import Provider, ProviderKey
from prospecting.models import ProviderCall
from prospecting.services.keys import balances_cost_text, check_cost_text
from prospecting.services.provider_calls import refresh_balances
from prospecting.views.keys import when_text


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
    # Calling providers costs rate budget: the page shows what was fetched last, and refreshing is a POST
    # that starts the work in the background; the page (htmx polling, or a refresh without JS) shows it.
    if request.method == "POST":
        # The page says it is refreshing, and shows each key's figures as they arrive.
        refresh_balances(team=request.team, user=request.user)
        return redirect("balances")
    keys = ProviderKey.objects.for_team(request.team).active().order_by("provider")
    cards = [
        {
            "key": key,
            "refresh_cost": balances_cost_text(key.provider),
            "test_cost": check_cost_text(key.provider),
            "checked": when_text(key.balances_checked_at) if key.balances_checked_at else "",
        }
        for key in keys
    ]
    context = {
        "cards": cards,
        "refreshing": any(key.is_refreshing_balances for key in keys),
        "refresh_free": not any(card["refresh_cost"] for card in cards),
    }
    template = "prospecting/balances.html#balances-live" if request.htmx else "prospecting/balances.html"
    return render(request, template, context)
