"""The transition's records in the one readable history: who, when, what changed; provider roles only."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tenants.roles import Role
from tests.factories import user_with_role
from tests.history_checks import assert_change_shows, assert_not_found
from transition.models import SupplierContract
from transition.services.employees import update_employee
from transition.services.novation import record_novation
from transition.services.runs import claim_run, start_upload_run

from .factories import EmployeeFactory, EmploymentFactory, SupplierContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_side(municipality, provider):
    """Roles that must not reach the transition's records, Leiden's own contract manager included."""
    return [
        user_with_role(municipality, Role.CONTRACT_MANAGER),
        user_with_role(municipality, Role.FINANCE),
        user_with_role(provider, Role.CONTRACT_MANAGER, username="cm.leiden"),
    ]


def test_an_employee_change_shows_in_its_history_with_the_employments(
    client, provider_staff, provider_finance, customer_side
):
    employee = EmployeeFactory(department="ICT")
    EmploymentFactory(employee=employee, start_date=date(2023, 1, 1))
    update_employee(employee=employee, by=provider_staff, department="Informatievoorziening")
    client.force_login(provider_finance)
    assert_change_shows(
        client,
        "medewerker",
        employee.pk,
        by=provider_staff,
        field="afdeling",
        old="ICT",
        new="Informatievoorziening",
    )
    subjects = {
        e.subject for e in client.get(reverse("history-medewerker", args=[employee.pk])).context["entries"]
    }
    assert "dienstverband 01-01-2023" in subjects
    for user in customer_side:
        client.force_login(user)
        assert_not_found(client, "medewerker", employee.pk)


def test_a_novation_shows_in_the_contract_history(client, provider_staff, customer_side):
    contract = SupplierContractFactory()
    record_novation(
        contract=contract, status=SupplierContract.Novation.GIVEN, on=date(2023, 2, 1), by=provider_staff
    )
    client.force_login(provider_staff)
    assert_change_shows(
        client,
        "leverancierscontract",
        contract.pk,
        by=provider_staff,
        field="contractovername",
        old="Toestemming gevraagd",
        new="Toestemming gegeven",
    )
    for user in customer_side:
        client.force_login(user)
        assert_not_found(client, "leverancierscontract", contract.pk)


def test_a_transition_run_shows_who_started_it_and_what_the_worker_did(client, provider_staff, customer_side):
    files = {
        name: SimpleUploadedFile(f"{name}.csv", b"kolom\nwaarde\n")
        for name in ("staff", "contracts", "agreements")
    }
    run = start_upload_run(by=provider_staff, **files)
    claim_run(run_id=run.pk)
    client.force_login(provider_staff)
    assert_change_shows(
        client, "transitierun", run.pk, by=provider_staff, field="status", old="–", new="In de wachtrij"
    )
    assert_change_shows(
        client, "transitierun", run.pk, by="systeem", field="status", old="In de wachtrij", new="Bezig"
    )
    for user in customer_side:
        client.force_login(user)
        assert_not_found(client, "transitierun", run.pk)


@pytest.mark.parametrize("changes", [1, 40])
def test_the_employee_history_keeps_its_query_count(
    client, provider_staff, django_assert_max_num_queries, changes
):
    employee = EmployeeFactory(department="ICT")
    for step in range(changes):
        EmploymentFactory(employee=employee, start_date=date(2023, 1, 1) + timedelta(days=step))
        update_employee(employee=employee, by=provider_staff, department=f"Afdeling {step}")
    client.force_login(provider_staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("history-medewerker", args=[employee.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("api:history-medewerker", args=[employee.pk])).status_code == 200
