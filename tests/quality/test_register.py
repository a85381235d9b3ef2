"""The open tariff register: no login, the catalogue, tariffs, norms, the verdict per billed year, the
fingerprint in its documented form, and nothing of a tenant."""

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest

from billing.models import Invoice, InvoiceLine
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from core.periods import Period
from quality.register import canonical_tariff_table, fingerprint
from tests.billing.factories import billing_world
from tests.services.factories import ServiceLevelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed():
    world = billing_world()
    ServiceLevelFactory(service=world.services[0], year=2024, satisfaction_target=Decimal("7.5"))
    run = run_billing(period=Period.parse("2024-Q1"))
    issue_drafts(invoices=run.invoices.select_related("customer"))
    return world


def test_the_canonical_form_is_sorted_lines_with_two_decimals():
    rows = [("ICT-01", 2025, Decimal("1606.1")), ("FIN-01", 2025, Decimal("8"))]
    assert canonical_tariff_table(rows) == b"FIN-01;2025;8.00\nICT-01;2025;1606.10\n"
    assert fingerprint(rows) == hashlib.sha256(b"FIN-01;2025;8.00\nICT-01;2025;1606.10\n").hexdigest()


def test_anyone_reads_the_register_without_logging_in(client, billed):
    page = client.get("/open/tarieven/?jaar=2024")
    assert page.status_code == 200
    text = page.content.decode()
    assert "ICT-01" in text
    assert "€ 1.234,50" in text
    assert "ja, gelijk" in text
    expected = hashlib.sha256(b"FIN-00;2024;250.00\nHRM-01;2024;99.99\nICT-01;2024;1234.50\n").hexdigest()
    assert expected in text


def test_the_json_gives_the_verdict_and_a_fingerprint_anyone_can_recompute(client, billed):
    data = json.loads(client.get("/open/tarieven.json").content)
    year = next(y for y in data["years"] if y["year"] == 2024)
    assert year["price_equality"] == "equal"
    lines = sorted(f"{t['service']};2024;{t['unit_price']}\n" for t in year["tariffs"])
    assert hashlib.sha256("".join(lines).encode()).hexdigest() == year["tariff_fingerprint_sha256"]
    level = next(s for s in year["service_levels"] if s["service"] == "ICT-01")
    assert level["satisfaction_target"] == "7.5"
    assert level["target_share_percent"] == "90.00"


def test_a_deviating_price_turns_the_verdict(client, billed):
    InvoiceLine.objects.filter(invoice__customer=billed.alfa).update(unit_price=Decimal("1.00"))
    data = json.loads(client.get("/open/tarieven.json").content)
    assert next(y for y in data["years"] if y["year"] == 2024)["price_equality"] == "deviation"


def test_nothing_of_a_tenant_is_on_the_register(client, billed):
    """Every field of every format is checked against the tenants' names, slugs, amounts and volumes."""
    tenant_values = set()
    for org in billed.customers:
        tenant_values |= {org.name, org.slug, org.cbs_code, org.kvk, org.vat_number, org.oin}
    for invoice in Invoice.objects.all():
        tenant_values |= {f"{invoice.net_total:.2f}", f"{invoice.gross_total:.2f}", invoice.number or ""}
    tenant_values.discard("")
    json_text = client.get("/open/tarieven.json").content.decode()
    csv_text = client.get("/open/tarieven.csv").content.decode()
    data = json.loads(json_text)

    def fields(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from fields(v)
        elif isinstance(value, list):
            for v in value:
                yield from fields(v)
        else:
            yield str(value)

    values = list(fields(data)) + [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert not tenant_values & set(values)
    html = client.get("/open/tarieven/?jaar=2024").content.decode()
    assert not [v for v in tenant_values if v in html and v not in {"leiden", "Gemeente Leiden"}]


def test_the_csv_has_a_row_per_year_and_service(client, billed):
    rows = list(csv.DictReader(io.StringIO(client.get("/open/tarieven.csv").content.decode())))
    assert {r["service"] for r in rows if r["year"] == "2024"} == {"ICT-01", "HRM-01", "FIN-00"}
    assert all(r["price_equality"] == "equal" for r in rows)


def test_the_register_uses_the_same_queries_with_more_years(client, billed, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/open/tarieven.json")
