from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError

from billing.admin import InvoiceAdmin
from billing.models import Invoice, InvoiceLine
from billing.services.credit_notes import create_credit_note
from billing.services.issuing import issue_drafts, issue_invoice, mark_invoice_paid
from billing.services.runs import run_billing
from services.models import Tariff

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    return {i.customer.slug: i for i in Invoice.objects.select_related("customer")}


def test_numbers_are_assigned_at_issue_in_order_without_gaps(issued):
    numbers = sorted(i.number for i in issued.values() if not i.is_internal)
    year = numbers[0][:4]
    assert numbers == [f"{year}-00001", f"{year}-00002"]


def test_a_draft_has_no_number(world, q1):
    run_billing(period=q1)
    assert set(Invoice.objects.values_list("number", flat=True)) == {None}


def test_issuing_locks_the_tariffs_used(issued, world):
    assert all(t.is_locked for t in Tariff.objects.filter(year=2024))


def test_an_issued_invoice_cannot_be_issued_again(issued):
    with pytest.raises(ValidationError):
        issue_invoice(invoice=issued["alfa"])


def test_an_issued_invoice_refuses_changes_in_its_model(issued):
    invoice = issued["alfa"]
    invoice.net_total = Decimal("1.00")
    with pytest.raises(ValidationError):
        invoice.save()


def test_an_issued_invoice_cannot_be_deleted(issued):
    with pytest.raises(ValidationError):
        issued["alfa"].delete()


def test_the_lines_of_an_issued_invoice_refuse_changes(issued):
    line = issued["alfa"].lines.first()
    line.quantity = Decimal("99")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(ValidationError):
        InvoiceLine(
            invoice=issued["alfa"],
            service=line.service,
            description="extra",
            quantity=1,
            unit_price=line.unit_price,
            net_amount=1,
            vat_category="S",
            vat_rate=21,
        ).save()


def test_the_admin_shows_every_field_of_an_invoice_read_only(issued, rf, provider_staff):
    admin = InvoiceAdmin(Invoice, site)
    request = rf.get("/")
    request.user = provider_staff
    readonly = admin.get_readonly_fields(request, issued["alfa"])
    assert {"number", "status", "net_total", "customer"} <= set(readonly)
    assert not admin.has_delete_permission(request, issued["alfa"])
    assert "delete_selected" not in admin.get_actions(request)


def test_an_issued_invoice_may_be_marked_paid(issued):
    invoice = mark_invoice_paid(invoice=issued["alfa"])
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_at is not None


def test_issuing_refuses_a_line_whose_price_differs_from_the_tariff(world, q1):
    run = run_billing(period=q1)
    draft = run.invoices.get(customer=world.bravo)
    InvoiceLine.objects.filter(invoice=draft, service__code="ICT-01").update(unit_price=Decimal("1000.00"))
    with pytest.raises(ValidationError, match="ICT-01"):
        issue_invoice(invoice=draft)
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.DRAFT
    assert draft.number is None


def test_a_failed_issue_leaves_no_gap_in_the_numbers(world, q1):
    run = run_billing(period=q1)
    alfa, bravo = run.invoices.get(customer=world.alfa), run.invoices.get(customer=world.bravo)
    InvoiceLine.objects.filter(invoice=alfa, service__code="ICT-01").update(unit_price=Decimal("1.00"))
    with pytest.raises(ValidationError):
        issue_invoice(invoice=alfa)
    bravo = issue_invoice(invoice=bravo)
    assert bravo.number.endswith("-00001")


def test_a_whole_credit_note_references_the_original_and_leaves_it_untouched(issued):
    original = issued["alfa"]
    before = (original.net_total, original.number, list(original.lines.values_list("net_amount", flat=True)))
    note = create_credit_note(invoice=original, reason="Verkeerde afname")
    original.refresh_from_db()
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.credited_invoice == original
    assert note.net_total == -original.net_total
    assert note.gross_total == -original.gross_total
    assert note.number
    assert note.status == Invoice.Status.ISSUED
    assert (
        original.net_total,
        original.number,
        list(original.lines.values_list("net_amount", flat=True)),
    ) == before
    assert original.status == Invoice.Status.CREDITED


def test_a_credit_note_for_one_line_credits_only_that_line(issued):
    original = issued["alfa"]
    line = original.lines.get(service__code="ICT-01")
    note = create_credit_note(invoice=original, lines=[line], reason="Werkplekken te veel")
    assert list(note.lines.values_list("credited_line_id", "net_amount")) == [(line.pk, -line.net_amount)]
    assert note.vat_total == -(line.net_amount * Decimal("0.21")).quantize(Decimal("0.01"))
    original.refresh_from_db()
    assert original.status == Invoice.Status.ISSUED


def test_a_line_cannot_be_credited_twice(issued):
    original = issued["alfa"]
    line = original.lines.first()
    create_credit_note(invoice=original, lines=[line], reason="Eerste correctie")
    with pytest.raises(ValidationError):
        create_credit_note(invoice=original, lines=[line], reason="Nog eens")


def test_a_draft_cannot_be_credited(world, q1):
    run = run_billing(period=q1)
    with pytest.raises(ValidationError):
        create_credit_note(invoice=run.invoices.first(), reason="Te vroeg")


def test_a_credit_note_of_leidens_internal_invoice_uses_the_internal_series(issued):
    note = create_credit_note(invoice=issued["leiden"], reason="Correctie")
    assert note.number.startswith("INT-")
    assert note.vat_total == Decimal("0.00")
    assert not note.is_e_invoice
