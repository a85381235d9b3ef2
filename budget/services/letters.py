"""Budget letters made: the draft per customer and year, generated or recalculated, and its prices.

A letter is priced by the one yearly-cost rule of the agreements (``agreements.selectors.year_costs``:
per billing period the volume in force x the tariff / periods, rounded half-up per line) and its VAT by
billing's arithmetic (``billing.calculations.totals``). When the letter year's tariffs are not set yet,
the current year's tariffs raised by a provisional percentage stand in, through the one indexation rule
(``services.services.indexed_price``), and the letter is provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.selectors import year_costs
from billing.calculations import totals
from billing.selectors import customers_to_bill, is_internal_customer
from core.history import Reason, save_with_history
from core.money import to_cents
from core.texts import Text, both
from services.models import Tariff
from services.selectors import tariffs_for_year
from services.services import indexed_price
from tenants.models import Organisation
from tenants.types import User

from ..models import BudgetLetter, BudgetLetterLine
from ..selectors import agreement_in_year, current_letter, deadline_of, margins_of

MIN_YEAR, MAX_YEAR = 2000, 2100

#: a percentage as a person or a command line gives it (``"3,0"``), or already a Decimal; a float is refused
Percent = str | int | Decimal | float
#: the low and high volume margin (percent) per service id
Margins = dict[int, tuple[Decimal, Decimal]]


def parse_percent(value: Percent) -> Decimal:
    """A percentage typed by a person or given on the command line: ``3,0`` or ``3.0``; never a float."""
    if isinstance(value, float):
        raise ValidationError(_("Geef het percentage als decimaal getal, niet als float."))
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip().replace(",", "."))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("Het percentage %(value)s is geen getal.") % {"value": value}) from exc
    if not number.is_finite() or not Decimal(-100) < number <= Decimal(100):
        raise ValidationError(_("Het percentage moet tussen -100 en 100 liggen."))
    return number.quantize(Decimal("0.01"))


def check_year(year: object) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Het jaar %(year)s ligt niet tussen %(min)s en %(max)s.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


def scenario_amount(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount`` with its volume ``percent`` % higher (or lower), rounded half-up to cents."""
    return to_cents(Decimal(amount) * (Decimal(100) + Decimal(percent)) / Decimal(100))


@dataclass(frozen=True)
class Prices:
    """The unit prices a letter of ``year`` uses: the year's tariffs, or provisional ones."""

    year: int
    tariffs: dict[int, Tariff]
    provisional_ids: frozenset[int]
    percent: Decimal | None

    @property
    def is_provisional(self) -> bool:
        return bool(self.provisional_ids)


def letter_prices(
    *, year: int, provisional_percent: Percent | None = None, tariffs_known: bool = True
) -> Prices:
    """The year's tariffs; a service without one gets the year before's tariff raised by the provisional
    percentage (the one indexation rule). ``tariffs_known=False`` prices as before the year's tariffs
    were set (an early, provisional letter). Refuses when a provisional price is needed without a
    percentage, or when neither year has a tariff."""
    own = tariffs_for_year(year) if tariffs_known else {}
    base = tariffs_for_year(year - 1)
    missing = set(base) - set(own)
    if not own and not base:
        raise ValidationError(
            _("Er zijn geen tarieven voor %(year)s of %(before)s.") % {"year": year, "before": year - 1}
        )
    percent = None
    provisional: dict[int, Tariff] = {}
    if missing:
        if provisional_percent in (None, ""):
            raise ValidationError(
                _(
                    "De tarieven van %(year)s zijn nog niet vastgesteld: geef een voorlopig "
                    "indexatiepercentage op (bijvoorbeeld 3,0)."
                )
                % {"year": year}
            )
        percent = parse_percent(provisional_percent)
        provisional = {
            sid: Tariff(service_id=sid, year=year, unit_price=indexed_price(base[sid].unit_price, percent))
            for sid in missing
        }
    return Prices(
        year=year, tariffs={**provisional, **own}, provisional_ids=frozenset(provisional), percent=percent
    )


def _assumptions(
    *,
    customer: Organisation,
    year: int,
    prices: Prices,
    margins: Margins,
    source_year: int | None,
) -> str:
    """The letter's assumptions, one stored text per line, shown in the reader's language."""
    parts = [Text("budget_volumes", current=year - 1, year=year)]
    if source_year is not None and source_year != year:
        parts.append(Text("budget_renewed", source=source_year))
    if prices.is_provisional:
        parts.append(
            Text("budget_provisional", year=year, before=year - 1, percent=Decimal(prices.percent or 0))
        )
    else:
        parts.append(Text("budget_tariffs_set", year=year))
    spread = sorted({(low, high) for low, high in margins.values()})

    def spread_text(point: str) -> str:
        return (
            "; ".join(
                f"{str(low).replace('.', point)}% / +{str(high).replace('.', point)}%" for low, high in spread
            )
            or "-5% / +5%"
        )

    parts.append(Text("budget_scenarios", spread=both(spread_text(","), spread_text("."))))
    parts.append(Text("budget_internal" if is_internal_customer(customer) else "budget_vat"))
    parts.append(Text("budget_same_price"))
    return "\n".join(part.encode() for part in parts)


