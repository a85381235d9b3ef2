"""Every read of the transition that reaches a user. Staff, contracts and the report are Leiden's
business-operations records: provider roles see them, customer-side roles see nothing (and get 404)."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.formats import date_format

from agreements.models import Agreement
from agreements.selectors import agreement_in_force
from core.audit import Source
from tenants.models import Organisation
from tenants.selectors import is_provider_user
from tenants.types import User

from .models import EFFECTIVE_DATE, Employee, Employment, SupplierContract, TransitionRun
from .reconciliation import Reconciliation, reconcile


def _employments_on(on: date) -> QuerySet[Employment]:
    """The employments running on ``on`` (the end date inclusive, an open end for the current one)."""
    return Employment.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def employees_for(user: User, *, on: date | None = None, search: str = "") -> QuerySet[Employee]:
    """Employees with their location; with ``on``, annotated with the employer on that date; with
    ``search``, those whose name, personnel number or function contains it."""
    if not is_provider_user(user):
        return Employee.objects.none()
    queryset = Employee.objects.select_related("location", "transition_run")
    if search:
        queryset = queryset.filter(
            Q(last_name__icontains=search)
            | Q(first_name__icontains=search)
            | Q(personnel_number__icontains=search)
            | Q(function__icontains=search)
        )
    if on is not None:
        employment = _employments_on(on).filter(employee=OuterRef("pk"))
        queryset = queryset.annotate(employer_on=Subquery(employment.values("employer__name")[:1]))
    return queryset


def employments_of(user: User, *, employee: Employee) -> QuerySet[Employment]:
    if not is_provider_user(user):
        return Employment.objects.none()
    return employee.employments.select_related("employer", "location").order_by("start_date")


def employer_on(*, employee: Employee, on: date) -> Organisation | None:
    """Who employed ``employee`` on ``on`` (an Organisation), or ``None``."""
    employment = _employments_on(on).filter(employee=employee).select_related("employer").first()
    return employment.employer if employment else None


def contracts_for(user: User, *, status: str = "") -> QuerySet[SupplierContract]:
    """Supplier contracts with their holder; with ``status``, only those with that novation status."""
    if not is_provider_user(user):
        return SupplierContract.objects.none()
    queryset = SupplierContract.objects.select_related("holder")
    return queryset.filter(novation_status=status) if status else queryset


def runs_for(user: User) -> QuerySet[TransitionRun]:
    if not is_provider_user(user):
        return TransitionRun.objects.none()
    return TransitionRun.objects.select_related("created_by")


def executed_run_for(user: User) -> TransitionRun | None:
    return runs_for(user).filter(status=TransitionRun.Status.EXECUTED).first()


def reconciliation_for(user: User) -> Reconciliation | None:
    """The reconciliation of the executed transition, or ``None`` before it (or for customer roles)."""
    run = executed_run_for(user)
    return reconcile(run) if run is not None else None


def employee_history_sources(employee: Employee) -> list[Source]:
    """The employee and every employment (Servicepunt71's, then Leiden's), each named by its start."""
    employee_name = str(Employee._meta.verbose_name)
    employment_name = str(Employment._meta.verbose_name)
    return [
        Source(Employee, {"id": employee.pk}, lambda r: employee_name),
        Source(
            Employment,
            {"employee_id": employee.pk},
            lambda r: f"{employment_name} {date_format(r.start_date, 'd-m-Y')}",  # type: ignore[attr-defined]
        ),
    ]


def own_history_sources(obj: SupplierContract | TransitionRun) -> list[Source]:
    """What the history of a supplier contract or a transition run shows: the object's own records."""
    name = str(type(obj)._meta.verbose_name)
    return [Source(type(obj), {"id": obj.pk}, lambda r: name)]


# --- Unscoped: the transition's own checks --------------------------------------------------------


def executed_run() -> TransitionRun | None:
    """The executed transition, if any (there is at most one)."""
    return TransitionRun.objects.filter(status=TransitionRun.Status.EXECUTED).first()


def successor_agreement(*, customer: Organisation, provider: Organisation) -> Agreement | None:
    """The municipality's agreement with Leiden in force on the effective date: it becomes the successor."""
    current = agreement_in_force(customer=customer, on=EFFECTIVE_DATE)
    return current if current is not None and current.provider_id == provider.pk else None
