"""View and viewset bases that every portal page and API endpoint builds on.

Layer one of the tenant defence is the queryset: views get theirs from a selector scoped to the user,
so another tenant's object is simply not found (404). Layer two is the guardian object permission,
checked on single objects. A role that may not use a page at all also gets 404: the page does not exist
for it.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from .roles import ALL_ROLES
from .selectors import has_any_role


class PortalAccessMixin:
    """Logged in, holding one of ``allowed_roles`` (any portal role when left empty)."""

    allowed_roles: frozenset[str] | set[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_any_role(request.user, self.allowed_roles or ALL_ROLES):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin(PortalAccessMixin):
    """A single-object view whose ``get_queryset`` returns a selector's scoped queryset.

    ``object_permission`` (``app_label.codename``) is checked with guardian on the object found.
    """

    object_permission: str | None = None

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if self.object_permission and not self.request.user.has_perm(self.object_permission, obj):
            raise Http404
        return obj


class HasPortalRole(BasePermission):
    """API: authenticated and holding one of the view's ``allowed_roles``; otherwise 404, not 403."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if not has_any_role(request.user, getattr(view, "allowed_roles", None) or ALL_ROLES):
            raise NotFound
        return True


class ScopedViewSetMixin:
    """A DRF viewset whose ``get_queryset`` returns a selector's scoped queryset.

    Objects outside the scope answer 404 by construction; ``object_permission`` adds guardian's check.
    """

    permission_classes = [HasPortalRole]
    allowed_roles: frozenset[str] | set[str] | None = None
    object_permission: str | None = None

    def get_object(self):
        obj = super().get_object()
        if self.object_permission and not self.request.user.has_perm(self.object_permission, obj):
            raise NotFound
        return obj
