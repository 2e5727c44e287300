"""The token endpoint (docs/api.md#authentication): `POST /api/v1/auth/token/` trades a username
and password for a new token (login throttling applies, as on the login pages);
`POST /api/v1/auth/token/revoke/` revokes the token that authenticates the request."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import signed_in
from apps.accounts.api import ApiTokenAuthentication
from apps.accounts.models import ApiToken
from apps.accounts.tokens import api_token_create, api_token_revoke
from apps.core.errors import KeelError


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=settings.KEEL_API_TOKEN_MAX_DAYS, required=False
    )
    # DRF's metaclass takes declared fields off the class, so this does not shadow
    # Field.read_only; the stubs cannot know that.
    read_only = serializers.BooleanField(default=True)  # type: ignore[assignment]


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="shown once: Keel stores only its hash")
    name = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    read_only = serializers.BooleanField()  # type: ignore[assignment]


class TokenCreateView(APIView):
    """Make an API token with a username and password (not with single sign-on: use the API
    tokens page then)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="invalid field"),
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="wrong username or password"),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="password login is off"),
            429: OpenApiResponse(OpenApiTypes.OBJECT, description="too many failed logins"),
        },
    )
    def post(self, request: Request) -> Response:
        if not settings.KEEL_PASSWORD_LOGIN:
            raise exceptions.PermissionDenied(
                "password login is turned off: sign in with single sign-on and make a token "
                "on the API tokens page (/account/tokens/)"
            )
        asked = TokenRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:  # 401 (DRF would make it 403: this view has no auth scheme)
            return Response({"detail": "wrong username or password"}, status=401)
        try:
            new = api_token_create(
                user=user,
                name=data["name"],
                days=data.get("expires_in_days"),
                read_only=data["read_only"],
            )
        except KeelError as exc:
            raise exceptions.ValidationError({"detail": str(exc)}) from exc
        # A login by password, as the login page's: resets the failure count (django-axes) and
        # records `last_login`.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        record = new.record
        body = TokenSerializer(
            {
                "token": new.token,
                "name": record.name,
                "expiry": record.expiry,
                "read_only": record.read_only,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class TokenRevokeView(APIView):
    """Revoke the token in the `Authorization` header (a read-only token may revoke itself)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        token = request.auth  # ApiTokenAuthentication's, the only scheme here
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated()
        api_token_revoke(user=signed_in(request.user), token_key=token.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
