"""Journal entries: what a finance system imports. Two entries per invoice line (receivable debit,
revenue credit by domain) with the customer's cost centre and the service's taakveld, the VAT pair per
invoice, balanced per invoice, in every format."""

from __future__ import annotations

from decimal import Decimal

from billing.models import Invoice
from tests.billing.tenancy_api import issued_invoice
from tests.billing.test_api import JOURNAL, csv_rows, invoices_fixture  # noqa: F401 - the fixture
from tests.conftest import client_for


def test_every_invoice_line_gives_a_receivable_debit_and_a_revenue_credit_with_cost_centre_and_taakveld(
    finance_user, municipality, invoices
):
    rows = csv_rows(client_for(finance_user).get(JOURNAL, {"format": "csv", "invoice": "2024-00001"}))
    line_rows = [row for row in rows if row["line"]]
    assert sorted(row["entry"] for row in line_rows) == ["receivable", "receivable", "revenue", "revenue"]
    for row in line_rows:
        assert row["cost_centre"] == municipality.cost_centre
        assert row["taakveld"] == "0.4"
        assert row["domain"]
    receivable = next(row for row in line_rows if row["entry"] == "receivable")
    assert (receivable["debit"], receivable["credit"]) == ("250.00", "0.00")


def test_the_journal_balances_per_invoice_and_receivables_equal_the_gross_total(provider_finance, invoices):
    rows = csv_rows(client_for(provider_finance).get(JOURNAL, {"format": "csv"}))
    per_invoice: dict[str, list[Decimal]] = {}
    for row in rows:
        debit, credit = per_invoice.setdefault(row["invoice"], [Decimal(0), Decimal(0)])
        per_invoice[row["invoice"]] = [debit + Decimal(row["debit"]), credit + Decimal(row["credit"])]
    assert set(per_invoice) == {"2024-00001", "2024-00002", "2024-00003", "INT-2024-00001"}
    for number, (debit, credit) in per_invoice.items():
        assert debit == credit, number
        assert debit == Invoice.objects.get(number=number).gross_total


def test_a_credit_note_reverses_the_journal_sides(provider_finance, municipality, invoices):
    original = invoices["alfa"]
    credit = issued_invoice(
        municipality, number="2024-00009", kind=Invoice.Kind.CREDIT_NOTE, credited_invoice=original
    )
    response = client_for(provider_finance).get(JOURNAL, {"format": "csv", "invoice": credit.number})
    entries = {(row["entry"], row["line"] != ""): (row["debit"], row["credit"]) for row in csv_rows(response)}
    assert entries[("receivable", True)] == ("0.00", "250.00")
    assert entries[("revenue", True)] == ("250.00", "0.00")
    assert entries[("vat", False)] == ("52.50", "0.00")


def test_the_journal_json_pages_with_the_same_entries(provider_finance, invoices):
    client = client_for(provider_finance)
    data = client.get(JOURNAL, {"page_size": 1000}).json()
    assert len(data["results"]) == len(csv_rows(client.get(JOURNAL, {"format": "csv"})))
    assert data["next"] is None
    assert {"invoice", "entry", "cost_centre", "taakveld", "debit", "credit"} <= set(data["results"][0])


def test_the_journal_pages_by_whole_invoices_after_a_cursor(provider_finance, invoices):
    client = client_for(provider_finance)
    everything = [
        (r["invoice"], r["line"], r["entry"]) for r in csv_rows(client.get(JOURNAL, {"format": "csv"}))
    ]
    paged, url, pages = [], JOURNAL + "?page_size=1", 0
    while url:
        data = client.get(url).json()
        paged += [(r["invoice"], str(r["line"] or ""), r["entry"]) for r in data["results"]]
        assert len({r["invoice"] for r in data["results"]}) == 1  # one whole invoice per page here
        url, pages = data["next"], pages + 1
    assert paged == everything
    assert pages == len({number for number, _line, _entry in everything})


def test_a_journal_page_size_that_is_no_number_is_refused(provider_finance, invoices):
    response = client_for(provider_finance).get(JOURNAL, {"page_size": "veel"})
    assert response.status_code == 400
    assert "page_size" in response.json()
