"""Reads of agreements: the ones a user may see, the one in force for a customer on a date, signing."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenants.models import Organisation
from tenants.roles import CUSTOMER_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user, organisations_where, scoped
from tenants.types import User

from ..calendar import AgreementCalendar, agreement_calendar
from ..models import Agreement, AgreementLine

IN_FORCE = (Agreement.Status.ACTIVE, Agreement.Status.ENDED)


def agreements_for(user: User) -> QuerySet[Agreement]:
    return scoped(Agreement.objects.select_related("customer", "provider"), user)


def agreement_lines_for(user: User) -> QuerySet[AgreementLine]:
    return scoped(
        AgreementLine.objects.select_related("agreement", "agreement__customer", "service"),
        user,
        "agreement__customer",
    )


def in_force_on(on: date) -> Q:
    return Q(status__in=IN_FORCE, start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def agreement_in_force(*, customer: Organisation, on: date) -> Agreement | None:
    """The agreement in force for ``customer`` on ``on`` (at most one exists; it may since have ended),
    or ``None``.

    Not scoped to a user: billing and the transition call it for the customer they work on.
    """
    return (
        Agreement.objects.filter(in_force_on(on), customer=customer)
        .select_related("customer", "provider")
        .first()
    )


def runs_on(agreement: Agreement, on: date) -> bool:
    """Whether ``on`` lies within the agreement's term (whatever its status)."""
    return agreement.start_date <= on and (agreement.end_date is None or agreement.end_date >= on)


def is_in_force_in_year(agreement: Agreement, year: int) -> bool:
    """Active or ended, and running on at least one day of ``year``: such an agreement renews into it."""
    return (
        agreement.status in IN_FORCE
        and agreement.start_date <= date(year, 12, 31)
        and (agreement.end_date is None or agreement.end_date >= date(year, 1, 1))
    )


def in_force_in_year(year: int) -> Q:
    """The filter of :func:`is_in_force_in_year`, for a queryset of agreements."""
    return Q(status__in=IN_FORCE, start_date__lte=date(year, 12, 31)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def current_agreement_for(user: User, *, on: date | None = None) -> Agreement | None:
    """The agreement in force on ``on`` (today) for the organisation where the user holds a customer role."""
    on = on or timezone.localdate()
    ids = organisations_where(user, CUSTOMER_ROLES)
    if not ids:
        return None
    return (
        Agreement.objects.filter(in_force_on(on), customer_id__in=ids)
        .select_related("customer", "provider")
        .order_by("customer__name")
        .first()
    )


def own_agreement_for(user: User) -> Agreement | None:
    """The agreement "my agreement" opens: the one in force today, else the latest of the user's
    municipality (one still to be signed, or one that has ended)."""
    return (
        current_agreement_for(user)
        or agreements_for(user)
        .filter(customer_id__in=organisations_where(user, CUSTOMER_ROLES))
        .order_by("-start_date")
        .first()
    )


def signing_side(user: User, agreement: Agreement) -> str | None:
    """The side the user signs for, when the agreement awaits that side's signature."""
    if agreement.status != Agreement.Status.AWAITING_SIGNATURE:
        return None
    if not user.has_perm("agreements.sign_agreement", agreement):
        return None
    if has_any_role(user, {Role.PROVIDER_STAFF}) and is_provider_user(user):
        side = "provider"
    elif agreement.customer_id in organisations_where(user, {Role.CONTRACT_MANAGER}):
        side = "customer"
    else:
        return None
    return None if getattr(agreement, f"{side}_signed_at") else side


def calendar_of(agreement: Agreement, *, today: date | None = None) -> AgreementCalendar:
    return agreement_calendar(agreement, today=today or timezone.localdate())
