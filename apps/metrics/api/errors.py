"""Error pages of the API and the webhooks: a URL under /api/ that no route matches, a body
too large or a query string with too many fields answer JSON like every other API error
(`{"detail": "..."}`), so a client parses one format; other paths keep Django's page."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"
JSON_PREFIXES = (API_PREFIX, "/webhooks/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler400` (config/urls.py): under /api/ and /webhooks/, JSON: 413 for a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), 400 naming the problem otherwise (more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000, query or form fields). Django's page elsewhere."""
    if not request.path.startswith(JSON_PREFIXES):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        detail = f"request body larger than {limit:,} bytes"
        return JsonResponse({"detail": detail}, status=413)
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        detail = f"too many query or form fields (over {limit:,})"
        return JsonResponse({"detail": detail}, status=400)
    return JsonResponse({"detail": "bad request"}, status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404` (config/urls.py): JSON 404 under /api/, Django's default page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
