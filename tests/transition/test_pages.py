"""Portal pages of the transition: provider roles only; flat query counts; the transfer record read-only."""

from datetime import date

import pytest
from django.urls import reverse

from tenants.roles import Role
from tests.factories import user_with_role
from transition.models import Employee, SupplierContract
from transition.services.novation import record_novation
from transition.services.runs import execute_transition

from .conftest import AGREEMENT_ROWS
from .factories import contract_row, staff_row, transition_files

PAGES = ["transition:report", "transition:employees", "transition:contracts"]


def execute(count: int = 2, contracts: int = 2):
    staff = [staff_row(f"SP71-{n}", achternaam=f"Berg{n}") for n in range(count)]
    contract_rows = [contract_row(f"C-{n}") for n in range(contracts)]
    return execute_transition(
        files=transition_files(staff_rows=staff, contract_rows=contract_rows, agreement_rows=AGREEMENT_ROWS)
    )


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.FINANCE])
def test_customer_roles_get_404_on_staff_contracts_and_the_report(world, client, name, role):
    execute()
    client.force_login(user_with_role(world.leiderdorp, role))
    assert client.get(reverse(name)).status_code == 404


def test_leidens_own_contract_manager_gets_404_too(world, client):
    execute()
    client.force_login(user_with_role(world.leiden, Role.CONTRACT_MANAGER))
    assert client.get(reverse("transition:report")).status_code == 404
    employee = Employee.objects.first()
    assert client.get(reverse("transition:employee", args=[employee.pk])).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_provider_roles_see_the_pages(world, client, provider_finance, name):
    execute()
    client.force_login(provider_finance)
    assert client.get(reverse(name)).status_code == 200


def test_the_report_page_shows_every_section_and_the_verdict(world, client, provider_staff):
    execute()
    client.force_login(provider_staff)
    page = client.get(reverse("transition:report")).content.decode()
    for text in (
        "Alles verantwoord",
        "Applicatiebeheerder",
        "Tweelinghuis Leiden",
        "Gemeente Oegstgeest · ICT-01",
    ):
        assert text in page


def test_the_report_page_says_when_nothing_was_executed(world, client, provider_staff):
    client.force_login(provider_staff)
    assert "nog niet uitgevoerd" in client.get(reverse("transition:report")).content.decode()


def test_the_employee_list_shows_the_employer_on_a_chosen_date(world, client, provider_staff):
    execute()
    client.force_login(provider_staff)
    before = client.get(reverse("transition:employees"), {"on": "2022-06-30"}).content.decode()
    after = client.get(reverse("transition:employees"), {"on": "2023-06-30"}).content.decode()
    assert "Servicepunt71" in table(before)
    assert "Gemeente Leiden" not in table(before)
    assert "Gemeente Leiden" in table(after)
    assert "Servicepunt71" not in table(after)


def table(page: str) -> str:
    return page.split("<tbody")[1].split("</tbody>")[0]


def test_the_employee_page_shows_function_scale_and_fte_but_only_the_department_can_change(
    world, client, provider_staff
):
    execute()
    employee = Employee.objects.first()
    client.force_login(provider_staff)
    url = reverse("transition:employee", args=[employee.pk])
    page = client.get(url).content.decode()
    assert 'name="department"' in page
    assert 'name="fte"' not in page
    assert 'name="salary_scale"' not in page
    response = client.post(url, {"department": "Digitalisering", "fte": "0.1", "salary_scale": "18"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert (employee.department, employee.salary_scale, str(employee.fte)) == ("Digitalisering", 10, "0.8889")


def test_provider_finance_may_read_but_not_edit_an_employee(world, client, provider_finance):
    execute()
    employee = Employee.objects.first()
    client.force_login(provider_finance)
    url = reverse("transition:employee", args=[employee.pk])
    assert 'name="department"' not in client.get(url).content.decode()
    assert client.post(url, {"department": "X"}).status_code == 404


def test_the_novation_page_highlights_contracts_pending_after_the_effective_date(
    world, client, provider_staff
):
    execute(contracts=3)
    given = SupplierContract.objects.get(number="C-0")
    record_novation(contract=given, status="given", on=date(2023, 3, 1))
    client.force_login(provider_staff)
    page = client.get(reverse("transition:contracts")).content.decode()
    assert page.count('data-overdue="true"') == 2
    pending_only = client.get(reverse("transition:contracts"), {"status": "pending"}).content.decode()
    assert "C-0" not in pending_only
    assert "C-1" in pending_only


@pytest.mark.parametrize("name", PAGES)
def test_list_pages_use_the_same_number_of_queries_for_few_and_many_rows(
    world, client, provider_staff, django_assert_max_num_queries, name
):
    client.force_login(provider_staff)
    execute(count=3, contracts=3)
    url = reverse(name)
    client.get(url)  # warm up sessions and caches
    with django_assert_max_num_queries(20) as small:
        assert client.get(url, {"on": "2023-01-01"}).status_code == 200
    _add_many(world)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, {"on": "2023-01-01"}).status_code == 200


def _add_many(world):
    from .factories import EmployeeFactory, EmploymentFactory, SupplierContractFactory

    for n in range(60):
        employee = EmployeeFactory(location=world.tweelinghuis, function=f"Functie {n}")
        EmploymentFactory(employee=employee, employer=world.leiden)
        SupplierContractFactory(holder=world.leiden)


def test_the_dashboard_shows_the_transition_to_provider_roles_only(world, client, provider_staff):
    execute(contracts=3)
    client.force_login(provider_staff)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Transitie Servicepunt71" in page
    assert "3 contracten wachten op toestemming van de leverancier." in page
    client.force_login(user_with_role(world.leiderdorp, Role.CONTRACT_MANAGER))
    assert "Transitie Servicepunt71" not in client.get(reverse("dashboard")).content.decode()
