"""Quarry's own 404 page, in DEBUG too.

In DEBUG, Django answers a 404 with its technical page, which lists every URL pattern of the site;
`make run` runs in DEBUG, so a new user's first mistyped address showed the whole URL map instead of
Quarry's page. This renders templates/404.html through Django's own 404 view, as production does.
Errors (500) in DEBUG keep Django's technical page, which is what a developer needs there.
"""

from django.http import Http404
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found


class NotFoundPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Django resolves the URL outside any middleware's reach: resolve it here first. A 404 from
        # here still lets CommonMiddleware redirect /login to /login/.
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
