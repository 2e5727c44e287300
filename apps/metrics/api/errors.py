"""Error pages of the API: a URL under /api/ that no route matches answers JSON like every other
API error (`{"detail": "Not found."}`), so a client parses one format; other paths keep
Django's page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404` (config/urls.py): JSON 404 under /api/, Django's default page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
