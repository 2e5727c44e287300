"""The digest preview page: staff see anyone's digest, a manager only their own."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from apps.digests.content import previous_month
from apps.digests.render import digest_html_standalone
from apps.digests.selectors import digest_build, digest_recipients


@login_required
def digest_preview(request: HttpRequest) -> HttpResponse:
    """GET /digests/preview/?month=YYYY-MM&recipient=EMAIL (defaults: last month, yourself)."""
    user = request.user
    if not (user.is_staff or user.is_superuser or user.managed_teams.exists()):
        raise PermissionDenied("digest previews are for staff and managers")
    email = request.GET.get("recipient", user.email).lower()
    if email != user.email.lower() and not (user.is_staff or user.is_superuser):
        raise PermissionDenied("managers may preview only their own digest")
    recipient = next((r for r in digest_recipients() if r.email == email), None)
    if recipient is None:
        raise Http404(f"{email} receives no digest")
    try:
        month = datetime.strptime(request.GET["month"], "%Y-%m").date()
    except KeyError:
        month = previous_month(datetime.now().date().replace(day=1))
    except ValueError:
        raise Http404("month: expected YYYY-MM") from None
    return HttpResponse(digest_html_standalone(digest_build(recipient=recipient, month=month)))
