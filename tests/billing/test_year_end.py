"""Year-end that adds up: an import replaces the year's set, a settled year is closed to imports, a
fully credited settlement may be redone, and a settlement's credit note is not billed volume."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import BillingRun, Invoice, RealisedVolume
from billing.selectors import billed_volumes
from billing.services.credit_notes import create_credit_note
from billing.services.issuing import issue_drafts, issue_invoice
from billing.services.runs import run_billing
from billing.services.settlement import import_realised_volumes, settle_year
from core.csvinput import CsvProblems
from core.periods import Period

pytestmark = pytest.mark.django_db
HEADER = b"gemeente;dienstcode;volume\n"


@pytest.fixture
def billed_year(world):
    for quarter in range(1, 5):
        run = run_billing(period=Period(2024, quarter=quarter))
        issue_drafts(invoices=run.invoices.select_related("customer"))
    return world


def test_a_reimport_replaces_the_whole_set_and_says_what_it_removed(world):
    import_realised_volumes(source=HEADER + b"Alfa;ICT-01;12\nAlfa;HRM-01;4\n", year=2024)
    result = import_realised_volumes(source=HEADER + b"Alfa;ICT-01;13\n", year=2024)
    assert (result.rows, result.updated, result.created) == (1, 1, 0)
    assert result.removed == ["Gemeente Alfa HRM-01"]
    assert list(RealisedVolume.objects.values_list("service__code", "volume")) == [("ICT-01", Decimal("13"))]


def test_an_empty_realised_volumes_file_is_refused(world):
    with pytest.raises(CsvProblems) as exc:
        import_realised_volumes(source=HEADER, year=2024, name="afname.csv")
    assert [str(p) for p in exc.value.problems] == ["afname.csv:1: -: geen gegevensregels"]


def test_a_volume_the_database_cannot_hold_is_refused_with_its_row(world):
    with pytest.raises(CsvProblems) as exc:
        import_realised_volumes(source=HEADER + b"Alfa;ICT-01;99999999999\n", year=2024, name="a.csv")
    assert str(exc.value.problems[0]).startswith("a.csv:2: volume: '99999999999' heeft meer dan 10 cijfers")


def test_an_import_for_a_settled_year_is_refused_and_a_fully_credited_settlement_may_be_redone(billed_year):
    import_realised_volumes(source=HEADER + b"Alfa;ICT-01;12\n", year=2024)
    result = settle_year(year=2024)
    assert result.run.status == BillingRun.Status.DONE
    assert result.run.period == "2024"
    settlement = issue_invoice(invoice=result.created[0])
    with pytest.raises(ValidationError, match="al afgerekend"):
        import_realised_volumes(source=HEADER + b"Alfa;ICT-01;14\n", year=2024)
    before, _covered = billed_volumes(customer_id=billed_year.alfa.pk, year=2024)
    create_credit_note(invoice=settlement, reason="nacalculatie opnieuw")
    settlement.refresh_from_db()
    assert settlement.status == Invoice.Status.CREDITED
    after, _covered = billed_volumes(customer_id=billed_year.alfa.pk, year=2024)
    assert after == before  # the settlement's credit note is no billed volume
    import_realised_volumes(source=HEADER + b"Alfa;ICT-01;14\n", year=2024)
    again = settle_year(year=2024)
    assert len(again.created) == 1
    assert again.created[0].lines.get().quantity == Decimal("4")  # 14 realised - 10 billed
