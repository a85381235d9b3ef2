"""The transition API: the report for provider roles only (404 for customer roles), lists with exports."""

import csv
import io

import pytest
from django.urls import reverse

from tenants.roles import Role
from tests.conftest import client_for
from tests.factories import user_with_role
from transition.services.runs import execute_transition

from .conftest import AGREEMENT_ROWS
from .factories import EmployeeFactory, SupplierContractFactory, contract_row, staff_row, transition_files

REPORT = "/api/v1/transition/report/"
LISTS = ["api:transition-employee-list", "api:transition-contract-list"]


@pytest.fixture
def executed(world):
    return execute_transition(
        files=transition_files(
            staff_rows=[staff_row("SP71-1"), staff_row("SP71-2", functie="Bode", schaal="4")],
            contract_rows=[contract_row("C-1")],
            agreement_rows=AGREEMENT_ROWS,
        )
    )


def test_the_report_lives_at_its_documented_address():
    assert reverse("api:transition-report-list") == REPORT


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.FINANCE])
@pytest.mark.parametrize("suffix", ["", "?format=csv", "?format=xlsx"])
def test_customer_roles_get_404_on_the_report(world, executed, role, suffix):
    client = client_for(user_with_role(world.leiderdorp, role))
    response = client.get(REPORT + suffix)
    assert response.status_code == 404
    assert b"Applicatiebeheerder" not in response.content


@pytest.mark.parametrize("name", LISTS)
def test_customer_roles_get_404_on_staff_and_contracts(world, executed, name):
    client = client_for(user_with_role(world.leiden, Role.CONTRACT_MANAGER))
    assert client.get(reverse(name)).status_code == 404


def test_the_report_answers_json_with_a_verdict_per_row(world, executed, provider_finance):
    data = client_for(provider_finance).get(REPORT).json()
    assert data["executed"] is True
    assert data["is_complete"] is True
    assert data["checksums"]["staff"] == executed.run.staff_checksum
    rows = {(r["section"], r["key"]): r for r in data["results"]}
    assert rows[("function", "Bode")] == {
        "section": "function",
        "key": "Bode",
        "source": "1.0000",
        "legacy": "1.0000",
        "result": "1.0000",
        "verdict": "ok",
    }
    assert rows[("contracts", "aantal")]["legacy"] is None
    assert data["count"] == len(data["results"])


def test_the_report_exports_as_csv_and_xlsx(world, executed, provider_staff):
    client = client_for(provider_staff)
    response = client.get(REPORT + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {"section", "key", "source", "legacy", "result", "verdict"} == set(rows[0])
    assert any(r["key"] == "Gemeente Leiderdorp · HRM-01" and r["result"] == "280.5000" for r in rows)
    xlsx = client.get(REPORT + "?format=xlsx")
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_the_report_before_execution_is_empty(world, provider_staff):
    data = client_for(provider_staff).get(REPORT).json()
    assert (data["executed"], data["count"], data["results"]) == (False, 0, [])


def test_the_employee_list_filters_and_exports(world, executed, provider_staff):
    client = client_for(provider_staff)
    data = client.get(reverse("api:transition-employee-list"), {"function": "bode"}).json()
    assert [e["personnel_number"] for e in data["results"]] == ["SP71-2"]
    assert data["results"][0]["fte"] == "0.8889"
    export = client.get(reverse("api:transition-employee-list"), {"format": "csv"})
    text = b"".join(export.streaming_content).decode()
    assert text.splitlines()[0].startswith("personnel_number,first_name")
    assert "SP71-1" in text
    assert "0.8889" in text


def test_the_contract_list_filters_on_novation_status(world, executed, provider_staff):
    client = client_for(provider_staff)
    assert (
        client.get(reverse("api:transition-contract-list"), {"novation_status": "pending"}).json()["count"]
        == 1
    )
    assert (
        client.get(reverse("api:transition-contract-list"), {"novation_status": "given"}).json()["count"] == 0
    )
    export = client.get(reverse("api:transition-contract-list"), {"format": "csv"})
    assert "125000.50" in b"".join(export.streaming_content).decode()


@pytest.mark.parametrize("url", [REPORT, "/api/v1/transition/employees/", "/api/v1/transition/contracts/"])
def test_list_endpoints_use_the_same_number_of_queries_for_few_and_many_rows(
    world, executed, provider_staff, django_assert_max_num_queries, url
):
    client = client_for(provider_staff)
    client.get(url)
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    for n in range(60):
        EmployeeFactory(location=world.tweelinghuis, function=f"Functie {n}")
        SupplierContractFactory(holder=world.leiden)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
