from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def team_required(view):
    """Logged in and a member of a current team; people without a team are sent to create one."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.team is None:
            return redirect("accounts:no_team")
        return view(request, *args, **kwargs)

    return wrapper


def team_admin_required(view):
    @team_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_admin:
            raise PermissionDenied("Only team admins can do this.")
        return view(request, *args, **kwargs)

    return wrapper
