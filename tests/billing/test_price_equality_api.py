"""The price-equality report over the API: JSON (paginated, with the overall verdict), CSV and XLSX with
stable columns, provider roles only, a clear 400 for a missing or bad year, and a deviation that shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import InvoiceLine
from billing.services.runs import run_billing
from tenants.roles import Role
from tests.billing.test_api import csv_rows, xlsx_rows
from tests.conftest import client_for
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/price-equality/"
COLUMNS = ["service", "service_name", "year", "tariff", "customer", "unit_prices", "verdict"]


@pytest.fixture
def billed(world, q1):
    run_billing(period=q1)
    return world


@pytest.fixture
def finance(billed):
    return client_for(user_with_role(billed.provider, Role.PROVIDER_FINANCE))


def test_every_service_and_customer_is_a_row_with_the_overall_verdict(billed, finance):
    response = finance.get(URL, {"year": 2024})
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["verdict"], data["is_equal"], data["deviations"]) == (2024, "equal", True, 0)
    assert data["customers"] == ["alfa", "bravo", "leiden"]
    # Three services, each billed to three customers.
    assert data["count"] == 9
    assert len(data["results"]) == 9
    row = next(r for r in data["results"] if r["service"] == "ICT-01" and r["customer"] == "alfa")
    assert row == {
        "service": "ICT-01",
        "service_name": "Werkplek",
        "year": 2024,
        "tariff": "1234.50",
        "customer": "alfa",
        "customer_name": "Gemeente Alfa",
        "unit_prices": ["1234.50"],
        "verdict": "equal",
    }


def test_the_json_is_paginated(billed, finance):
    data = finance.get(URL, {"year": 2024, "page_size": 4}).json()
    assert data["count"] == 9
    assert len(data["results"]) == 4
    assert data["next"]
    rest = finance.get(URL, {"year": 2024, "page_size": 4, "page": 3}).json()
    assert len(rest["results"]) == 1
    assert rest["verdict"] == "equal"


def test_csv_and_xlsx_have_stable_columns_and_machine_amounts(billed, finance):
    rows = csv_rows(finance.get(URL, {"year": 2024, "format": "csv"}))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 9
    row = next(r for r in rows if r["service"] == "HRM-01" and r["customer"] == "bravo")
    assert row == {
        "service": "HRM-01",
        "service_name": "Salarisadministratie",
        "year": "2024",
        "tariff": "99.99",
        "customer": "bravo",
        "unit_prices": "99.99",
        "verdict": "equal",
    }
    sheet = xlsx_rows(finance.get(URL, {"year": 2024, "format": "xlsx"}))
    assert list(sheet[0]) == COLUMNS
    assert len(sheet) == 9
    # The same rows; XLSX holds the tariff as a number (two decimals), the rest as in the CSV.
    assert [Decimal(str(r["tariff"])) for r in sheet] == [Decimal(r["tariff"]) for r in rows]
    assert [{**r, "tariff": None, "year": str(r["year"])} for r in sheet] == [
        {**r, "tariff": None} for r in rows
    ]


def test_a_forced_deviation_shows_in_every_format(billed, finance):
    InvoiceLine.objects.filter(invoice__customer=billed.bravo, service__code="ICT-01").update(
        unit_price=Decimal("1000.00")
    )
    data = finance.get(URL, {"year": 2024}).json()
    assert (data["verdict"], data["is_equal"], data["deviations"]) == ("deviation", False, 1)
    deviating = [r for r in data["results"] if r["verdict"] == "deviation"]
    assert [(r["service"], r["customer"], r["unit_prices"]) for r in deviating] == [
        ("ICT-01", "bravo", ["1000.00"])
    ]
    rows = csv_rows(finance.get(URL, {"year": 2024, "format": "csv"}))
    assert [
        (r["service"], r["customer"], r["tariff"], r["unit_prices"])
        for r in rows
        if r["verdict"] == "deviation"
    ] == [("ICT-01", "bravo", "1234.50", "1000.00")]
    sheet = xlsx_rows(finance.get(URL, {"year": 2024, "format": "xlsx"}))
    assert [r["customer"] for r in sheet if r["verdict"] == "deviation"] == ["bravo"]


@pytest.mark.parametrize(
    "query", [{}, {"year": ""}, {"year": "twintig"}, {"year": "1999"}, {"year": "2024.5"}]
)
def test_a_missing_or_bad_year_is_a_400_that_says_so(billed, finance, query):
    response = finance.get(URL, query)
    assert response.status_code == 400
    assert "jaar" in response.json()["year"][0].lower()


def test_a_year_without_invoices_is_equal_and_empty(billed, finance):
    data = finance.get(URL, {"year": 2030}).json()
    assert (data["verdict"], data["count"], data["results"]) == ("equal", 0, [])
    assert csv_rows(finance.get(URL, {"year": 2030, "format": "csv"})) == []


@pytest.mark.parametrize("role", [Role.PROVIDER_STAFF, Role.PROVIDER_FINANCE])
def test_provider_roles_reach_the_report(billed, role):
    assert client_for(user_with_role(billed.provider, role)).get(URL, {"year": 2024}).status_code == 200


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.FINANCE])
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_customer_roles_get_404(billed, role, fmt):
    client = client_for(user_with_role(billed.alfa, role))
    assert client.get(URL, {"year": 2024, "format": fmt}).status_code == 404
