"""Every write of the transition: the dry run, the execution in one transaction, novation and edits.

The order is fixed: an executed transition is checked first (the same files again change nothing and
say so; different files are refused), then all three files are read and checked (every problem, nothing
written), and only then is anything written, in one transaction: staff, contracts, agreements, the run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from agreements.models import Agreement
from agreements.selectors import active_agreement_for
from agreements.services import create_agreement, end_agreement, link_predecessor, set_line_volumes
from core.csvinput import CsvProblems
from services.models import Service
from tenants.models import Organisation
from tenants.selectors import provider_organisation

from .inputs import InputFile, TransitionFiles, TransitionInput, read_transition_files
from .models import (
    EFFECTIVE_DATE,
    LAST_LEGACY_DAY,
    TRANSFER_FIELDS,
    Employee,
    Employment,
    SupplierContract,
    TransitionRun,
)
from .reconciliation import reconcile

LEGACY_YEAR = LAST_LEGACY_DAY.year
NEW_YEAR = EFFECTIVE_DATE.year
BATCH = 2000

Progress = Callable[[int, str], None]


class TransitionRefused(ValidationError):
    """Different files after an execution, or a transition without its organisations."""


@dataclass
class Outcome:
    status: str
    message: str
    summary: dict = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    run: TransitionRun | None = None


def _noop(percent: int, step: str) -> None:
    return None


def executed_run() -> TransitionRun | None:
    return TransitionRun.objects.filter(status=TransitionRun.Status.EXECUTED).first()


def _organisations() -> tuple[Organisation, Organisation]:
    legacy = Organisation.objects.filter(kind=Organisation.Kind.LEGACY_PROVIDER).order_by("pk").first()
    provider = provider_organisation()
    if legacy is None or provider is None:
        raise TransitionRefused(
            _("De transitie heeft Servicepunt71 (voormalige aanbieder) en Leiden (aanbieder) nodig.")
        )
    return legacy, provider


def _already_done(files: TransitionFiles) -> Outcome | None:
    """``None`` when nothing was executed yet; an 'unchanged' outcome for the same files; else refused."""
    done = executed_run()
    if done is None:
        return None
    when = timezone.localtime(done.finished_at or done.created_at).strftime("%d-%m-%Y %H:%M")
    if done.checksums == files.checksums:
        return Outcome(
            status=TransitionRun.Status.UNCHANGED,
            message=_(
                "De transitie is op %(when)s al met deze bestanden uitgevoerd (run %(run)d); er is niets gewijzigd."
            )
            % {"when": when, "run": done.pk},
            summary=done.report.get("source", {}),
            run=done,
        )
    raise TransitionRefused(
        _(
            "De transitie is op %(when)s al uitgevoerd (run %(run)d) met andere bestanden. Een tweede "
            "uitvoering met andere bestanden wordt geweigerd; er is niets gewijzigd."
        )
        % {"when": when, "run": done.pk}
    )


def _provider_agreement(*, customer: Organisation, provider: Organisation) -> Agreement | None:
    """The municipality's agreement with Leiden in force on the effective date: it becomes the successor."""
    current = active_agreement_for(customer=customer, on=EFFECTIVE_DATE)
    return current if current is not None and current.provider_id == provider.pk else None


def _agreement_plan(data: TransitionInput, provider: Organisation) -> list[str]:
    """What execution will do per municipality, in words, for the dry run."""
    per_customer = defaultdict(list)
    for row in data.agreements:
        per_customer[row.customer_id].append(row)
    actions = []
    for customer in Organisation.objects.filter(pk__in=per_customer).order_by("name"):
        lines = len(per_customer[customer.pk])
        current = _provider_agreement(customer=customer, provider=provider)
        if current is not None:
            actions.append(
                _(
                    "%(customer)s: overeenkomst met Servicepunt71 met %(lines)d regels voor 2022, beëindigd "
                    "op 31-12-2022; de bestaande overeenkomst %(number)s met Leiden wordt de opvolger en "
                    "krijgt dezelfde diensten en afname voor 2023."
                )
                % {"customer": customer.name, "lines": lines, "number": current.number}
            )
        else:
            actions.append(
                _(
                    "%(customer)s: overeenkomst met Servicepunt71 met %(lines)d regels voor 2022, beëindigd "
                    "op 31-12-2022; een nieuwe overeenkomst met Leiden vanaf 01-01-2023 met dezelfde "
                    "diensten en afname voor 2023."
                )
                % {"customer": customer.name, "lines": lines}
            )
    return actions


def _staff_action(data: TransitionInput) -> str:
    return _(
        "%(staff)d medewerkers gaan op 01-01-2023 over naar Leiden met dezelfde functie, schaal, fte en "
        "standplaats; hun dienstverband bij Servicepunt71 eindigt op 31-12-2022."
    ) % {"staff": len(data.staff)}


def _contract_action(data: TransitionInput) -> str:
    return _(
        "%(contracts)d leverancierscontracten gaan over naar Leiden; de toestemming van de leverancier "
        "staat op 'gevraagd' tot die is vastgelegd."
    ) % {"contracts": len(data.contracts)}


def plan_transition(*, files: TransitionFiles, progress: Progress = _noop) -> Outcome:
    """The dry run: every check of execution, and what it would do. Writes nothing.

    Raises :class:`core.csvinput.CsvProblems` with every problem, or :class:`TransitionRefused`.
    """
    progress(5, _("Eerdere uitvoering controleren"))
    done = _already_done(files)
    if done is not None:
        return done
    _legacy, provider = _organisations()
    progress(20, _("Bestanden lezen en controleren"))
    data = read_transition_files(files)
    progress(80, _("Plan opstellen"))
    actions = [_staff_action(data), _contract_action(data), *_agreement_plan(data, provider)]
    progress(100, _("Klaar"))
    return Outcome(
        status=TransitionRun.Status.VALID,
        message=_("Proef geslaagd: geen problemen gevonden. Er is niets geschreven."),
        summary=data.summary(),
        actions=actions,
    )


def _create_with_history(objects: list, model, *, by) -> list:
    """Insert the transition's records in batches, each with its history row (who, reason 'transitie')."""
    return bulk_create_with_history(
        objects, model, batch_size=BATCH, default_user=by, default_change_reason="transitie"
    )


def _transfer_staff(*, data: TransitionInput, run: TransitionRun, legacy, provider, by) -> int:
    employees = _create_with_history(
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
    _create_with_history(employments, Employment, by=by)
    return len(employees)


def _transfer_contracts(*, data: TransitionInput, run: TransitionRun, provider, by) -> int:
    contracts = _create_with_history(
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
    )
    return len(contracts)


def _legacy_agreement(*, customer: Organisation, legacy: Organisation, by) -> Agreement:
    """The municipality's Servicepunt71 agreement for 2022: the one on record, or one made for it."""
    existing = active_agreement_for(customer=customer, on=LAST_LEGACY_DAY)
    if existing is not None and existing.provider_id == legacy.pk:
        return existing
    return create_agreement(
        customer=customer,
        provider=legacy,
        start_date=date(LEGACY_YEAR, 1, 1),
        end_date=LAST_LEGACY_DAY,
        status=Agreement.Status.ACTIVE,
        by=by,
        title=_("Dienstverleningsovereenkomst Servicepunt71 – %(customer)s") % {"customer": customer.name},
    )


def _carry_agreements(*, data: TransitionInput, legacy, provider, by) -> int:
    per_customer: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in data.agreements:
        per_customer[row.customer_id][row.service_id] = row.volume
    services = Service.objects.in_bulk({row.service_id for row in data.agreements})
    reason = _("Transitie Servicepunt71")
    carried = 0
    for customer in Organisation.objects.filter(pk__in=per_customer).order_by("name"):
        volumes = {services[pk]: volume for pk, volume in per_customer[customer.pk].items()}
        old = _legacy_agreement(customer=customer, legacy=legacy, by=by)
        set_line_volumes(agreement=old, year=LEGACY_YEAR, volumes=volumes, by=by, reason=reason)
        old = end_agreement(agreement=old, end_date=LAST_LEGACY_DAY, by=by)
        new = _provider_agreement(customer=customer, provider=provider)
        if new is not None:
            link_predecessor(agreement=new, predecessor=old, by=by, reason=reason)
        else:
            new = create_agreement(
                customer=customer,
                provider=provider,
                start_date=EFFECTIVE_DATE,
                status=Agreement.Status.ACTIVE,
                by=by,
                predecessor=old,
            )
        set_line_volumes(agreement=new, year=NEW_YEAR, volumes=volumes, by=by, reason=reason)
        carried += len(volumes)
    return carried


@transaction.atomic
def execute_transition(
    *,
    files: TransitionFiles,
    by=None,
    run: TransitionRun | None = None,
    progress: Progress = _noop,
    is_example: bool = False,
) -> Outcome:
    """Carry out the transition in one transaction: all of it, or (on any error) nothing.

    ``run`` is the queued run of an upload in the admin; without it (the command) a run is recorded.
    Raises :class:`core.csvinput.CsvProblems` or :class:`TransitionRefused`; writes nothing then.
    """
    legacy, provider = _organisations()
    # Serialise executions: a second one waits here and then finds the first one done.
    Organisation.objects.select_for_update().get(pk=legacy.pk)
    progress(2, _("Eerdere uitvoering controleren"))
    done = _already_done(files)
    if done is not None:
        return done
    progress(5, _("Bestanden lezen en controleren"))
    data = read_transition_files(files)
    if run is None:
        run = TransitionRun(mode=TransitionRun.Mode.EXECUTE, created_by=by)
    else:
        run = TransitionRun.objects.select_for_update().get(pk=run.pk)
    run.mode = TransitionRun.Mode.EXECUTE
    run.status = TransitionRun.Status.RUNNING
    run.staff_checksum, run.contracts_checksum, run.agreements_checksum = files.checksums
    run.report = {"is_example": is_example}
    run.save()
    progress(20, _("Medewerkers overzetten"))
    run.staff_count = _transfer_staff(data=data, run=run, legacy=legacy, provider=provider, by=by)
    progress(60, _("Leverancierscontracten overzetten"))
    run.contract_count = _transfer_contracts(data=data, run=run, provider=provider, by=by)
    progress(75, _("Overeenkomsten overzetten"))
    run.agreement_line_count = _carry_agreements(data=data, legacy=legacy, provider=provider, by=by)
    progress(90, _("Aansluiting maken"))
    run.report = {"is_example": is_example, "source": data.summary()}
    run.report["reconciliation"] = reconcile(run).as_json()
    run.status = TransitionRun.Status.EXECUTED
    run.finished_at = timezone.now()
    run.message = _("Uitgevoerd: %(staff)d medewerkers, %(contracts)d contracten, %(lines)d regels.") % {
        "staff": run.staff_count,
        "contracts": run.contract_count,
        "lines": run.agreement_line_count,
    }
    if by is not None:
        run._history_user = by
    run.save()
    progress(100, _("Klaar"))
    return Outcome(
        status=TransitionRun.Status.EXECUTED,
        message=run.message,
        summary=run.report["source"],
        actions=[_staff_action(data), _contract_action(data)],
        run=run,
    )


# --- Uploads in the admin: a queued run with its files, carried out by a Celery task ----------------


def _files_of(run: TransitionRun) -> TransitionFiles:
    def read(field_file) -> InputFile:
        field_file.open("rb")
        try:
            return InputFile(name=field_file.name.rsplit("/", 1)[-1], data=field_file.read())
        finally:
            field_file.close()

    return TransitionFiles(read(run.staff_file), read(run.contracts_file), read(run.agreements_file))


@transaction.atomic
def start_upload_run(
    *, staff, contracts, agreements, by, mode: str = TransitionRun.Mode.DRY_RUN
) -> TransitionRun:
    """Store three uploaded files as a queued run and hand it to the worker once committed."""
    files = TransitionFiles(
        InputFile(staff.name, staff.read()),
        InputFile(contracts.name, contracts.read()),
        InputFile(agreements.name, agreements.read()),
    )
    run = TransitionRun(mode=mode, status=TransitionRun.Status.QUEUED, created_by=by)
    run.staff_checksum, run.contracts_checksum, run.agreements_checksum = files.checksums
    run.staff_file.save(files.staff.name, ContentFile(files.staff.data), save=False)
    run.contracts_file.save(files.contracts.name, ContentFile(files.contracts.data), save=False)
    run.agreements_file.save(files.agreements.name, ContentFile(files.agreements.data), save=False)
    run._history_user = by
    run.save()
    _enqueue(run)
    return run


@transaction.atomic
def confirm_execution(*, run: TransitionRun, by) -> TransitionRun:
    """After a successful dry run: queue the execution of the same files as a new run."""
    run = TransitionRun.objects.select_for_update().get(pk=run.pk)
    if run.mode != TransitionRun.Mode.DRY_RUN or run.status != TransitionRun.Status.VALID:
        raise ValidationError(_("Alleen na een geslaagde proef kan de transitie worden uitgevoerd."))
    execution = TransitionRun(
        mode=TransitionRun.Mode.EXECUTE,
        status=TransitionRun.Status.QUEUED,
        created_by=by,
        staff_checksum=run.staff_checksum,
        contracts_checksum=run.contracts_checksum,
        agreements_checksum=run.agreements_checksum,
        staff_file=run.staff_file.name,
        contracts_file=run.contracts_file.name,
        agreements_file=run.agreements_file.name,
    )
    execution._history_user = by
    execution.save()
    _enqueue(execution)
    return execution


def _enqueue(run: TransitionRun) -> None:
    from .tasks import run_transition_task

    def send() -> None:
        result = run_transition_task.delay(run_id=run.pk)
        TransitionRun.objects.filter(pk=run.pk, task_id="").update(task_id=result.id or "")

    transaction.on_commit(send)


def _finish(run: TransitionRun, *, status: str, message: str, report: dict | None = None) -> TransitionRun:
    TransitionRun.objects.filter(pk=run.pk).update(
        status=status, message=message, report=report or {}, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def carry_out_run(*, run_id: int, progress: Progress = _noop) -> str:
    """The worker's part: dry run or execution of a queued upload. Safe to run twice (guard first)."""
    run = TransitionRun.objects.filter(pk=run_id).first()
    if run is None or run.status != TransitionRun.Status.QUEUED:
        return run.status if run else "missing"
    if not TransitionRun.objects.filter(pk=run.pk, status=TransitionRun.Status.QUEUED).update(
        status=TransitionRun.Status.RUNNING
    ):
        return TransitionRun.objects.get(pk=run.pk).status
    files = _files_of(run)
    try:
        if run.mode == TransitionRun.Mode.DRY_RUN:
            outcome = plan_transition(files=files, progress=progress)
        else:
            outcome = execute_transition(files=files, by=run.created_by, run=run, progress=progress)
    except CsvProblems as exc:
        problems = [str(p) for p in exc.problems]
        message = _("%(count)d problemen gevonden; er is niets geschreven.") % {"count": len(problems)}
        return _finish(
            run, status=TransitionRun.Status.INVALID, message=message, report={"problems": problems}
        ).status
    except TransitionRefused as exc:
        return _finish(run, status=TransitionRun.Status.REFUSED, message=" ".join(exc.messages)).status
    except ValidationError as exc:
        return _finish(run, status=TransitionRun.Status.FAILED, message=" ".join(exc.messages)).status
    except Exception as exc:
        # Rolled back; record why, then let the worker log the error.
        _finish(run, status=TransitionRun.Status.FAILED, message=_("Mislukt: %(error)s") % {"error": exc})
        raise
    if outcome.status == TransitionRun.Status.EXECUTED:
        return outcome.status
    counts = outcome.summary
    TransitionRun.objects.filter(pk=run.pk).update(
        staff_count=counts.get("staff", 0),
        contract_count=counts.get("contracts", 0),
        agreement_line_count=len(counts.get("agreement_lines", [])),
    )
    return _finish(
        run,
        status=outcome.status,
        message=outcome.message,
        report={"source": outcome.summary, "actions": outcome.actions},
    ).status


# --- After the transition --------------------------------------------------------------------------


@transaction.atomic
def record_novation(
    *, contract: SupplierContract, status: str, on: date, note: str = "", by=None
) -> SupplierContract:
    """Record the supplier's consent or refusal of the novation to Leiden."""
    contract = SupplierContract.objects.select_for_update().get(pk=contract.pk)
    if status not in (SupplierContract.Novation.GIVEN, SupplierContract.Novation.REFUSED):
        raise ValidationError(_("Leg toestemming of weigering vast."))
    if on < contract.start_date:
        raise ValidationError(_("De datum ligt voor de start van het contract."))
    if on > timezone.localdate():
        raise ValidationError(_("De datum ligt in de toekomst."))
    contract.novation_status = status
    contract.novation_date = on
    contract.novation_note = note
    if by is not None:
        contract._history_user = by
    contract.save(update_fields=["novation_status", "novation_date", "novation_note"])
    return contract


@transaction.atomic
def update_employee(*, employee: Employee, by=None, **changes) -> Employee:
    """Change an employee's department (the rest of a transferred employee is the transfer's record)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    locked = [name for name in changes if name in TRANSFER_FIELDS]
    if employee.is_transferred and any(changes[name] != getattr(employee, name) for name in locked):
        raise ValidationError(
            _("Functie, schaal en fte van een overgegane medewerker liggen vast met de transitie.")
        )
    allowed = {"department", *TRANSFER_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("Deze gegevens kunnen hier niet worden gewijzigd: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    for name, value in changes.items():
        setattr(employee, name, value)
    if by is not None:
        employee._history_user = by
    employee.save()
    return employee
