"""Budget letters: the figures, the same price, provisional letters and versions, immutability."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.selectors import year_costs
from budget.admin import BudgetLetterAdmin
from budget.forms import parse_dutch_number
from budget.models import BudgetLetter, VolumeMargin
from budget.services import (
    acknowledge_budget_letter,
    default_deadline,
    generate_budget_letter,
    generate_budget_letters,
    issue_budget_letter,
)
from core.money import to_cents
from services.services import indexed_price

from .factories import add_tariffs

pytestmark = pytest.mark.django_db


def _letters(year=2026, **kwargs):
    return {letter.customer.slug: letter for letter in generate_budget_letters(year=year, **kwargs).letters}


def test_each_line_is_volume_times_the_years_tariff_rounded_half_up(world):
    letter = _letters()["alfa"]
    lines = {line.service.code: line for line in letter.lines.all()}
    # 160 employees x 35,01 = 5.601,60; 5.000 invoices x 3,67 = 18.350,00; 100 x 1.050,00 = 105.000,00.
    assert lines["HRM-01"].amount == Decimal("5601.60") == to_cents(Decimal(160) * Decimal("35.01"))
    assert lines["FIN-02"].amount == Decimal("18350.00")
    assert lines["ICT-01"].amount == Decimal("105000.00")
    # The one yearly-cost rule of the agreements gives the same figure per line and in total.
    costs = year_costs(agreement=world.agreements["alfa"], year=2026)
    assert {c.service.code: c.amount for c in costs.lines} == {c: line.amount for c, line in lines.items()}
    assert letter.net_total == costs.total == Decimal("128951.60")


def test_a_line_is_the_sum_of_its_periods_each_rounded_half_up_like_billing(world):
    """3 employees x 35,01 / 4 = 26,2575 -> 26,26 a quarter (half up), 105,04 a year (not 105,03)."""
    from agreements.services.lines import set_line_volumes

    set_line_volumes(
        agreement=world.agreements["charlie"], year=2026, volumes={world.services["HRM-01"]: Decimal(3)}
    )
    letter = generate_budget_letter(customer=world.charlie, year=2026)
    line = letter.lines.get(service__code="HRM-01")
    assert line.amount == Decimal("105.04")


def test_every_municipality_gets_the_same_unit_price(world):
    letters = _letters()
    assert len(letters) == 4
    prices = {
        (line.service.code, line.unit_price) for letter in letters.values() for line in letter.lines.all()
    }
    assert prices == {
        ("ICT-01", Decimal("1050.00")),
        ("HRM-01", Decimal("35.01")),
        ("FIN-02", Decimal("3.67")),
    }


def test_totals_per_domain_and_taakveld_with_vat_per_category_and_none_for_leiden(world):
    letters = _letters()
    alfa = letters["alfa"]
    # VAT only on the taxed services: 21 % of 105.000,00 + 18.350,00; salary administration is exempt.
    assert alfa.vat_total == Decimal("25903.50")
    assert alfa.gross_total == alfa.net_total + alfa.vat_total
    leiden = letters["leiden"]
    assert leiden.is_internal
    assert leiden.vat_total == Decimal("0.00")
    from budget.selectors import subtotals

    by_taakveld = {g.key: g.amount for g in subtotals(list(alfa.lines.all()), by="taakveld")}
    assert by_taakveld == {"0.4": Decimal("110601.60"), "0.5": Decimal("18350.00")}
    by_domain = {g.key: g.amount for g in subtotals(list(alfa.lines.select_related("domain")), by="domain")}
    assert by_domain == {"ict": Decimal("105000.00"), "hrm": Decimal("23951.60")}


def test_three_scenarios_from_the_default_domain_and_service_margins(world):
    letter = _letters()["alfa"]
    assert letter.low_total == to_cents(letter.net_total * Decimal("0.95"))
    assert letter.high_total == to_cents(letter.net_total * Decimal("1.05"))
    VolumeMargin.objects.create(domain=world.services["ICT-01"].domain, low_percent=-10, high_percent=2)
    VolumeMargin.objects.create(service=world.services["FIN-02"], low_percent=-20, high_percent=20)
    letter = generate_budget_letter(customer=world.alfa, year=2026)
    lines = {line.service.code: line for line in letter.lines.all()}
    assert lines["ICT-01"].low_amount == Decimal("94500.00")
    assert lines["ICT-01"].high_amount == Decimal("107100.00")
    assert lines["FIN-02"].low_amount == Decimal("14680.00")
    assert lines["FIN-02"].high_amount == Decimal("22020.00")
    assert lines["HRM-01"].low_amount == Decimal("5321.52")  # 5.601,60 x 0,95
    assert "Dezelfde prijs" in letter.assumptions


def test_without_next_years_tariffs_a_percentage_is_needed_and_every_figure_is_provisional(world):
    with pytest.raises(ValidationError, match="nog niet vastgesteld"):
        generate_budget_letters(year=2027)
    letters = _letters(2027, provisional_percent="3,0")
    alfa = letters["alfa"]
    assert alfa.is_provisional
    assert alfa.provisional_percent == Decimal("3.00")
    assert alfa.tariff_year == 2026
    line = alfa.lines.get(service__code="HRM-01")
    assert line.is_provisional_price
    assert line.unit_price == indexed_price(Decimal("35.01"), Decimal("3.0"))
    assert line.unit_price == Decimal("36.06")
    assert "voorlopig" in alfa.assumptions.lower()
    assert {letter.lines.get(service__code="HRM-01").unit_price for letter in letters.values()} == {
        Decimal("36.06")
    }


def test_an_update_after_the_tariffs_are_set_is_a_new_version_that_references_the_old(world):
    drafts = _letters(2027, provisional_percent="3.0")
    first = issue_budget_letter(letter=drafts["alfa"])
    assert first.number == "BB-2027-9001-1"
    add_tariffs(world, 2027)
    with pytest.raises(ValidationError, match="inmiddels vastgesteld"):
        issue_budget_letter(letter=drafts["bravo"])
    update = generate_budget_letter(customer=world.alfa, year=2027)
    assert (update.version, update.replaces, update.is_provisional) == (2, first, False)
    assert update.lines.get(service__code="HRM-01").unit_price == Decimal("36.00")
    update = issue_budget_letter(letter=update)
    assert update.number == "BB-2027-9001-2"
    first.refresh_from_db()
    assert first.replaced_by == update
    assert first.status == BudgetLetter.Status.ISSUED


def test_generating_again_recalculates_the_draft_instead_of_adding_one(world):
    first = _letters()["alfa"]
    again = _letters()["alfa"]
    assert first.pk == again.pk
    assert BudgetLetter.objects.filter(customer=world.alfa).count() == 1


def test_an_issued_letter_never_changes(world, staff):
    letter = issue_budget_letter(letter=_letters()["alfa"], by=staff)
    assert letter.issued_by == staff
    assert letter.issued_at is not None
    letter.net_total = Decimal("1.00")
    with pytest.raises(ValidationError, match="verandert niet meer"):
        letter.save()
    letter.refresh_from_db()
    line = letter.lines.first()
    line.amount = Decimal("1.00")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(ValidationError):
        letter.delete()
    with pytest.raises(ValidationError, match="al verzonden"):
        issue_budget_letter(letter=letter)
    admin = BudgetLetterAdmin(BudgetLetter, AdminSite())
    assert not admin.has_change_permission(None, letter)
    assert not admin.has_delete_permission(None, letter)
    assert letter.history.count() >= 3


def test_a_municipality_acknowledges_once_and_the_letter_records_who_and_when(world, finance):
    letter = _letters()["alfa"]
    with pytest.raises(ValidationError, match="concept"):
        acknowledge_budget_letter(letter=letter, by=finance)
    issue_budget_letter(letter=letter)
    letter = acknowledge_budget_letter(letter=letter, by=finance)
    assert letter.status == BudgetLetter.Status.ACKNOWLEDGED
    assert letter.acknowledged_by == finance
    with pytest.raises(ValidationError, match="al bevestigd"):
        acknowledge_budget_letter(letter=letter, by=finance)


def test_the_deadline_defaults_to_15_april_of_the_year_before(world):
    assert default_deadline(2027) == date(2026, 4, 15)
    assert _letters(2027, provisional_percent="3")["alfa"].deadline == date(2026, 4, 15)


def test_provisional_letters_of_one_year_share_one_percentage(world):
    issue_budget_letter(letter=_letters(2027, provisional_percent="3.0")["alfa"])
    other = generate_budget_letter(customer=world.bravo, year=2027, provisional_percent="2.5")
    with pytest.raises(ValidationError, match="ander indexatiepercentage"):
        issue_budget_letter(letter=other)


def test_the_command_makes_drafts_and_fails_clearly_on_bad_input(world):
    out = StringIO()
    call_command("generate_budget_letters", "--year", "2027", "--provisional-percent", "3.0", stdout=out)
    assert "Gemeente Alfa: concept versie 1" in out.getvalue()
    assert "(voorlopig)" in out.getvalue()
    assert BudgetLetter.objects.filter(year=2027, status="draft").count() == 4
    with pytest.raises(CommandError, match="geen jaar"):
        call_command("generate_budget_letters", "--year", "twintig")
    with pytest.raises(CommandError, match="nog niet vastgesteld"):
        call_command("generate_budget_letters", "--year", "2027")
    with pytest.raises(CommandError, match="geen tarieven voor 2028"):
        call_command("generate_budget_letters", "--year", "2028")
    with pytest.raises(CommandError, match="geen getal"):
        call_command("generate_budget_letters", "--year", "2027", "--provisional-percent", "drie")


def test_the_command_exits_non_zero_from_the_shell(world, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "generate_budget_letters", "--year", "1900"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ligt niet tussen" in result.stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [("11.500", "11500"), ("1.234,56", "1234.56"), ("11,5", "11.5"), ("3.0", "3.0"), ("120", "120")],
)
def test_numbers_are_read_the_dutch_way(text, value):
    assert parse_dutch_number(text) == Decimal(value)
