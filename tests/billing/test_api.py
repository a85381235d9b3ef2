"""The finance exports: invoices, invoice lines and journal entries in JSON, CSV and XLSX; e-invoice and
PDF per invoice; isolation between tenants; token auth; flat query counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from billing.api.viewsets import InvoiceLineViewSet
from billing.models import Invoice
from core.exports import iter_copy_csv
from tests.billing.tenancy_api import issued_invoice
from tests.conftest import client_for
from tests.tenancy import api_token_for

INVOICES = "/api/v1/invoices/"
LINES = "/api/v1/invoice-lines/"
JOURNAL = "/api/v1/journal-entries/"


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def xlsx_rows(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(body(response))).active
    header, *rows = list(sheet.values)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(name="invoices")
def invoices_fixture(provider, municipality, other_municipality):
    """Alfa: two issued invoices and a draft; Bravo: one issued; Leiden: its internal settlement."""
    return {
        "alfa": issued_invoice(municipality, number="2024-00001", lines=2),
        "alfa_q2": issued_invoice(municipality, number="2024-00002", period="2024-Q2", year=2024),
        "alfa_draft": issued_invoice(municipality, status=Invoice.Status.DRAFT, period="2024-Q3"),
        "bravo": issued_invoice(other_municipality, number="2024-00003"),
        "leiden": issued_invoice(provider, number="INT-2024-00001", kind=Invoice.Kind.INTERNAL),
    }


# --- isolation, per format ------------------------------------------------------------------------


def test_finance_of_a_municipality_lists_only_its_own_issued_invoices_as_json(finance_user, invoices):
    response = client_for(finance_user).get(INVOICES)
    assert response.status_code == 200
    numbers = {row["number"] for row in response.json()["results"]}
    assert numbers == {"2024-00001", "2024-00002"}


def test_finance_of_a_municipality_exports_only_its_own_invoices_as_csv(finance_user, invoices):
    rows = csv_rows(client_for(finance_user).get(INVOICES, {"format": "csv"}))
    assert {row["number"] for row in rows} == {"2024-00001", "2024-00002"}
    assert {row["customer"] for row in rows} == {"alfa"}


def test_finance_of_a_municipality_exports_only_its_own_invoices_as_xlsx(finance_user, invoices):
    rows = xlsx_rows(client_for(finance_user).get(INVOICES, {"format": "xlsx"}))
    assert {row["number"] for row in rows} == {"2024-00001", "2024-00002"}


def test_finance_of_a_municipality_exports_only_its_own_invoice_lines_in_every_format(finance_user, invoices):
    client = client_for(finance_user)
    json_rows = client.get(LINES).json()["results"]
    assert {row["invoice"] for row in json_rows} == {"2024-00001", "2024-00002"}
    assert len(json_rows) == 3
    assert {row["invoice"] for row in csv_rows(client.get(LINES, {"format": "csv"}))} == {
        "2024-00001",
        "2024-00002",
    }
    assert {row["invoice"] for row in xlsx_rows(client.get(LINES, {"format": "xlsx"}))} == {
        "2024-00001",
        "2024-00002",
    }


def test_finance_of_a_municipality_exports_only_its_own_journal_in_every_format(finance_user, invoices):
    client = client_for(finance_user)
    assert {row["customer"] for row in client.get(JOURNAL).json()["results"]} == {"alfa"}
    assert {row["customer"] for row in csv_rows(client.get(JOURNAL, {"format": "csv"}))} == {"alfa"}
    assert {row["customer"] for row in xlsx_rows(client.get(JOURNAL, {"format": "xlsx"}))} == {"alfa"}


def test_provider_finance_sees_every_invoice_drafts_included(provider_finance, invoices):
    rows = csv_rows(client_for(provider_finance).get(INVOICES, {"format": "csv"}))
    assert len(rows) == 5
    assert "draft" in {row["status"] for row in rows}


def test_a_draft_is_never_exported_to_a_municipality(finance_user, contract_manager, invoices):
    for user in (finance_user, contract_manager):
        client = client_for(user)
        assert client.get(INVOICES, {"status": "draft"}).json()["count"] == 0
        lines = csv_rows(client.get(LINES, {"format": "csv"}))
        assert "draft" not in {row["invoice_status"] for row in lines}


@pytest.mark.parametrize("suffix", ["", "ubl/", "pdf/"])
def test_another_tenants_invoice_answers_404_everywhere(finance_user, invoices, suffix):
    response = client_for(finance_user).get(f"{INVOICES}2024-00003/{suffix}")
    assert response.status_code == 404
    assert b"Bravo" not in response.content


def test_another_tenants_invoice_line_answers_404(finance_user, invoices):
    line = invoices["bravo"].lines.first()
    assert client_for(finance_user).get(f"{LINES}{line.pk}/").status_code == 404


def test_the_contract_manager_has_no_journal(contract_manager, invoices):
    assert client_for(contract_manager).get(JOURNAL).status_code == 404


# --- token auth -----------------------------------------------------------------------------------


def test_a_finance_system_authenticates_with_its_token(finance_user, invoices):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(finance_user)}")
    rows = csv_rows(client.get(LINES, {"format": "csv"}))
    assert {row["customer"] for row in rows} == {"alfa"}
    assert client.get(f"{INVOICES}2024-00003/").status_code == 404


def test_without_credentials_the_exports_answer_401(invoices):
    client = APIClient()
    for url in (INVOICES, LINES, JOURNAL, f"{INVOICES}2024-00001/ubl/"):
        assert client.get(url).status_code == 401, url


def test_a_wrong_token_is_refused(invoices):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(INVOICES).status_code == 401


# --- formats --------------------------------------------------------------------------------------


def test_exported_invoices_have_stable_columns_machine_amounts_and_iso_dates(finance_user, invoices):
    response = client_for(finance_user).get(INVOICES, {"format": "csv", "period": "2024-Q1"})
    text = body(response).decode()
    header = text.splitlines()[0]
    assert header == (
        "number,kind,purpose,status,customer,customer_name,period,year,period_start,period_end,"
        "issue_date,due_date,net_total,vat_total,gross_total,credited_invoice,agreement"
    )
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["net_total"], row["vat_total"], row["gross_total"]) == ("500.00", "105.00", "605.00")
    assert (row["issue_date"], row["period_start"]) == ("2024-01-02", "2024-01-01")


def test_exported_invoice_lines_have_stable_columns(finance_user, invoices):
    text = body(client_for(finance_user).get(LINES, {"format": "csv"})).decode()
    assert text.splitlines()[0] == (
        "id,invoice,invoice_kind,invoice_status,customer,period,year,service,domain,taakveld,description,"
        "quantity,unit_code,unit_price,periods_per_year,net_amount,vat_category,vat_rate"
    )
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["unit_price"], row["net_amount"], row["vat_rate"]) == ("100.00", "250.00", "21.00")


def test_json_amounts_are_strings_with_two_decimals(finance_user, invoices):
    row = client_for(finance_user).get(f"{INVOICES}2024-00001/").json()
    assert (row["net_total"], row["gross_total"], row["issue_date"]) == ("500.00", "605.00", "2024-01-02")
    assert row["customer"] == "alfa"


def test_xlsx_amounts_are_numbers(finance_user, invoices):
    rows = xlsx_rows(client_for(finance_user).get(LINES, {"format": "xlsx"}))
    assert all(Decimal(str(row["net_amount"])) == Decimal("250.00") for row in rows)


# --- filters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"customer": "alfa"}, {"2024-00001", "2024-00002", None}),  # the draft has no number yet
        ({"customer": "bravo"}, {"2024-00003"}),
        ({"period": "2024-Q2"}, {"2024-00002"}),
        ({"year": "2024", "kind": "internal"}, {"INT-2024-00001"}),
        ({"status": "issued", "customer": "bravo"}, {"2024-00003"}),
        ({"year": "2023"}, set()),
    ],
)
def test_invoices_filter_by_customer_year_period_status_and_kind(
    provider_finance, invoices, params, expected
):
    response = client_for(provider_finance).get(INVOICES, params)
    assert {row["number"] for row in response.json()["results"]} == expected
    csv_numbers = {
        row["number"] or None
        for row in csv_rows(client_for(provider_finance).get(INVOICES, {**params, "format": "csv"}))
    }
    assert csv_numbers == expected


def test_invoice_lines_filter_through_their_invoice(provider_finance, invoices):
    client = client_for(provider_finance)
    assert {row["invoice"] for row in client.get(LINES, {"invoice": "2024-00003"}).json()["results"]} == {
        "2024-00003"
    }
    service = invoices["bravo"].lines.first().service.code
    assert {row["service"] for row in client.get(LINES, {"service": service}).json()["results"]} == {service}
    assert {row["customer"] for row in client.get(LINES, {"customer": "bravo"}).json()["results"]} == {
        "bravo"
    }


def test_a_bad_filter_value_is_a_400_not_a_server_error(provider_finance, invoices):
    client = client_for(provider_finance)
    assert client.get(INVOICES, {"status": "lost"}).status_code == 400
    assert client.get(JOURNAL, {"year": "abc"}).status_code == 400


# --- documents ------------------------------------------------------------------------------------


def test_the_e_invoice_of_an_own_invoice_is_si_ubl_xml(finance_user, invoices):
    response = client_for(finance_user).get(f"{INVOICES}2024-00001/ubl/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert b"urn:fdc:nen.nl:nlcius:v1.0" in response.content
    assert b"<cbc:ID>2024-00001</cbc:ID>" in response.content


def test_a_credit_note_comes_as_a_ubl_credit_note(finance_user, municipality, invoices):
    issued_invoice(
        municipality, number="2024-00010", kind=Invoice.Kind.CREDIT_NOTE, credited_invoice=invoices["alfa"]
    )
    response = client_for(finance_user).get(f"{INVOICES}2024-00010/ubl/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert b"<CreditNote" in response.content
    assert b"<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in response.content


def test_an_internal_settlement_has_no_e_invoice_and_says_why(provider_finance, invoices):
    response = client_for(provider_finance).get(f"{INVOICES}INT-2024-00001/ubl/")
    assert response.status_code == 404
    assert "interne verrekening" in response.json()["detail"]


def test_the_pdf_of_an_own_invoice_is_the_portals_pdf(finance_user, invoices):
    response = client_for(finance_user).get(f"{INVOICES}2024-00001/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [INVOICES, LINES, JOURNAL])
@pytest.mark.parametrize("export_format", ["json", "csv", "xlsx"])
def test_list_query_counts_do_not_grow_with_the_data(
    provider_finance, municipality, django_assert_max_num_queries, url, export_format
):
    client = client_for(provider_finance)
    bound = 8
    issued_invoice(municipality, lines=1)
    with django_assert_max_num_queries(bound):
        body(client.get(url, {"format": export_format}))
    for _ in range(15):
        issued_invoice(municipality, lines=3)
    with django_assert_max_num_queries(bound):
        body(client.get(url, {"format": export_format}))


def test_an_invoice_without_the_object_permission_answers_404_even_in_scope(finance_user, municipality):
    from tests.billing.factories import InvoiceFactory

    invoice = InvoiceFactory(customer=municipality, purpose=Invoice.Purpose.CORRECTION)
    Invoice.objects.filter(pk=invoice.pk).update(status="issued", number="2024-00077")
    client = client_for(finance_user)
    assert client.get(f"{INVOICES}2024-00077/").status_code == 404
    assert client.get(f"{INVOICES}2024-00077/ubl/").status_code == 404


def test_a_csv_export_left_halfway_stops_copy_and_leaves_the_connection_usable(
    provider_finance, municipality
):
    from billing.models import InvoiceLine

    invoice = issued_invoice(municipality, status=Invoice.Status.DRAFT)
    template = invoice.lines.get()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                service=template.service,
                description=f"Regel {n} " + "x" * 100,
                quantity=template.quantity,
                unit_price=template.unit_price,
                net_amount=template.net_amount,
                vat_category="S",
                vat_rate=template.vat_rate,
            )
            for n in range(40000)
        ]
    )
    view = InvoiceLineViewSet()
    view.request = SimpleNamespace(user=provider_finance, query_params={})
    # 40,000 lines are some 7 MB of CSV: far more than the queue holds, so COPY is still running.
    chunks = iter_copy_csv(view.get_queryset(), view.export_columns)
    assert next(chunks).startswith(b"id,invoice,")
    assert next(chunks)
    chunks.close()  # the client went away: the server closes the response and so the stream
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 40001
    assert len(csv_rows(client_for(provider_finance).get(LINES, {"format": "csv"}))) == 40001


def test_the_invoice_line_list_reads_values_yet_answers_what_the_serializer_answers(
    invoices, provider_finance
):
    from billing.api.serializers import InvoiceLineSerializer
    from billing.models import InvoiceLine

    data = client_for(provider_finance).get("/api/v1/invoice-lines/", {"page_size": 1000}).json()
    lines = InvoiceLine.objects.select_related("invoice__customer", "service__domain").order_by(
        "invoice_id", "pk"
    )
    assert data["results"] == InvoiceLineSerializer(lines, many=True).data
    assert data["count"] == len(lines) > 0