def _line_objects(
    *, letter: BudgetLetter, agreement: Agreement, prices: Prices
) -> tuple[list[BudgetLetterLine], int | None, Margins]:
    costs = year_costs(agreement=agreement, year=letter.year, tariffs=prices.tariffs)
    services = [c.service for c in costs.lines]
    margins = margins_of(services)
    lines = []
    for cost in costs.lines:
        unit_price, amount = cost.unit_price, cost.amount
        if unit_price is None or amount is None:
            raise ValidationError(
                _("Voor %(service)s is geen tarief van %(year)s of %(before)s.")
                % {"service": cost.service.code, "year": letter.year, "before": letter.year - 1}
            )
        # The volume at the end of the year: the line's, else (a service added within the year) the last step.
        volume = cost.volume
        if volume is None:
            volume = next((v for _p, v in reversed(cost.periods) if v is not None), Decimal(0))
        low, high = margins[cost.service.pk]
        lines.append(
            BudgetLetterLine(
                letter=letter,
                service=cost.service,
                domain=cost.service.domain,
                taakveld=cost.service.taakveld,
                volume=volume,
                unit_price=unit_price,
                is_provisional_price=cost.service.pk in prices.provisional_ids,
                amount=amount,
                low_percent=low,
                high_percent=high,
                low_amount=scenario_amount(amount, low),
                high_amount=scenario_amount(amount, high),
                vat_category=cost.service.vat_category,
                vat_rate=Decimal("0.00") if letter.is_internal else cost.service.vat_rate,
            )
        )
    return lines, costs.source_year, margins


def _apply_totals(letter: BudgetLetter, lines: list[BudgetLetterLine]) -> None:
    result = totals(lines)
    letter.net_total, letter.vat_total, letter.gross_total = result.net, result.vat, result.gross
    letter.low_total = to_cents(sum((line.low_amount for line in lines), Decimal(0)))
    letter.high_total = to_cents(sum((line.high_amount for line in lines), Decimal(0)))


@transaction.atomic
def generate_budget_letter(
    *,
    customer: Organisation,
    year: int,
    provisional_percent: Percent | None = None,
    by: User | None = None,
    tariffs_known: bool = True,
    assumptions_note: str = "",
) -> BudgetLetter:
    """The draft letter of ``customer`` for ``year``: made, or (an existing draft) recalculated.

    When a version has been issued already, the draft is the next version and references it. Locks the
    customer's letters of the year, so two generations at once never make two drafts.
    """
    check_year(year)
    customer = Organisation.objects.select_for_update().get(pk=customer.pk)
    agreement = agreement_in_year(customer=customer, year=year)
    if agreement is None:
        raise ValidationError(
            _("%(customer)s heeft geen overeenkomst die in %(year)s loopt.")
            % {"customer": customer.name, "year": year}
        )
    prices = letter_prices(year=year, provisional_percent=provisional_percent, tariffs_known=tariffs_known)
    letters = BudgetLetter.objects.filter(customer=customer, year=year)
    draft = letters.filter(status=BudgetLetter.Status.DRAFT).first()
    latest_issued = current_letter(customer=customer, year=year)
    if draft is None:
        last_version = letters.order_by("-version").values_list("version", flat=True).first() or 0
        draft = BudgetLetter(customer=customer, year=year, version=last_version + 1, created_by=by)
    draft.agreement = agreement
    draft.replaces = latest_issued
    draft.tariff_year = year if not prices.provisional_ids else year - 1
    draft.is_provisional = prices.is_provisional
    draft.provisional_percent = prices.percent
    draft.is_internal = is_internal_customer(customer)
    draft.deadline = deadline_of(customer=customer, year=year)
    draft.net_total = draft.vat_total = draft.gross_total = draft.low_total = draft.high_total = Decimal(0)
    save_with_history(draft, by=by, reason=Reason("budget_draft", year=year))
    draft.lines.all().delete()
    lines, source_year, margins = _line_objects(letter=draft, agreement=agreement, prices=prices)
    BudgetLetterLine.objects.bulk_create(lines)
    _apply_totals(draft, lines)
    text = _assumptions(customer=customer, year=year, prices=prices, margins=margins, source_year=source_year)
    draft.assumptions = f"{text}\n{assumptions_note}".strip()
    save_with_history(draft, by=by, reason=Reason("budget_computed"))
    return draft


@dataclass
class GenerationResult:
    letters: list[BudgetLetter]
    skipped: list[str]


def generate_budget_letters(
    *,
    year: int,
    provisional_percent: Percent | None = None,
    by: User | None = None,
    tariffs_known: bool = True,
) -> GenerationResult:
    """Draft letters for every customer (the municipalities and Leiden itself) with an agreement in
    ``year``, at one set of unit prices. Refuses as a whole on bad input (year, percentage, no prices);
    a customer without an agreement that year is skipped with a note."""
    check_year(year)
    # Validate once, before anything is written: every letter gets the same prices.
    letter_prices(year=year, provisional_percent=provisional_percent, tariffs_known=tariffs_known)
    letters: list[BudgetLetter] = []
    skipped: list[str] = []
    for customer in customers_to_bill():
        if agreement_in_year(customer=customer, year=year) is None:
            skipped.append(
                _("%(customer)s: geen overeenkomst in %(year)s") % {"customer": customer.name, "year": year}
            )
            continue
        letters.append(
            generate_budget_letter(
                customer=customer,
                year=year,
                provisional_percent=provisional_percent,
                by=by,
                tariffs_known=tariffs_known,
            )
        )
    return GenerationResult(letters=letters, skipped=skipped)


def as_aware(day: date, hour: int = 10) -> datetime:
    """A datetime on ``day`` in the portal's time zone (demo and tests date their letters with it)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))
