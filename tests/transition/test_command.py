"""``transition_run``: dry run by default, problems as file:row: column: reason with a non-zero exit."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from transition.models import Employee, TransitionRun

from .conftest import AGREEMENT_ROWS
from .factories import staff_row, transition_files


def write(tmp_path, files):
    paths = {}
    for key, file in (
        ("staff", files.staff),
        ("contracts", files.contracts),
        ("agreements", files.agreements),
    ):
        paths[key] = tmp_path / file.name
        paths[key].write_bytes(file.data)
    return {k: str(v) for k, v in paths.items()}


def run(paths, *extra):
    out, err = StringIO(), StringIO()
    args = ["--staff", paths["staff"], "--contracts", paths["contracts"], "--agreements", paths["agreements"]]
    call_command("transition_run", *args, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_dry_runs_by_default_and_writes_nothing(world, tmp_path):
    out, _err = run(write(tmp_path, transition_files(agreement_rows=AGREEMENT_ROWS)))
    assert "Proef geslaagd" in out
    assert "Medewerkers: 1" in out
    assert Employee.objects.count() == 0
    assert TransitionRun.objects.count() == 0


def test_the_command_lists_every_problem_and_fails(world, tmp_path):
    files = transition_files(staff_rows=[staff_row(schaal="30"), staff_row("SP71-2", standplaats="Nergens")])
    err = StringIO()
    with pytest.raises(CommandError, match="2 problemen gevonden; er is niets geschreven"):
        call_command(
            "transition_run",
            *sum(([f"--{k}", v] for k, v in write(tmp_path, files).items()), []),
            "--execute",
            stderr=err,
        )
    assert "personeel.csv:2: schaal: 30 ligt niet tussen 1 en 18" in err.getvalue()
    assert "personeel.csv:3: standplaats: 'Nergens' is geen bekende locatie" in err.getvalue()
    assert Employee.objects.count() == 0


def test_execute_prints_the_reconciliation_and_a_second_run_says_nothing_changed(world, tmp_path):
    paths = write(tmp_path, transition_files(agreement_rows=AGREEMENT_ROWS))
    out, _err = run(paths, "--execute")
    assert "Aansluiting" in out
    assert "Alles is verantwoord" in out
    assert "Gemeente Oegstgeest · ICT-01" in out
    again, _err = run(paths, "--execute")
    assert "er is niets gewijzigd" in again
    assert TransitionRun.objects.count() == 1


def test_the_command_refuses_different_files_after_an_execution(world, tmp_path):
    run(write(tmp_path, transition_files(agreement_rows=AGREEMENT_ROWS)), "--execute")
    other = tmp_path / "other"
    other.mkdir()
    paths = write(other, transition_files(staff_rows=[staff_row("SP71-9")], agreement_rows=AGREEMENT_ROWS))
    with pytest.raises(CommandError, match="andere bestanden"):
        run(paths, "--execute")
    assert Employee.objects.count() == 1
