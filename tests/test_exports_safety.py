"""Every export survives what people type: a formula is neutralised, a control character removed.

Walks every list endpoint of the API (as the cross-tenant test walks the routes) with a customer's
motivation ``=HYPERLINK(...)`` and a vertical tab in a rejection reason, and reads each CSV and XLSX
back: no server error, no formula cell, no character XLSX cannot hold.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import ChangeRequest
from core.exports import safe_text
from tenants.roles import Role
from tests.agreements.factories import ChangeRequestFactory
from tests.billing.factories import billing_world
from tests.factories import user_with_role
from tests.test_cross_tenant import PLAIN_ROUTES

FORMULA = '=HYPERLINK("http://x","y")'
LIST_ROUTES = [name for name in PLAIN_ROUTES if name.startswith("api:") and name.endswith("-list")]


def test_safe_text_removes_illegal_characters_and_neutralises_formulas():
    assert safe_text(FORMULA) == "'" + FORMULA
    assert safe_text("nee\x0bwant") == "neewant"
    assert safe_text("\x0b=1+1") == "'=1+1"
    for start in ("+", "-", "@", "\t", "\r"):
        assert safe_text(start + "x") == "'" + start + "x"
    assert safe_text("gewoon") == "gewoon"


@pytest.fixture
def poisoned(db):
    world = billing_world()
    service = world.agreements["alfa"].lines.first().service
    ChangeRequestFactory(agreement=world.agreements["alfa"], service=service, motivation=FORMULA)
    ChangeRequestFactory(
        agreement=world.agreements["alfa"],
        service=service,
        volume=Decimal("3"),
        effective_from=date(2026, 1, 1),
        status=ChangeRequest.Status.REJECTED,
        decided_at=timezone.now(),
        decision_reason="Nee\x0bwant te laat",
    )
    return world


def _cells_csv(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("route", LIST_ROUTES)
@pytest.mark.parametrize("role", ["provider", "customer"])
def test_every_list_export_reads_back_without_formulas_or_illegal_characters(poisoned, client, route, role):
    user = (
        user_with_role(poisoned.provider, Role.PROVIDER_FINANCE)
        if role == "provider"
        else user_with_role(poisoned.alfa, Role.CONTRACT_MANAGER)
    )
    client.force_login(user)
    url = reverse(route)
    response = client.get(url, {"format": "csv"})
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
    if response.status_code == 200:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        for cell in _cells_csv(content):
            assert not cell.startswith(("=", "+", "@")), (url, cell)
            assert "\x0b" not in cell, (url, cell)
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
    if response.status_code == 200:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = load_workbook(io.BytesIO(content)).active
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (url, cell.value)
                if isinstance(cell.value, str):
                    assert "\x0b" not in cell.value, (url, cell.value)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_change_request_export_keeps_the_text_but_not_the_formula_or_the_control_character(
    poisoned, client, export_format
):
    client.force_login(user_with_role(poisoned.alfa, Role.CONTRACT_MANAGER))
    response = client.get(reverse("api:change-request-list"), {"format": export_format})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if export_format == "csv":
        cells = _cells_csv(content)
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Neewant te laat" in cells
