"""The catalogue API: services, tariffs and service levels as JSON, CSV and XLSX, with filters."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from services.services import lock_tariffs
from tenants.roles import Role
from tests.conftest import client_for
from tests.factories import user_with_role

from .factories import ServiceDomainFactory, ServiceFactory, ServiceLevelFactory, TariffFactory, catalogue

pytestmark = pytest.mark.django_db

SERVICES = reverse("api:service-list")
TARIFFS = reverse("api:tariff-list")
LEVELS = reverse("api:service-level-list")


@pytest.fixture
def ict():
    domain = ServiceDomainFactory(code="ict", name="ICT")
    service = ServiceFactory(code="ICT-01", name="Werkplekbeheer", domain=domain, is_basic=True)
    TariffFactory(service=service, year=2025, unit_price=Decimal("1606.1"))
    TariffFactory(service=service, year=2026, unit_price=Decimal("1655.93"))
    ServiceLevelFactory(service=service, year=2025, availability_percent=Decimal("99.60"))
    return service


@pytest.fixture
def payroll():
    domain = ServiceDomainFactory(code="hrm", name="HRM")
    service = ServiceFactory(code="HRM-01", name="Salarisadministratie", domain=domain, vat_category="E")
    TariffFactory(service=service, year=2025, unit_price=Decimal("426.46"))
    ServiceLevelFactory(service=service, year=2025, availability_percent=None)
    return service


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def _xlsx(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.FINANCE])
@pytest.mark.parametrize("url", [SERVICES, TARIFFS, LEVELS])
def test_every_customer_role_reads_the_catalogue(municipality, ict, role, url):
    response = client_for(user_with_role(municipality, role)).get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 1


@pytest.mark.parametrize("url", [SERVICES, TARIFFS, LEVELS])
def test_the_catalogue_api_needs_a_login(api_client, ict, url):
    assert api_client.get(url).status_code in (401, 403)


def test_a_token_reads_the_tariffs(api_client, provider_finance, ict):
    from tests.tenancy import api_token_for

    response = api_client.get(TARIFFS, HTTP_AUTHORIZATION=f"Token {api_token_for(provider_finance)}")
    assert response.status_code == 200


def test_services_list_the_catalogue_with_domain_unit_and_vat(contract_manager, ict, payroll):
    rows = client_for(contract_manager).get(SERVICES).json()["results"]
    assert [r["code"] for r in rows] == ["ICT-01", "HRM-01"] or [r["code"] for r in rows] == [
        "HRM-01",
        "ICT-01",
    ]
    row = next(r for r in rows if r["code"] == "ICT-01")
    assert row["domain"] == "ict"
    assert row["unit"] == "werkplek"
    assert row["unit_code"] == "C62"
    assert row["is_basic"] is True
    assert row["vat_category"] == "S"
    assert row["vat_rate"] == "21.00"


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"code": "ict-01"}, ["ICT-01"]),
        ({"domain": "hrm"}, ["HRM-01"]),
        ({"is_basic": "true"}, ["ICT-01"]),
        ({"vat_category": "E"}, ["HRM-01"]),
    ],
)
def test_services_can_be_filtered(contract_manager, ict, payroll, query, codes):
    rows = client_for(contract_manager).get(SERVICES, query).json()["results"]
    assert [r["code"] for r in rows] == codes


def test_tariffs_of_a_year_give_the_service_code_and_a_price_with_two_decimals(
    contract_manager, ict, payroll
):
    rows = client_for(contract_manager).get(TARIFFS, {"year": 2025}).json()["results"]
    assert {r["service"]: r["unit_price"] for r in rows} == {"ICT-01": "1606.10", "HRM-01": "426.46"}
    assert all(r["year"] == 2025 for r in rows)


def test_tariffs_can_be_filtered_on_service_and_lock(contract_manager, ict, payroll):
    lock_tariffs(tariff_ids=ict.tariffs.filter(year=2025).values_list("pk", flat=True))
    client = client_for(contract_manager)
    assert [r["year"] for r in client.get(TARIFFS, {"service": "ICT-01"}).json()["results"]] == [2025, 2026]
    locked = client.get(TARIFFS, {"is_locked": "true"}).json()["results"]
    assert [(r["service"], r["year"], r["is_locked"]) for r in locked] == [("ICT-01", 2025, True)]


def test_service_levels_can_be_filtered_on_year_and_service(contract_manager, ict, payroll):
    rows = client_for(contract_manager).get(LEVELS, {"year": 2025, "service": "ICT-01"}).json()["results"]
    assert [(r["service"], r["availability_percent"]) for r in rows] == [("ICT-01", "99.60")]


def test_tariffs_as_csv_have_machine_amounts(contract_manager, ict, payroll):
    response = client_for(contract_manager).get(TARIFFS, {"year": 2025, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert {r["service"]: r["unit_price"] for r in rows} == {"ICT-01": "1606.10", "HRM-01": "426.46"}
    assert set(rows[0]) == {"service", "service_name", "year", "unit", "unit_code", "unit_price", "locked_at"}


def test_services_as_csv_list_every_service(contract_manager, ict, payroll):
    rows = _csv(client_for(contract_manager).get(SERVICES, {"format": "csv"}))
    assert {r["code"]: r["is_basic"] for r in rows} == {"ICT-01": "true", "HRM-01": "false"}


def test_service_levels_as_csv(contract_manager, ict, payroll):
    rows = _csv(client_for(contract_manager).get(LEVELS, {"format": "csv"}))
    assert {r["service"]: r["availability_percent"] for r in rows} == {"ICT-01": "99.60", "HRM-01": ""}


@pytest.mark.parametrize("url", [SERVICES, TARIFFS, LEVELS])
def test_every_catalogue_list_exports_to_xlsx(provider_finance, ict, payroll, url):
    response = client_for(provider_finance).get(url, {"format": "xlsx"})
    assert response.status_code == 200
    rows = _xlsx(response)
    assert len(rows) == 1 + (3 if url == TARIFFS else 2)


def test_tariffs_as_xlsx_keep_the_amount_a_number(provider_finance, ict):
    rows = _xlsx(client_for(provider_finance).get(TARIFFS, {"year": 2026, "format": "xlsx"}))
    header, row = rows
    assert Decimal(str(row[header.index("unit_price")])) == Decimal("1655.93")


@pytest.mark.parametrize("url", [SERVICES, TARIFFS, LEVELS])
def test_the_catalogue_lists_use_as_many_queries_for_300_services_as_for_30(
    contract_manager, django_assert_max_num_queries, url
):
    client = client_for(contract_manager)
    catalogue(30)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url, {"page_size": 1000}).status_code == 200
    catalogue(270, start=30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, {"page_size": 1000}).json()["count"] >= 300


@pytest.mark.parametrize("url", [SERVICES, TARIFFS, LEVELS])
def test_the_catalogue_csv_streams_every_row_in_constant_queries(
    contract_manager, django_assert_max_num_queries, url
):
    client = client_for(contract_manager)
    catalogue(300)
    with django_assert_max_num_queries(8):
        rows = _csv(client.get(url, {"format": "csv"}))
    assert len(rows) >= 300


def test_the_schema_describes_the_catalogue_endpoints(client):
    schema = client.get(reverse("schema")).content.decode()
    for path in ("/api/v1/services/", "/api/v1/tariffs/", "/api/v1/service-levels/"):
        assert path in schema
