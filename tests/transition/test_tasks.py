"""The admin's dry run and execution run as a Celery task, on a real worker over Redis."""

import time

import pytest
from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile

from transition.models import Employee, TransitionRun
from transition.reconciliation import reconcile
from transition.services.runs import carry_out_run, confirm_execution, start_upload_run
from transition.tasks import carry_out_run_task

from .conftest import AGREEMENT_ROWS
from .factories import staff_row, transition_files


def uploads(files):
    return {
        "staff": SimpleUploadedFile(files.staff.name, files.staff.data),
        "contracts": SimpleUploadedFile(files.contracts.name, files.contracts.data),
        "agreements": SimpleUploadedFile(files.agreements.name, files.agreements.data),
    }


def wait_for(run: TransitionRun, timeout: float = 120) -> str:
    """The worker's result for ``run``: its task records its id when it claims the run, then finishes it."""
    deadline = time.monotonic() + timeout
    while not (task_id := TransitionRun.objects.get(pk=run.pk).task_id):
        assert time.monotonic() < deadline, "the worker did not claim the run"
        time.sleep(0.05)
    return AsyncResult(task_id).get(timeout=timeout)


@pytest.mark.celery
def test_dry_run_and_execution_run_on_a_real_worker(celery_worker, world, provider_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = transition_files(
        staff_rows=[staff_row("SP71-1"), staff_row("SP71-2")], agreement_rows=AGREEMENT_ROWS
    )
    dry = start_upload_run(by=provider_staff, **uploads(files))
    assert wait_for(dry) == TransitionRun.Status.VALID
    dry.refresh_from_db()
    assert dry.report["source"]["staff"] == 2
    assert dry.report["actions"]
    assert Employee.objects.count() == 0

    execution = confirm_execution(run=dry, by=provider_staff)
    assert wait_for(execution) == TransitionRun.Status.EXECUTED
    execution.refresh_from_db()
    assert execution.created_by == provider_staff
    assert Employee.objects.count() == 2
    assert reconcile(execution).is_complete
    # The task is safe to run twice: a run that is no longer queued is left alone.
    assert carry_out_run_task.delay(run_id=execution.pk).get(timeout=60) == TransitionRun.Status.EXECUTED


@pytest.mark.celery
def test_a_dry_run_with_problems_is_reported_by_the_worker(
    celery_worker, world, provider_staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    files = transition_files(staff_rows=[staff_row(fte="1,5")])
    run = start_upload_run(by=provider_staff, **uploads(files))
    assert wait_for(run) == TransitionRun.Status.INVALID
    run.refresh_from_db()
    assert run.report["problems"][0].startswith("personeel.csv:2: fte:")


def test_the_worker_reports_progress_in_steps(
    world, provider_staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        run = start_upload_run(by=provider_staff, **uploads(transition_files(agreement_rows=AGREEMENT_ROWS)))
    steps = []
    assert carry_out_run(run_id=run.pk, progress=lambda percent, step: steps.append(percent)) == "valid"
    assert steps == sorted(steps)
    assert steps[-1] == 100


def test_an_unexpected_error_marks_the_run_failed(
    world, provider_staff, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from transition.services import transfer

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        run = start_upload_run(
            by=provider_staff,
            mode=TransitionRun.Mode.EXECUTE,
            **uploads(transition_files(agreement_rows=AGREEMENT_ROWS)),
        )
    monkeypatch.setattr(transfer, "transfer_contracts", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        carry_out_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == TransitionRun.Status.FAILED
    assert Employee.objects.count() == 0
