"""View and viewset bases that every portal page and API endpoint builds on.

Layer one of the tenant defence is the queryset: views get theirs from a selector scoped to the user,
so another tenant's object is simply not found (404). Layer two is the guardian object permission,
checked on single objects. A role that may not use a page at all also gets 404: the page does not exist
for it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from .roles import ALL_ROLES, PROVIDER_ROLES
from .selectors import has_any_role, is_provider_user


def get_scoped_object(
    queryset: QuerySet,
    *,
    user: Any,
    permission: str | None = None,
    not_found: type[Exception] = Http404,
    **lookup,
) -> Model:
    """The one object of a scoped ``queryset`` matching ``lookup``, checked against guardian's
    ``permission``; anything else (absent, another tenant's, no permission) raises ``not_found``.

    Every kind of view uses it: detail views through :class:`ScopedObjectMixin`, form and action views
    and API views directly, so another tenant's object always answers 404 in the same way.
    """
    obj = queryset.filter(**lookup).first()
    if obj is None or (permission and not user.has_perm(permission, obj)):
        raise not_found
    return obj


class PortalAccessMixin:
    """Logged in, holding one of ``allowed_roles`` (any portal role when left empty)."""

    allowed_roles: frozenset[str] | set[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_any_role(request.user, self.allowed_roles or ALL_ROLES):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProviderPageMixin(PortalAccessMixin):
    """Pages of Leiden's business operations: provider roles at the provider only."""

    allowed_roles = PROVIDER_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_provider_user(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin(PortalAccessMixin):
    """A single-object view whose ``get_queryset`` returns a selector's scoped queryset.

    ``object_permission`` (``app_label.codename``) is checked with guardian on the object found.
    Detail views get it from ``get_object``; other views call ``get_scoped_object(**lookup)``.
    """

    object_permission: str | None = None

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)  # type: ignore[misc]
        if self.object_permission and not self.request.user.has_perm(self.object_permission, obj):
            raise Http404
        return obj

    def get_scoped_object(self, **lookup) -> Model:
        return get_scoped_object(
            self.get_queryset(), user=self.request.user, permission=self.object_permission, **lookup
        )


def roles_for_action(view) -> frozenset[str] | set[str]:
    """The roles that may use ``view``'s current action: ``action_roles[action]`` where the viewset
    names the action, else its ``allowed_roles``, else every portal role."""
    action_roles = getattr(view, "action_roles", None) or {}
    action = getattr(view, "action", None)
    if action in action_roles:
        return action_roles[action]
    return getattr(view, "allowed_roles", None) or ALL_ROLES


class HasPortalRole(BasePermission):
    """API: authenticated and holding one of the roles of the view's action; otherwise 404, not 403."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not has_any_role(request.user, roles_for_action(view)):
            raise NotFound
        return True


class ScopedViewSetMixin:
    """A DRF viewset whose ``get_queryset`` returns a selector's scoped queryset.

    Objects outside the scope answer 404 by construction; ``object_permission`` adds guardian's check.
    """

    permission_classes = [HasPortalRole]
    allowed_roles: frozenset[str] | set[str] | None = None
    #: roles per action (``{"approve": PROVIDER_ROLES}``); actions not named use ``allowed_roles``
    action_roles: dict[str, frozenset[str]] = {}
    object_permission: str | None = None

    def get_object(self):
        obj = super().get_object()  # type: ignore[misc]
        if self.object_permission and not self.request.user.has_perm(self.object_permission, obj):
            raise NotFound
        return obj
