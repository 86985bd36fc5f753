"""POST /api/v1/auth/token/ (API.md "Conventions")."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, JSONParser

from accounts.auth import TokenAuthentication

LOCKED_OUT = _("Too many wrong passwords. This account is locked for an hour from this computer; "
               "ask your administrator if you need in sooner.")


class TokenView(ObtainAuthToken):
    """A token for a user name and password. A well-formed request with a wrong
    user name or password is refused as a failed sign-in (401), not as bad
    input (400); repeated failures lock the name out (django-axes)."""

    parser_classes = [JSONParser, FormParser]
    # Its failure answers 401 with WWW-Authenticate: Token (DRF answers 403 without one).
    authentication_classes = [TokenAuthentication]

    @extend_schema(
        request=inline_serializer("TokenIn", {"username": serializers.CharField(),
                                              "password": serializers.CharField()}),
        responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()}),
                   400: OpenApiResponse(description="A field is missing or blank."),
                   401: OpenApiResponse(description="Wrong user name or password."),
                   429: OpenApiResponse(description="Locked out after repeated wrong passwords.")},
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.ValidationError as exc:
            codes = exc.get_codes()
            if isinstance(codes, dict) and codes.get("non_field_errors") == ["authorization"]:
                if getattr(request, "axes_locked_out", False):  # set by django-axes while it refused
                    raise exceptions.Throttled(detail=LOCKED_OUT) from None
                raise exceptions.AuthenticationFailed(_("Wrong user name or password.")) from None
            raise
        return super().post(request, *args, **kwargs)
