"""Helpers that turn 'not yours' into 404, so another tenant's object never reveals it exists."""

from django.http import Http404


def require_object_permission(user, perm: str, obj) -> None:
    """Second line of defence behind the scoped selectors: the guardian object permission."""
    if not user.has_perm(perm, obj):
        raise Http404
