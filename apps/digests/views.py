"""The digest preview page: admins see anyone's digest, everyone else only their own
(`apps.accounts.access.digest_preview_allowed`)."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from apps.accounts.access import digest_preview_allowed
from apps.core.audit import engineers_viewed
from apps.core.periods import date_in_range
from apps.digests.content import previous_month
from apps.digests.render import digest_html_standalone
from apps.digests.selectors import digest_build, digest_recipient_of


def _recipient_user(request: HttpRequest):
    """The user whose digest is asked for: `?recipient=` (username or e-mail of exactly one
    user), else the requester. 404 when it names nobody, or several users."""
    wanted = request.GET.get("recipient", "")
    if not wanted:
        return request.user
    users = get_user_model().objects.filter(is_active=True)
    by_name = users.filter(username=wanted)
    matches = by_name if by_name.exists() else users.filter(email__iexact=wanted)
    if matches.count() != 1:
        raise Http404("recipient: no single user by that username or e-mail")
    return matches.get()


def _month(request: HttpRequest) -> date:
    """`?month=YYYY-MM`, default last month; 404 when malformed or outside the dates Keel
    handles (`apps.core.periods.date_in_range`)."""
    try:
        return date_in_range(datetime.strptime(request.GET["month"], "%Y-%m").date(), name="month")
    except KeyError:
        return previous_month(datetime.now().date().replace(day=1))
    except ValueError as exc:
        raise Http404(f"month: expected YYYY-MM ({exc})") from None


@login_required
def digest_preview(request: HttpRequest) -> HttpResponse:
    """GET /digests/preview/?month=YYYY-MM&recipient=USERNAME-OR-EMAIL (defaults: last month,
    yourself)."""
    target = _recipient_user(request)
    if not digest_preview_allowed(user=request.user, recipient=target):
        raise PermissionDenied("only admins may preview another user's digest")
    recipient = digest_recipient_of(user_id=target.pk)
    if recipient is None:
        raise Http404("this user receives no digest")
    digest = digest_build(recipient=recipient, month=_month(request))
    named = [person.email for scope in digest.scopes for person in scope.at_risk or ()]
    engineers_viewed(user=request.user, emails=named, via=request.get_full_path())
    return HttpResponse(digest_html_standalone(digest))
