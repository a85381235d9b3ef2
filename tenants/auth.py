"""API authentication: knox tokens (hashed, expiring), refused for an inactive or locked-out account."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class ApiTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``. An expired token is deleted and refused (knox); so is the token of
    an account that is inactive or locked out after failed logins (axes), for as long as the lockout
    lasts."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        request = getattr(self, "_request", None)
        if AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()}):
            raise exceptions.AuthenticationFailed(_("Dit account is tijdelijk geblokkeerd."))
        return user, token

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, under the name DRF's token scheme had (finance integrations)."""

    target_class = "tenants.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
