from accounts.models import Membership

SESSION_KEY = "current_team_id"


class CurrentTeamMiddleware:
    """Sets request.team and request.membership from the session, checked against membership.

    The team never comes from a request parameter: a stale or forged session value falls back to the
    user's first team.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.team = request.membership = None
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user).select_related("team")
            wanted = request.session.get(SESSION_KEY)
            membership = memberships.filter(team_id=wanted).first() if wanted else None
            membership = membership or memberships.first()
            if membership:
                request.membership, request.team = membership, membership.team
                if wanted != membership.team_id:
                    request.session[SESSION_KEY] = membership.team_id
        return self.get_response(request)
