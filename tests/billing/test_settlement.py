from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from billing.models import Invoice, RealisedVolume
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from billing.services.settlement import import_realised_volumes, settle_year
from core.csvinput import CsvProblems
from core.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed_year(world):
    for quarter in range(1, 5):
        run = run_billing(period=Period(2024, quarter=quarter))
        issue_drafts(invoices=run.invoices.select_related("customer"))
    return world


def test_realised_volumes_are_read_with_either_delimiter_and_decimal_comma(world):
    data = "\ufeffGemeente ; Dienstcode ; Volume\nGemeente Alfa;ICT-01;12,5\n9002;hrm-01;3\n".encode()
    assert import_realised_volumes(source=data, year=2024, name="afname.csv").rows == 2
    assert RealisedVolume.objects.get(customer=world.alfa, service__code="ICT-01").volume == Decimal("12.5")
    assert RealisedVolume.objects.get(customer=world.bravo, service__code="HRM-01").volume == Decimal("3")


def test_every_bad_row_is_reported_and_nothing_is_imported(world, tmp_path):
    path = tmp_path / "afname.csv"
    path.write_text(
        "gemeente,dienstcode,volume\nGemeente Alfa,ICT-01,10\nAtlantis,ICT-01,1\nBravo,XXX-99,1\nAlfa,HRM-01,-2\n"
        "Alfa,ICT-01,11\n"
    )
    with pytest.raises(CommandError):
        call_command("import_realised_volumes", str(path), "--year", "2024")
    with pytest.raises(CsvProblems) as problems:
        import_realised_volumes(source=path, year=2024)
    assert [str(p) for p in problems.value.problems] == [
        "afname.csv:3: gemeente: 'Atlantis' is geen bekende gemeente (naam of CBS-code)",
        "afname.csv:4: dienstcode: 'XXX-99' staat niet in de catalogus",
        "afname.csv:5: volume: '-2' moet minstens 0 zijn",
        "afname.csv:6: dienstcode: 'ICT-01' voor 'Alfa' staat al op rij 2",
    ]
    assert not RealisedVolume.objects.exists()


def test_settlement_invoices_more_taken_and_credits_less_taken(billed_year):
    import_realised_volumes(
        source=b"gemeente;dienstcode;volume\nAlfa;ICT-01;12\nBravo;ICT-01;2\nBravo;HRM-01;3\n", year=2024
    )
    result = settle_year(year=2024)
    documents = {i.customer.slug: i for i in result.created}
    alfa, bravo = documents["alfa"], documents["bravo"]
    # Alfa: 2 workstations more x 1234.50; Bravo: 1 fewer, salary administration as billed.
    assert alfa.kind == Invoice.Kind.INVOICE
    assert alfa.purpose == Invoice.Purpose.SETTLEMENT
    assert alfa.net_total == Decimal("2469.00")
    assert bravo.kind == Invoice.Kind.CREDIT_NOTE
    assert bravo.net_total == Decimal("-1234.50")
    assert list(bravo.lines.values_list("service__code", "quantity")) == [("ICT-01", Decimal("-1.0000"))]
    assert set(documents) == {"alfa", "bravo"}


def test_settling_a_year_again_adds_nothing(billed_year):
    import_realised_volumes(source=b"gemeente;dienstcode;volume\nAlfa;ICT-01;12\n", year=2024)
    settle_year(year=2024)
    again = settle_year(year=2024)
    assert again.created == []
    assert Invoice.objects.filter(purpose=Invoice.Purpose.SETTLEMENT).count() == 1
    call_command("settle_year", "2024")
    assert Invoice.objects.filter(purpose=Invoice.Purpose.SETTLEMENT).count() == 1


def test_a_year_not_fully_billed_is_not_settled(world):
    run = run_billing(period=Period(2024, quarter=1))
    issue_drafts(invoices=run.invoices.select_related("customer"))
    import_realised_volumes(source=b"gemeente;dienstcode;volume\nAlfa;ICT-01;12\n", year=2024)
    result = settle_year(year=2024)
    assert result.created == []
    assert "nog niet elke periode" in result.notes[0]


def test_leidens_settlement_is_internal_without_vat(billed_year):
    import_realised_volumes(source=b"gemeente;dienstcode;volume\nLeiden;ICT-01;101\n", year=2024)
    (document,) = settle_year(year=2024, issue=True).created
    assert document.kind == Invoice.Kind.INTERNAL
    assert document.vat_total == 0
    assert document.number.startswith("INT-")
