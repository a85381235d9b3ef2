"""Validation first, over all three files: every problem as file:row: column: reason, nothing written."""

import pytest

from agreements.models import Agreement
from core.csvinput import CsvProblems
from transition.inputs import InputFile, TransitionFiles
from transition.models import Employee, SupplierContract, TransitionRun
from transition.services.runs import execute_transition, plan_transition

from .conftest import AGREEMENT_ROWS
from .factories import (
    AGREEMENT_HEADER,
    CONTRACT_HEADER,
    STAFF_HEADER,
    contract_row,
    csv_bytes,
    staff_row,
    transition_files,
)


def problems_of(files) -> list[str]:
    with pytest.raises(CsvProblems) as caught:
        plan_transition(files=files)
    return [str(p) for p in caught.value.problems]


def assert_problem(problems: list[str], prefix: str) -> None:
    assert any(p.startswith(prefix) for p in problems), f"no problem starting with {prefix!r} in {problems}"


def test_a_clean_set_of_files_passes_the_dry_run_and_writes_nothing(world):
    outcome = plan_transition(files=transition_files(agreement_rows=AGREEMENT_ROWS))
    assert outcome.status == TransitionRun.Status.VALID
    assert outcome.summary["staff"] == 1
    assert Employee.objects.count() == 0
    assert SupplierContract.objects.count() == 0
    assert TransitionRun.objects.count() == 0


def test_duplicate_personnel_number_names_both_rows(world):
    files = transition_files(staff_rows=[staff_row("SP71-1"), staff_row("SP71-2"), staff_row("SP71-1")])
    assert_problem(problems_of(files), "personeel.csv:4: personeelsnummer: 'SP71-1' staat ook op regel 2")


def test_duplicate_contract_number_is_reported_with_its_row(world):
    files = transition_files(contract_rows=[contract_row("C-1"), contract_row("C-1")])
    assert_problem(problems_of(files), "contracten.csv:3: contractnummer: 'C-1' staat ook op regel 2")


def test_unknown_location_is_reported(world):
    files = transition_files(staff_rows=[staff_row(standplaats="Kasteel Oud Poelgeest")])
    assert_problem(
        problems_of(files), "personeel.csv:2: standplaats: 'Kasteel Oud Poelgeest' is geen bekende locatie"
    )


def test_location_is_matched_without_regard_to_case(world):
    files = transition_files(staff_rows=[staff_row(standplaats="  tweelinghuis LEIDEN ")])
    assert plan_transition(files=files).status == TransitionRun.Status.VALID


@pytest.mark.parametrize("fte", ["0", "1,2001", "-0,5"])
def test_fte_outside_zero_to_one_point_two_is_reported(world, fte):
    files = transition_files(staff_rows=[staff_row(fte=fte)])
    assert_problem(problems_of(files), "personeel.csv:2: fte:")


def test_fte_of_exactly_one_point_two_is_accepted(world):
    files = transition_files(staff_rows=[staff_row(fte="1.2")])
    assert plan_transition(files=files).status == TransitionRun.Status.VALID


def test_fte_with_more_than_four_decimals_is_reported(world):
    files = transition_files(staff_rows=[staff_row(fte="0,88889")])
    assert_problem(problems_of(files), "personeel.csv:2: fte:")


@pytest.mark.parametrize("scale", ["0", "19"])
def test_scale_outside_one_to_eighteen_is_reported(world, scale):
    files = transition_files(staff_rows=[staff_row(schaal=scale)])
    assert_problem(problems_of(files), f"personeel.csv:2: schaal: {scale} ligt niet tussen 1 en 18")


def test_impossible_date_is_reported(world):
    files = transition_files(staff_rows=[staff_row(datum_in_dienst="31-02-2020")])
    assert_problem(problems_of(files), "personeel.csv:2: datum_in_dienst: '31-02-2020'")


def test_employment_starting_after_servicepunt71_ended_is_reported(world):
    files = transition_files(staff_rows=[staff_row(datum_in_dienst="2023-02-01")])
    assert_problem(problems_of(files), "personeel.csv:2: datum_in_dienst:")


def test_contract_ending_before_it_starts_is_reported(world):
    files = transition_files(contract_rows=[contract_row(startdatum="2021-01-01", einddatum="31-12-2020")])
    assert_problem(problems_of(files), "contracten.csv:2: einddatum:")


