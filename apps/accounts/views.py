"""Account pages: signing in and out (password and single sign-on), and the API tokens page
(`/account/tokens/`) where a signed-in user lists, makes and revokes their own tokens; a new
token is shown once, on the answer to the POST that made it (never stored in a session or a
redirect), with `Cache-Control: no-store`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from apps.accounts.access import signed_in
from apps.accounts.forms import TokenCreateForm
from apps.accounts.oidc import provider_logout_url, sso_enabled
from apps.accounts.tokens import api_token_create, api_token_revoke, api_tokens_of


def _page(request: HttpRequest, form: TokenCreateForm, new_token: str = "") -> HttpResponse:
    tokens = api_tokens_of(user=signed_in(request.user))
    response = render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "new_token": new_token}
    )
    add_never_cache_headers(response)
    return response


@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenCreateForm())
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    new = api_token_create(
        user=signed_in(request.user),
        name=form.cleaned_data["name"],
        days=form.cleaned_data["days"],
        read_only=not form.cleaned_data["read_write"],
    )
    return _page(request, TokenCreateForm(), new_token=new.token)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    if api_token_revoke(user=signed_in(request.user), token_key=token_key):
        messages.success(request, f"Token {token_key}… revoked: it no longer works.")
    else:
        messages.error(request, "No such token of yours.")
    return redirect("accounts:tokens")


class SignOutView(LogoutView):
    """`POST /logout/`: ends the Keel session and, after a single sign-on, the provider's
    session too (`apps.accounts.oidc.provider_logout_url`), then the login page."""

    next_page = "dashboard:login"  # a URL name: LogoutView resolves it

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        after = provider_logout_url(request) if request.session.get("oidc_id_token") else ""
        response = super().post(request, *args, **kwargs)
        return redirect(after) if after else response


class SignInView(LoginView):
    """`/login/`: the password form while KEEL_PASSWORD_LOGIN is on, and "Sign in with ..."
    when single sign-on is configured; `?sso=failed|unavailable` says why SSO did not work."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = "/"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            password_login=settings.KEEL_PASSWORD_LOGIN,
            sso=sso_enabled(),
            sso_name=settings.KEEL_OIDC_PROVIDER_NAME,
            sso_problem=SSO_PROBLEMS.get(self.request.GET.get("sso", ""), ""),
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.KEEL_PASSWORD_LOGIN:
            return HttpResponseForbidden("password login is turned off: use single sign-on")
        return super().post(request, *args, **kwargs)


SSO_PROBLEMS = {
    "failed": "Single sign-on did not let you in: your account needs a verified e-mail of a "
    "configured person or manager (or the group that gives you a role). Ask an admin.",
    "unavailable": "Single sign-on is unavailable right now: Keel cannot reach the identity "
    "provider. Try again in a minute, or ask an admin.",
}
