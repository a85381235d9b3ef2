"""Execution in one transaction: staff, contracts and agreements move to Leiden, once."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from agreements.models import Agreement, AgreementLine
from transition.models import Employee, Employment, SupplierContract, TransitionRun
from transition.reconciliation import reconcile
from transition.selectors import employer_on
from transition.services import transfer
from transition.services.employees import update_employee
from transition.services.novation import record_novation
from transition.services.runs import TransitionRefused, execute_transition

from .conftest import AGREEMENT_ROWS
from .factories import contract_row, staff_row, transition_files


def files_for_world(**kwargs):
    return transition_files(
        staff_rows=kwargs.get(
            "staff_rows",
            [
                staff_row("SP71-1"),
                staff_row(
                    "SP71-2",
                    functie="Adviseur P&O",
                    schaal="11",
                    fte="1",
                    standplaats="Gemeentehuis Leiderdorp",
                ),
            ],
        ),
        contract_rows=kwargs.get(
            "contract_rows", [contract_row("C-1"), contract_row("C-2", jaarwaarde="10,25")]
        ),
        agreement_rows=kwargs.get("agreement_rows", AGREEMENT_ROWS),
    )


def snapshot() -> dict:
    return {
        "employees": Employee.objects.count(),
        "employments": Employment.objects.count(),
        "contracts": SupplierContract.objects.count(),
        "agreements": list(
            Agreement.objects.order_by("pk").values_list("pk", "status", "end_date", "predecessor")
        ),
        "lines": list(AgreementLine.objects.order_by("pk").values_list("pk", "year", "volume")),
        "runs": TransitionRun.objects.count(),
        "employee_history": Employee.history.count(),
    }


def test_every_employee_is_employed_by_leiden_from_2023_with_the_same_function_scale_fte_and_location(world):
    execute_transition(files=files_for_world())
    employee = Employee.objects.get(personnel_number="SP71-2")
    leiden = employee.employments.get(employer=world.leiden)
    assert (leiden.start_date, leiden.end_date) == (date(2023, 1, 1), None)
    assert (leiden.function, leiden.salary_scale, leiden.fte) == ("Adviseur P&O", 11, Decimal("1.0000"))
    assert leiden.location == world.leiderdorp_hall
    legacy = employee.employments.get(employer=world.servicepunt71)
    assert (legacy.start_date, legacy.end_date) == (date(2015, 3, 1), date(2022, 12, 31))
    assert (legacy.function, legacy.salary_scale, legacy.fte) == ("Adviseur P&O", 11, Decimal("1.0000"))


def test_the_portal_knows_who_employed_someone_on_a_date(world):
    execute_transition(files=files_for_world())
    employee = Employee.objects.get(personnel_number="SP71-1")
    assert employer_on(employee=employee, on=date(2022, 12, 31)) == world.servicepunt71
    assert employer_on(employee=employee, on=date(2023, 1, 1)) == world.leiden
    assert employer_on(employee=employee, on=date(2010, 1, 1)) is None


def test_every_contract_is_held_by_leiden_with_novation_pending(world):
    execute_transition(files=files_for_world())
    contracts = SupplierContract.objects.order_by("number")
    assert [(c.number, c.holder, c.novation_status) for c in contracts] == [
        ("C-1", world.leiden, "pending"),
        ("C-2", world.leiden, "pending"),
    ]
    assert contracts[1].annual_value == Decimal("10.25")


def test_each_legacy_agreement_ends_on_the_last_day_of_2022_with_its_2022_volumes(world):
    execute_transition(files=files_for_world())
    legacy = Agreement.objects.get(customer=world.leiderdorp, provider=world.servicepunt71)
    assert (legacy.status, legacy.end_date) == (Agreement.Status.ENDED, date(2022, 12, 31))
    volumes = dict(legacy.lines.filter(year=2022).values_list("service__code", "volume"))
    assert volumes == {"ICT-01": Decimal("310"), "HRM-01": Decimal("280.5")}


def test_an_existing_leiden_agreement_becomes_the_successor_with_the_legacy_volumes_for_2023(world):
    execute_transition(files=files_for_world())
    successor = Agreement.objects.get(number="DVO-2023-0547")
    assert successor.predecessor.provider == world.servicepunt71
    volumes = dict(successor.lines.filter(year=2023).values_list("service__code", "volume"))
    assert volumes == {"ICT-01": Decimal("310"), "HRM-01": Decimal("280.5")}


def test_a_municipality_without_a_leiden_agreement_gets_one_from_2023(world):
    execute_transition(files=files_for_world())
    new = Agreement.objects.get(customer=world.oegstgeest, provider=world.leiden)
    assert new.start_date == date(2023, 1, 1)
    assert new.status == Agreement.Status.ACTIVE
    assert new.predecessor.customer == world.oegstgeest
    assert dict(new.lines.filter(year=2023).values_list("service__code", "volume")) == {
        "ICT-01": Decimal("290")
    }


def test_the_run_records_checksums_counts_and_the_report(world):
    files = files_for_world()
    outcome = execute_transition(files=files)
    run = TransitionRun.objects.get()
    assert run == outcome.run
    assert run.checksums == files.checksums
    assert (run.mode, run.status) == ("execute", "executed")
    assert (run.staff_count, run.contract_count, run.agreement_line_count) == (2, 2, 3)
    assert run.report["source"]["staff"] == 2
    assert run.report["reconciliation"]["is_complete"] is True


def test_a_failure_half_way_leaves_nothing_behind(world, monkeypatch):
    before = snapshot()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transfer, "carry_agreements", broken)
    with pytest.raises(RuntimeError):
        execute_transition(files=files_for_world())
    assert snapshot() == before


def test_a_refused_agreement_write_rolls_back_staff_and_contracts_too(world, monkeypatch):
    before = snapshot()

    def refuse(**kwargs):
        raise ValidationError("geweigerd")

    monkeypatch.setattr(transfer, "set_line_volumes", refuse)
    with pytest.raises(ValidationError):
        execute_transition(files=files_for_world())
    assert snapshot() == before


def test_executing_the_same_files_again_changes_nothing_and_says_so(world):
    files = files_for_world()
    execute_transition(files=files)
    before = snapshot()
    outcome = execute_transition(files=files)
    assert outcome.status == TransitionRun.Status.UNCHANGED
    assert "niets gewijzigd" in outcome.message
    assert snapshot() == before


def test_different_files_after_an_execution_are_refused(world):
    execute_transition(files=files_for_world())
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        execute_transition(files=files_for_world(contract_rows=[contract_row("C-9")]))
    assert "andere bestanden" in refused.value.messages[0]
    assert snapshot() == before


def test_transfer_records_keep_history_with_the_user(world, provider_staff):
    execute_transition(files=files_for_world(), by=provider_staff)
    employee = Employee.objects.get(personnel_number="SP71-1")
    record = employee.history.get()
    assert record.history_user == provider_staff
    assert SupplierContract.history.count() == 2


def test_function_scale_and_fte_of_a_transferred_employee_cannot_be_changed(world):
    execute_transition(files=files_for_world())
    employee = Employee.objects.get(personnel_number="SP71-1")
    with pytest.raises(ValidationError):
        update_employee(employee=employee, salary_scale=12)
    employee.fte = Decimal("0.5")
    with pytest.raises(ValidationError):
        employee.save()
    assert Employee.objects.get(pk=employee.pk).fte == Decimal("0.8889")


def test_the_department_of_a_transferred_employee_may_change(world):
    execute_transition(files=files_for_world())
    employee = update_employee(
        employee=Employee.objects.get(personnel_number="SP71-1"), department="Digitalisering"
    )
    assert Employee.objects.get(pk=employee.pk).department == "Digitalisering"


def test_consent_and_refusal_are_recorded_with_date_and_note(world, provider_staff):
    execute_transition(files=files_for_world())
    contract = SupplierContract.objects.get(number="C-1")
    record_novation(
        contract=contract, status="given", on=date(2023, 2, 1), note="Brief 12-2023", by=provider_staff
    )
    contract.refresh_from_db()
    assert (contract.novation_status, contract.novation_date, contract.novation_note) == (
        "given",
        date(2023, 2, 1),
        "Brief 12-2023",
    )
    assert contract.history.first().history_user == provider_staff


def test_a_pending_contract_still_running_after_the_effective_date_needs_attention(world):
    execute_transition(
        files=files_for_world(
            contract_rows=[contract_row("C-1"), contract_row("C-2", einddatum="2023-06-30")]
        )
    )
    open_ended, running_in_2023 = SupplierContract.objects.order_by("number")
    assert open_ended.is_pending_after(date(2024, 1, 1))
    assert running_in_2023.is_pending_after(date(2024, 1, 1))
    assert not open_ended.is_pending_after(date(2022, 12, 1))
    record_novation(contract=running_in_2023, status="given", on=date(2023, 2, 1))
    running_in_2023.refresh_from_db()
    assert not running_in_2023.is_pending_after(date(2024, 1, 1))


def test_every_transferred_contract_runs_on_the_effective_date_held_by_leiden(world):
    execute_transition(
        files=files_for_world(
            contract_rows=[contract_row("C-1"), contract_row("C-2", einddatum="2023-01-01")]
        )
    )
    contracts = SupplierContract.objects.order_by("number")
    assert [(c.holder, c.novation_status) for c in contracts] == [(world.leiden, "pending")] * 2
    assert all(c.end_date is None or c.end_date >= date(2023, 1, 1) for c in contracts)


def test_the_reconciliation_accounts_for_every_employee_function_fte_contract_and_line(world):
    outcome = execute_transition(files=files_for_world())
    rows = {(r.section, r.key): r for r in reconcile(outcome.run).rows}
    assert rows[("total", "medewerkers")].source == rows[("total", "medewerkers")].result == 2
    assert rows[("total", "fte")].result == Decimal("1.8889")
    assert rows[("function", "Adviseur P&O")].legacy == 1
    assert rows[("scale", "10")].result == 1
    assert rows[("location", "Gemeentehuis Leiderdorp")].result == 1
    assert rows[("contracts", "jaarwaarde (EUR)")].result == Decimal("125010.75")
    assert rows[("agreements", "Gemeente Leiderdorp · HRM-01")].result == Decimal("280.5")
    assert all(r.verdict == "ok" for r in rows.values())


def test_the_reconciliation_shows_a_later_change_as_a_deviation(world):
    outcome = execute_transition(files=files_for_world())
    Employment.objects.filter(employer=world.leiden, employee__personnel_number="SP71-1").update(
        salary_scale=12
    )
    rows = {(r.section, r.key): r for r in reconcile(outcome.run).rows}
    assert rows[("scale", "10")].verdict == "deviation"
    assert rows[("scale", "12")].verdict == "deviation"
    assert not reconcile(outcome.run).is_complete
