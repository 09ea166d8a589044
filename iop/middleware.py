"""The app's own answers to a bad parameter (400) and a refused or missing record (404), whatever DEBUG says."""

from django.http import Http404, JsonResponse
from django.shortcuts import render

from .params import BadParameter


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


class ErrorPageMiddleware:
    """Turn BadParameter into a 400 page that says which parameter is wrong, and Http404 into the 404 page.

    With DEBUG on, Django would answer both with its debug pages, which list the site's URL
    patterns and echo the request: a refused look must read the same as a record that does not
    exist, for developers' sessions too. JSON callers (the calendar feed) get ``{"error": …}``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadParameter):
            if _wants_json(request):
                return JsonResponse({"error": exception.message}, status=400)
            return render(request, "400.html", {"message": exception.message}, status=400)
        if isinstance(exception, Http404):
            if _wants_json(request):
                return JsonResponse({"error": "Not found."}, status=404)
            return render(request, "404.html", status=404)
        return None
