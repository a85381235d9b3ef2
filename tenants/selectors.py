"""Every read of organisations and roles that reaches a user, scoped to that user.

A customer-side user sees its own organisation(s) only; a provider role (provider_staff or
provider_finance held at the provider) sees every organisation. The memberships are read once per user
object (one request) and cached on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Membership, Organisation
from .roles import ALL_ROLES, PROVIDER_ROLES, Role
from .types import User

_CACHE = "_portal_memberships"


def memberships_of(user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("organisation"))
        setattr(user, _CACHE, cached)
    return cached


def forget_memberships(user: User) -> None:
    """Drop the per-request cache after memberships changed."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def roles_of(user: User) -> set[str]:
    return {m.role for m in memberships_of(user)}


def has_any_role(user: User, roles: Iterable[str] = ALL_ROLES) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    wanted = set(roles)
    return any(m.role in wanted for m in memberships_of(user))


def is_provider_user(user: User) -> bool:
    """Holds a provider role at the provider (or is a superuser): sees every organisation."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        m.role in PROVIDER_ROLES and m.organisation.kind == Organisation.Kind.PROVIDER
        for m in memberships_of(user)
    )


def visible_organisation_ids(user: User) -> set[int] | None:
    """The ids of the organisations a user may see, or ``None`` for all of them."""
    if is_provider_user(user):
        return None
    return {m.organisation_id for m in memberships_of(user)}


def visible_organisations(user: User) -> QuerySet[Organisation]:
    ids = visible_organisation_ids(user)
    if ids is None:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=ids)


def organisations_where(user: User, roles: Iterable[str]) -> set[int]:
    """Ids of the organisations at which the user holds one of ``roles``."""
    wanted = set(roles)
    return {m.organisation_id for m in memberships_of(user) if m.role in wanted}


def scope_filter(user: User, field: str = "customer") -> dict | None:
    """Keyword filter that limits a queryset to the user's organisations through ``field``.

    Returns ``None`` when the user sees everything; use as ``qs.filter(**f) if f is not None else qs``.
    """
    ids = visible_organisation_ids(user)
    if ids is None:
        return None
    return {f"{field}__in": ids}


def scoped(queryset: QuerySet, user, field: str = "customer") -> QuerySet:
    """``queryset`` limited to the organisations the user may see (through ``field``)."""
    condition = scope_filter(user, field)
    return queryset if condition is None else queryset.filter(**condition)


def provider_organisation() -> Organisation | None:
    return Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).order_by("pk").first()


def primary_membership(user: User) -> Membership | None:
    """The membership shown in the header: a provider role first, then the first customer role."""
    memberships = memberships_of(user)
    order: dict[str, int] = {
        Role.PROVIDER_STAFF: 0,
        Role.PROVIDER_FINANCE: 1,
        Role.CONTRACT_MANAGER: 2,
        Role.FINANCE: 3,
    }
    return min(memberships, key=lambda m: (order.get(m.role, 9), m.organisation.name), default=None)
