"""The execution's writes: Servicepunt71's staff and supplier contracts pass to Leiden, and each
municipality's Servicepunt71 agreement ends and is succeeded by one with Leiden holding the same lines.

Called by ``runs.execute_transition`` inside its one transaction, after every check has passed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementLine
from agreements.selectors import agreement_in_force
from agreements.services.agreements import create_agreement, end_agreement, link_predecessor
from agreements.services.lines import set_line_volumes
from core.history import Reason, create_many
from services.models import Service
from tenants.models import Organisation
from tenants.types import User

from ..inputs import TransitionInput
from ..models import EFFECTIVE_DATE, LAST_LEGACY_DAY, Employee, Employment, SupplierContract, TransitionRun
from ..selectors import successor_agreement

LEGACY_YEAR = LAST_LEGACY_DAY.year
NEW_YEAR = EFFECTIVE_DATE.year
BATCH = 2000
REASON = Reason("transition")


def transfer_staff(
    *,
    data: TransitionInput,
    run: TransitionRun,
    legacy: Organisation,
    provider: Organisation,
    by: User | None,
) -> int:
    """Every employee, with an employment at Servicepunt71 ending on 31-12-2022 and one at Leiden from
    01-01-2023 in the same function, scale, FTE and location."""
    employees = create_many(
        [
            Employee(
                personnel_number=row.personnel_number,
                first_name=row.first_name,
                name_prefix=row.name_prefix,
                last_name=row.last_name,
                function=row.function,
                salary_scale=row.salary_scale,
                fte=row.fte,
                location_id=row.location_id,
                department=row.department,
                employed_since=row.employed_since,
                transition_run=run,
                is_example=run.report.get("is_example", False),
            )
            for row in data.staff
        ],
        Employee,
        by=by,
        reason=REASON,
        batch_size=BATCH,
    )
    employments = []
    for employee in employees:
        common = {
            "employee_id": employee.pk,
            "function": employee.function,
            "salary_scale": employee.salary_scale,
            "fte": employee.fte,
            "location_id": employee.location_id,
            "transition_run": run,
        }
        employments.append(
            Employment(
                employer=legacy, start_date=employee.employed_since, end_date=LAST_LEGACY_DAY, **common
            )
        )
        employments.append(Employment(employer=provider, start_date=EFFECTIVE_DATE, end_date=None, **common))
    create_many(employments, Employment, by=by, reason=REASON, batch_size=BATCH)
    return len(employees)


def transfer_contracts(
    *, data: TransitionInput, run: TransitionRun, provider: Organisation, by: User | None
) -> int:
    """Every supplier contract, now held by Leiden, the supplier's consent pending."""
    contracts = create_many(
        [
            SupplierContract(
                number=row.number,
                supplier=row.supplier,
                kvk=row.kvk,
                description=row.description,
                start_date=row.start_date,
                end_date=row.end_date,
                annual_value=row.annual_value,
                holder=provider,
                novation_status=SupplierContract.Novation.PENDING,
                transition_run=run,
                is_example=run.report.get("is_example", False),
            )
            for row in data.contracts
        ],
        SupplierContract,
        by=by,
        reason=REASON,
        batch_size=BATCH,
    )
    return len(contracts)


def _before(agreement: Agreement, year: int) -> dict:
    """What the undo needs to put an existing agreement back: its end, status, predecessor and lines."""
    return {
        "id": agreement.pk,
        "year": year,
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "status": agreement.status,
        "predecessor": agreement.predecessor_id,
        "lines": {
            str(service_id): str(volume)
            for service_id, volume in AgreementLine.objects.filter(
                agreement=agreement, year=year
            ).values_list("service_id", "volume")
        },
    }


def _legacy_agreement(
    *, customer: Organisation, legacy: Organisation, by: User | None, undo: dict
) -> Agreement:
    """The municipality's Servicepunt71 agreement for 2022: the one on record, or one made for it."""
    existing = agreement_in_force(customer=customer, on=LAST_LEGACY_DAY)
    if existing is not None and existing.provider_id == legacy.pk:
        undo["changed"].append(_before(existing, LEGACY_YEAR))
        return existing
    return _created(
        undo,
        create_agreement(
            customer=customer,
            provider=legacy,
            start_date=date(LEGACY_YEAR, 1, 1),
            end_date=LAST_LEGACY_DAY,
            status=Agreement.Status.ACTIVE,
            by=by,
            title=_("Dienstverleningsovereenkomst Servicepunt71 – %(customer)s")
            % {"customer": customer.name},
        ),
    )


def _created(undo: dict, agreement: Agreement) -> Agreement:
    undo["created"].append(agreement.pk)
    return agreement


def carry_agreements(
    *,
    data: TransitionInput,
    legacy: Organisation,
    provider: Organisation,
    by: User | None,
    undo: dict | None = None,
) -> int:
    """Per municipality: the Servicepunt71 agreement gets its 2022 lines and ends on 31-12-2022; its
    successor with Leiden (the one in force on 01-01-2023, or a new one) gets the same lines for 2023.

    ``undo`` collects what was there before (agreements made, and the prior state of those changed),
    so the transition can be undone (``undo.undo_transition``)."""
    undo = undo if undo is not None else {}
    undo.setdefault("created", [])
    undo.setdefault("changed", [])
    per_customer: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in data.agreements:
        per_customer[row.customer_id][row.service_id] = row.volume
    services = Service.objects.in_bulk({row.service_id for row in data.agreements})
    reason = Reason("transition")
    carried = 0
    for customer in Organisation.objects.filter(pk__in=per_customer).order_by("name"):
        volumes = {services[pk]: volume for pk, volume in per_customer[customer.pk].items()}
        old = _legacy_agreement(customer=customer, legacy=legacy, by=by, undo=undo)
        set_line_volumes(agreement=old, year=LEGACY_YEAR, volumes=volumes, by=by, reason=reason)
        old = end_agreement(agreement=old, end_date=LAST_LEGACY_DAY, by=by)
        new = successor_agreement(customer=customer, provider=provider)
        if new is not None:
            undo["changed"].append(_before(new, NEW_YEAR))
            link_predecessor(agreement=new, predecessor=old, by=by, reason=reason)
        else:
            new = _created(
                undo,
                create_agreement(
                    customer=customer,
                    provider=provider,
                    start_date=EFFECTIVE_DATE,
                    status=Agreement.Status.ACTIVE,
                    by=by,
                    predecessor=old,
                ),
            )
        set_line_volumes(agreement=new, year=NEW_YEAR, volumes=volumes, by=by, reason=reason)
        carried += len(volumes)
    return carried
