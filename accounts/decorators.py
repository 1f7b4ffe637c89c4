from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect


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


def post_to_object(find, *, url_kwarg="pk", field="pk"):
    """For a view that acts on one object: look it up in `find(request)` (the current team's objects)
    before checking the method, so another team's id answers 404 to every method and never reveals that
    it exists; then answer 405 to anything but POST. The view receives the object instead of its id."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            obj = get_object_or_404(find(request), **{field: kwargs.pop(url_kwarg)})
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator
