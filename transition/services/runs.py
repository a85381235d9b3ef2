"""Transition runs: the dry run, the execution in one transaction, and uploads carried out by a worker.

The order is fixed: an executed transition is checked first (the same files again change nothing and
say so; different files are refused), then all three files are read and checked (every problem, nothing
written), and only then is anything written, in one transaction: staff, contracts, agreements, the run
(``transfer``). An upload in the admin is stored as a queued run; the task
``transition.carry_out_run_task`` claims it and carries it out, exactly once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csvinput import CsvProblems
from core.history import Reason, save_with_history
from core.runs import beat, failure_reason, record_failure
from core.runs import stale_after as default_stale_after
from core.tasks import enqueue
from core.texts import Text, render
from tenants.models import Organisation
from tenants.selectors import provider_organisation
from tenants.types import User

from ..inputs import InputFile, TransitionFiles, TransitionInput, read_transition_files
from ..models import TransitionRun
from ..reconciliation import reconcile
from ..selectors import executed_run, successor_agreement
from . import transfer

Progress = Callable[[int, str], None]
RUN_TASK = "transition.carry_out_run_task"


class TransitionRefused(ValidationError):
    """Different files after an execution, or a transition without its organisations."""


@dataclass
class Outcome:
    status: str
    message: str
    summary: dict[str, Any] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    run: TransitionRun | None = None


def _noop(percent: int, step: str) -> None:
    return None


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


def _agreement_plan(data: TransitionInput, provider: Organisation) -> list[str]:
    """What execution will do per municipality, in words, for the dry run."""
    per_customer: dict[int, list[Any]] = defaultdict(list)
    for row in data.agreements:
        per_customer[row.customer_id].append(row)
    actions = []
    for customer in Organisation.objects.filter(pk__in=per_customer).order_by("name"):
        lines = len(per_customer[customer.pk])
        current = successor_agreement(customer=customer, provider=provider)
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


@transaction.atomic
def execute_transition(
    *,
    files: TransitionFiles,
    by: User | None = None,
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
    run.staff_count = transfer.transfer_staff(data=data, run=run, legacy=legacy, provider=provider, by=by)
    progress(60, _("Leverancierscontracten overzetten"))
    run.contract_count = transfer.transfer_contracts(data=data, run=run, provider=provider, by=by)
    progress(75, _("Overeenkomsten overzetten"))
    undo: dict = {}
    run.agreement_line_count = transfer.carry_agreements(
        data=data, legacy=legacy, provider=provider, by=by, undo=undo
    )
    progress(90, _("Aansluiting maken"))
    run.report = {"is_example": is_example, "source": data.summary(), "undo": undo}
    run.report["reconciliation"] = reconcile(run).as_json()
    run.status = TransitionRun.Status.EXECUTED
    run.finished_at = timezone.now()
    run.message = Text(
        "transition_executed",
        staff=run.staff_count,
        contracts=run.contract_count,
        lines=run.agreement_line_count,
    ).encode()
    save_with_history(run, by=by)
    progress(100, _("Klaar"))
    return Outcome(
        status=TransitionRun.Status.EXECUTED,
        message=render(run.message),
        summary=run.report["source"],
        actions=[_staff_action(data), _contract_action(data)],
        run=run,
    )


# --- Uploads in the admin: a queued run with its files, carried out by a Celery task ----------------


def _stream_checksum(upload: File) -> str:
    """SHA-256 of an upload read in chunks (the same digest as ``InputFile.checksum``)."""
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def _files_of(run: TransitionRun) -> TransitionFiles:
    def read(field_file: FieldFile) -> InputFile:
        field_file.open("rb")
        try:
            return InputFile(name=(field_file.name or "").rsplit("/", 1)[-1], data=field_file.read())
        finally:
            field_file.close()

    return TransitionFiles(read(run.staff_file), read(run.contracts_file), read(run.agreements_file))


@transaction.atomic
def start_upload_run(
    *, staff: File, contracts: File, agreements: File, by: User, mode: str = TransitionRun.Mode.DRY_RUN
) -> TransitionRun:
    """Store three uploaded files as a queued run and hand it to the worker once committed.

    The files are streamed in chunks (checksum and storage), never read whole into the request."""
    run = TransitionRun(mode=mode, status=TransitionRun.Status.QUEUED, created_by=by)
    for kind, upload in (("staff", staff), ("contracts", contracts), ("agreements", agreements)):
        setattr(run, f"{kind}_checksum", _stream_checksum(upload))
        upload.seek(0)
        getattr(run, f"{kind}_file").save(upload.name or f"{kind}.csv", upload, save=False)
    save_with_history(run, by=by)
    enqueue(RUN_TASK, run_id=run.pk)
    return run


@transaction.atomic
def confirm_execution(*, run: TransitionRun, by: User) -> TransitionRun:
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
    save_with_history(execution, by=by)
    enqueue(RUN_TASK, run_id=execution.pk)
    return execution


@transaction.atomic
def claim_run(*, run_id: int, task_id: str = "") -> tuple[TransitionRun | None, bool]:
    """Take a queued run in hand (status running, the worker's task id recorded for its progress).

    Returns the run and whether this call claimed it: a missing run, or one no longer queued (a second
    delivery of the task, or another worker first), is not claimed. The row lock makes one claim win.
    """
    run = TransitionRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != TransitionRun.Status.QUEUED:
        return run, False
    run.status = TransitionRun.Status.RUNNING
    run.task_id = task_id or run.task_id
    run.heartbeat_at = timezone.now()
    save_with_history(
        run, reason=Reason("transition_pending"), update_fields=["status", "task_id", "heartbeat_at"]
    )
    return run, True


def _finish(run: TransitionRun, *, status: str, message: str, **values: Any) -> TransitionRun:
    """Record how a run ended, in a transaction of its own (an execution that failed has rolled back)."""
    with transaction.atomic():
        run = TransitionRun.objects.select_for_update().get(pk=run.pk)
        values = {"report": {}, **values, "status": status, "message": message, "finished_at": timezone.now()}
        for name, value in values.items():
            setattr(run, name, value)
        return save_with_history(run, update_fields=list(values))


ACTIVE = (TransitionRun.Status.QUEUED, TransitionRun.Status.RUNNING)


def carry_out_run(*, run_id: int, progress: Progress = _noop, task_id: str = "") -> str:
    """The worker's part: dry run or execution of a queued upload. Safe to run twice: the first call
    claims the run; a task delivered again for a run still running (its worker died and the message
    came back) continues it: an execution that was cut off rolled back whole, a dry run writes nothing.

    Every failure ends the run: problems in the files (invalid), a refusal, or any other error (a time
    limit, a lost connection), recorded on a connection of its own and raised again for the worker.
    """
    run, claimed = claim_run(run_id=run_id, task_id=task_id)
    if run is None:
        return "missing"
    if not claimed and run.status != TransitionRun.Status.RUNNING:
        return run.status

    def working(percent: int, step: str) -> None:
        beat(TransitionRun, run.pk, active=ACTIVE)
        progress(percent, step)

    try:
        files = _files_of(run)
        if run.mode == TransitionRun.Mode.DRY_RUN:
            outcome = plan_transition(files=files, progress=working)
        else:
            outcome = execute_transition(files=files, by=run.created_by, run=run, progress=working)
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
        # Rolled back; record why on a connection of its own, then let the worker log the error.
        record_failure(TransitionRun, run.pk, reason=failure_reason(exc), active=ACTIVE, report={})
        raise
    if outcome.status == TransitionRun.Status.EXECUTED:
        return outcome.status
    if outcome.run is not None and outcome.run.pk == run.pk:
        return outcome.run.status  # a second delivery found its own run executed by the first
    counts = outcome.summary
    return _finish(
        run,
        status=outcome.status,
        message=outcome.message,
        report={"source": outcome.summary, "actions": outcome.actions},
        staff_count=counts.get("staff", 0),
        contract_count=counts.get("contracts", 0),
        agreement_line_count=len(counts.get("agreement_lines", [])),
    ).status


def _interrupted(run: TransitionRun) -> str:
    when = timezone.localtime(run.last_sign_of_life).strftime("%d-%m-%Y %H:%M")
    return _(
        "Onderbroken: geen teken van leven sinds %(when)s (de worker is gestopt of de verbinding is "
        "verbroken). Er is niets geschreven; start de run opnieuw."
    ) % {"when": when}


def recover_stale_runs(*, stale_after: timedelta | None = None) -> list[TransitionRun]:
    """Mark queued or running runs whose heartbeat is stale as failed ("onderbroken"). A run whose row
    an open transaction still holds (an execution under way) is alive and skipped."""
    cutoff = timezone.now() - (stale_after if stale_after is not None else default_stale_after())
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    recovered = []
    for run_id in TransitionRun.objects.filter(stale, status__in=ACTIVE).values_list("pk", flat=True):
        with transaction.atomic():
            run = (
                TransitionRun.objects.select_for_update(skip_locked=True)
                .filter(stale, pk=run_id, status__in=ACTIVE)
                .first()
            )
            if run is None:
                continue
            run.status, run.message, run.finished_at = (
                TransitionRun.Status.FAILED,
                _interrupted(run),
                timezone.now(),
            )
            save_with_history(
                run, reason=_("onderbroken"), update_fields=["status", "message", "finished_at"]
            )
            recovered.append(run)
    return recovered


@transaction.atomic
def retry_run(*, run: TransitionRun, by: User) -> TransitionRun:
    """Start a failed or stuck run again: a new queued run with the same files and mode."""
    run = TransitionRun.objects.select_for_update().get(pk=run.pk)
    if run.status in ACTIVE:
        if not run.is_stale:
            raise ValidationError(
                _("Deze run is nog bezig; opnieuw starten kan als hij vastloopt of mislukt.")
            )
        run.status, run.message, run.finished_at = (
            TransitionRun.Status.FAILED,
            _interrupted(run),
            timezone.now(),
        )
        save_with_history(
            run, by=by, reason=_("onderbroken"), update_fields=["status", "message", "finished_at"]
        )
    elif run.status != TransitionRun.Status.FAILED:
        raise ValidationError(_("Alleen een mislukte of vastgelopen run kan opnieuw worden gestart."))
    again = TransitionRun(
        mode=run.mode,
        status=TransitionRun.Status.QUEUED,
        created_by=by,
        staff_checksum=run.staff_checksum,
        contracts_checksum=run.contracts_checksum,
        agreements_checksum=run.agreements_checksum,
        staff_file=run.staff_file.name,
        contracts_file=run.contracts_file.name,
        agreements_file=run.agreements_file.name,
    )
    save_with_history(again, by=by, reason=_("opnieuw gestart na run %(run)d") % {"run": run.pk})
    enqueue(RUN_TASK, run_id=again.pk)
    return again
