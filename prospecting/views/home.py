from django.shortcuts import render

from accounts.decorators import team_required
from accounts.models import Membership, Provider, ProviderKey


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
