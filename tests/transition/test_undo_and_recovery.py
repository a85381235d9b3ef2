"""A transition fed a file without data is refused; an execution nothing has built on can be undone and
then executed with the correct files; a run always ends, and a stuck one can be started again."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from agreements.models import Agreement, AgreementLine
from core.csvinput import CsvProblems
from transition.models import Employee, Employment, SupplierContract, TransitionRun
from transition.services.runs import execute_transition, plan_transition, recover_stale_runs
from transition.services.undo import UndoRefused, undo_transition

from .conftest import AGREEMENT_ROWS
from .factories import STAFF_HEADER, contract_row, csv_bytes, staff_row, transition_files

pytestmark = pytest.mark.django_db


def good_files(staff=None):
    return transition_files(
        staff_rows=staff or [staff_row("SP71-1"), staff_row("SP71-2")],
        contract_rows=[contract_row("C-1")],
        agreement_rows=AGREEMENT_ROWS,
    )


def test_a_staff_file_with_only_a_header_is_refused_in_the_dry_run_and_the_execution(world):
    files = good_files()
    files = type(files)(
        type(files.staff)("personeel.csv", csv_bytes(STAFF_HEADER, [])), files.contracts, files.agreements
    )
    for attempt in (plan_transition, execute_transition):
        with pytest.raises(CsvProblems) as exc:
            attempt(files=files)
        assert "personeel.csv:1: -: geen gegevensregels" in [str(p) for p in exc.value.problems]
    assert not TransitionRun.objects.filter(status=TransitionRun.Status.EXECUTED).exists()


def test_an_execution_is_undone_whole_and_the_correct_files_can_then_be_executed(world):
    wrong = execute_transition(files=good_files()).run
    leiderdorp_lines_before = {("ICT-01", 2023): 5}
    undone = undo_transition(run=wrong, by=None, reason="verkeerd personeelsbestand")
    assert undone.status == TransitionRun.Status.UNDONE
    assert not Employee.objects.exists()
    assert not Employment.objects.exists()
    assert not SupplierContract.objects.exists()
    assert not Agreement.objects.filter(provider=world.servicepunt71).exists()
    assert not Agreement.objects.filter(customer=world.oegstgeest).exists()  # made by the transition
    existing = Agreement.objects.get(number="DVO-2023-0547")
    assert existing.predecessor_id is None
    assert {
        (line.service.code, line.year): int(line.volume)
        for line in AgreementLine.objects.filter(agreement=existing)
    } == leiderdorp_lines_before
    right = execute_transition(
        files=good_files([staff_row("SP71-1"), staff_row("SP71-2"), staff_row("SP71-3")])
    )
    assert right.status == TransitionRun.Status.EXECUTED
    assert Employee.objects.count() == 3
    assert Employee.history.filter(history_type="-").exists()  # the undo kept its history


def test_an_undo_is_refused_once_2023_was_invoiced_on_its_agreements(world):
    run = execute_transition(files=good_files()).run
    Agreement.objects.filter(number="DVO-2023-0547").update(billed_until=date(2023, 3, 31))
    with pytest.raises(UndoRefused, match="al gefactureerd voor 2023"):
        undo_transition(run=run, by=None, reason="te laat")
    with pytest.raises(CommandError, match="al gefactureerd voor 2023"):
        call_command("transition_undo", "--run", str(run.pk), "--reason", "te laat")
    run.refresh_from_db()
    assert run.status == TransitionRun.Status.EXECUTED
    assert Employee.objects.count() == 2


def test_the_undo_command_reverses_and_says_so(world, capsys):
    run = execute_transition(files=good_files()).run
    call_command("transition_undo", "--run", str(run.pk), "--reason", "verkeerd bestand")
    assert "undone" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Alleen een uitgevoerde transitie"):
        call_command("transition_undo", "--run", str(run.pk), "--reason", "nog eens")


def test_a_stale_transition_run_is_marked_interrupted():
    old = timezone.now() - timedelta(hours=1)
    run = TransitionRun.objects.create(
        mode=TransitionRun.Mode.DRY_RUN, status=TransitionRun.Status.RUNNING, heartbeat_at=old
    )
    assert [r.pk for r in recover_stale_runs()] == [run.pk]
    run.refresh_from_db()
    assert run.status == TransitionRun.Status.FAILED
    assert run.message.startswith("Onderbroken")