@pytest.mark.parametrize("end", ["30-09-2022", "31-12-2022"])
def test_contract_that_ended_before_the_transition_is_reported_and_nothing_written(world, end):
    files = transition_files(
        contract_rows=[contract_row("SP71-C-0001", startdatum="2018-10-01", einddatum=end)],
        agreement_rows=AGREEMENT_ROWS,
    )
    assert problems_of(files) == [
        f"contracten.csv:2: einddatum: {end} liep af vóór 01-01-2023: niets over te dragen"
    ]
    with pytest.raises(CsvProblems):
        execute_transition(files=files)
    assert not SupplierContract.objects.exists()
    assert not Employee.objects.exists()


def test_contract_running_on_the_effective_date_is_accepted(world):
    files = transition_files(
        contract_rows=[contract_row("C-1", einddatum="01-01-2023"), contract_row("C-2", einddatum="")],
        agreement_rows=AGREEMENT_ROWS,
    )
    assert plan_transition(files=files).summary["contracts"] == 2


def test_missing_columns_are_reported_for_the_header_row(world):
    staff = csv_bytes([c for c in STAFF_HEADER if c != "fte"], [staff_row()[:6] + staff_row()[7:]])
    files = TransitionFiles(
        InputFile("personeel.csv", staff),
        InputFile("contracten.csv", csv_bytes(CONTRACT_HEADER[:-1], [contract_row()[:-1]])),
        InputFile("overeenkomsten.csv", csv_bytes(AGREEMENT_HEADER, [])),
    )
    problems = problems_of(files)
    assert "personeel.csv:1: fte: kolom ontbreekt" in problems
    assert "contracten.csv:1: jaarwaarde: kolom ontbreekt" in problems


def test_unknown_municipality_and_service_code_are_reported(world):
    files = transition_files(
        agreement_rows=[["Gemeente Katwijk", "ICT-01", "1"], ["Leiderdorp", "XYZ-99", "1"]]
    )
    problems = problems_of(files)
    assert_problem(problems, "overeenkomsten.csv:2: gemeente: 'Gemeente Katwijk'")
    assert_problem(problems, "overeenkomsten.csv:3: dienstcode: 'XYZ-99' staat niet in de catalogus")


def test_negative_volume_is_reported(world):
    files = transition_files(agreement_rows=[["0547", "ICT-01", "-3"]])
    assert_problem(problems_of(files), "overeenkomsten.csv:2: volume: -3 is negatief")


def test_a_new_agreement_without_the_basic_package_is_reported(world):
    files = transition_files(agreement_rows=[["Oegstgeest", "HRM-01", "10"]])
    assert_problem(
        problems_of(files), "overeenkomsten.csv:2: dienstcode: het basispakket 2023 van Gemeente Oegstgeest"
    )


def test_problems_of_all_three_files_are_reported_together(world):
    files = transition_files(
        staff_rows=[staff_row(schaal="25"), staff_row("SP71-2", fte="2")],
        contract_rows=[contract_row(kvk="123")],
        agreement_rows=[["0547", "ICT-01", "-1"]],
    )
    problems = problems_of(files)
    assert [p.split(":")[0] for p in problems].count("personeel.csv") == 2
    assert_problem(problems, "contracten.csv:2: kvk:")
    assert_problem(problems, "overeenkomsten.csv:2: volume:")


def test_execution_with_problems_writes_nothing(world):
    files = transition_files(staff_rows=[staff_row(), staff_row("SP71-2", standplaats="Onbekend")])
    with pytest.raises(CsvProblems):
        execute_transition(files=files)
    assert Employee.objects.count() == 0
    assert SupplierContract.objects.count() == 0
    assert not Agreement.objects.filter(provider=world.servicepunt71).exists()
    assert TransitionRun.objects.count() == 0


def test_comma_delimiter_bom_iso_dates_and_upper_case_headers_are_read(world):
    header = [c.upper() for c in STAFF_HEADER]
    staff = csv_bytes(
        header, [staff_row(fte="0.8889", datum_in_dienst="2015-03-01")], delimiter=",", bom=True
    )
    files = TransitionFiles(
        InputFile("personeel.csv", staff),
        InputFile("contracten.csv", csv_bytes(CONTRACT_HEADER, [contract_row()], delimiter=",")),
        InputFile("overeenkomsten.csv", csv_bytes(AGREEMENT_HEADER, AGREEMENT_ROWS, delimiter=",")),
    )
    assert plan_transition(files=files).summary["fte"] == "0.8889"
