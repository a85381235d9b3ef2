"""Every write of the budget app: letters (generate, issue, acknowledge), reminders and overrun alerts.

A letter is priced by the one yearly-cost rule of the agreements (``agreements.selectors.year_costs``:
per billing period the volume in force x the tariff / periods, rounded half-up per line) and its VAT by
billing's arithmetic (``billing.calculations.totals``). When the letter year's tariffs are not set yet,
the current year's tariffs raised by a provisional percentage stand in, through the one indexation rule
(``services.services.indexed_price``), and the letter is provisional.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.selectors import is_in_force_in_year, year_costs
from billing.calculations import totals
from billing.selectors import customers_to_bill, is_internal_customer
from core.history import Reason, record, save_with_history
from core.money import to_cents
from core.tasks import enqueue
from core.texts import Text, both
from services.models import Tariff
from services.selectors import tariffs_for_year
from services.services import indexed_price
from tenants.models import Membership, Organisation
from tenants.roles import Role
from tenants.types import User

from .models import (
    DEFAULT_HIGH_PERCENT,
    DEFAULT_LOW_PERCENT,
    BudgetAlert,
    BudgetDeadline,
    BudgetLetter,
    BudgetLetterLine,
    DeadlineReminder,
    VolumeMargin,
)

logger = logging.getLogger(__name__)

MIN_YEAR, MAX_YEAR = 2000, 2100
REMINDER_LEAD_DAYS = 14
LETTER_ISSUED_TASK = "budget.send_budget_letter_issued_mail_task"


# --- Small rules -----------------------------------------------------------------------------------


def default_deadline(year: int) -> date:
    """15 April of the year before: when a municipality needs the figures for its framework."""
    return date(year - 1, 4, 15)


def deadline_for(*, customer: Organisation, year: int) -> date:
    row = BudgetDeadline.objects.filter(customer=customer, year=year).first()
    return row.due_date if row else default_deadline(year)


def parse_percent(value) -> Decimal:
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


def check_year(year) -> int:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            _("Het jaar %(year)s ligt niet tussen %(min)s en %(max)s.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


def margins_for(services) -> dict[int, tuple[Decimal, Decimal]]:
    """The low and high volume margin (percent) per service id: the service's own, else its domain's,
    else the defaults (-5 % / +5 %). Two queries."""
    services = list(services)
    own = {
        m.service_id: (m.low_percent, m.high_percent)
        for m in VolumeMargin.objects.filter(service_id__in=[s.pk for s in services])
    }
    per_domain = {
        m.domain_id: (m.low_percent, m.high_percent)
        for m in VolumeMargin.objects.filter(domain_id__in={s.domain_id for s in services})
    }
    default = (DEFAULT_LOW_PERCENT, DEFAULT_HIGH_PERCENT)
    return {s.pk: own.get(s.pk) or per_domain.get(s.domain_id) or default for s in services}


def scenario_amount(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount`` with its volume ``percent`` % higher (or lower), rounded half-up to cents."""
    return to_cents(Decimal(amount) * (Decimal(100) + Decimal(percent)) / Decimal(100))


def agreement_for_year(*, customer: Organisation, year: int) -> Agreement | None:
    """The customer's agreement that runs in ``year`` (active or ended; an agreement renews into it)."""
    candidates = Agreement.objects.filter(customer=customer).order_by("-start_date", "-pk")
    return next((a for a in candidates if is_in_force_in_year(a, year)), None)


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


def letter_prices(*, year: int, provisional_percent=None, tariffs_known: bool = True) -> Prices:
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


# --- Generating drafts -----------------------------------------------------------------------------


def _assumptions(*, customer, year, prices: Prices, margins, source_year) -> str:
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
) -> tuple[list, int | None, dict]:
    costs = year_costs(agreement=agreement, year=letter.year, tariffs=prices.tariffs)
    services = [c.service for c in costs.lines]
    margins = margins_for(services)
    lines = []
    for cost in costs.lines:
        if cost.tariff is None:
            raise ValidationError(
                _("Voor %(service)s is geen tarief van %(year)s of %(before)s.")
                % {"service": cost.service.code, "year": letter.year, "before": letter.year - 1}
            )
        # The volume at the end of the year: the line's, else (a service added within the year) the last step.
        volume = cost.volume
        if volume is None:
            volume = next((v for _p, v in reversed(cost.periods) if v is not None), Decimal(0))
        low, high = margins[cost.service.pk]
        amount = cost.amount
        lines.append(
            BudgetLetterLine(
                letter=letter,
                service=cost.service,
                domain=cost.service.domain,
                taakveld=cost.service.taakveld,
                volume=volume,
                unit_price=cost.unit_price,
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


def current_letter(*, customer, year: int) -> BudgetLetter | None:
    """The last issued version for ``customer`` and ``year`` (the budget), or ``None``."""
    return (
        BudgetLetter.objects.filter(customer=customer, year=year)
        .exclude(status=BudgetLetter.Status.DRAFT)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def generate_budget_letter(
    *,
    customer: Organisation,
    year: int,
    provisional_percent=None,
    by=None,
    tariffs_known: bool = True,
    assumptions_note: str = "",
) -> BudgetLetter:
    """The draft letter of ``customer`` for ``year``: made, or (an existing draft) recalculated.

    When a version has been issued already, the draft is the next version and references it. Locks the
    customer's letters of the year, so two generations at once never make two drafts.
    """
    check_year(year)
    customer = Organisation.objects.select_for_update().get(pk=customer.pk)
    agreement = agreement_for_year(customer=customer, year=year)
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
    draft.deadline = deadline_for(customer=customer, year=year)
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
    *, year: int, provisional_percent=None, by=None, tariffs_known: bool = True
) -> GenerationResult:
    """Draft letters for every customer (the municipalities and Leiden itself) with an agreement in
    ``year``, at one set of unit prices. Refuses as a whole on bad input (year, percentage, no prices);
    a customer without an agreement that year is skipped with a note."""
    check_year(year)
    # Validate once, before anything is written: every letter gets the same prices.
    letter_prices(year=year, provisional_percent=provisional_percent, tariffs_known=tariffs_known)
    letters, skipped = [], []
    for customer in customers_to_bill():
        if agreement_for_year(customer=customer, year=year) is None:
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


# --- Issuing and acknowledging ---------------------------------------------------------------------


def _check_same_prices(
    letter: BudgetLetter, lines: list[BudgetLetterLine], *, historical: bool = False
) -> None:
    """Every unit price is the one every partner's letter of the year carries: the tariff, or the
    provisional price at the percentage the other current provisional letters of the year state."""
    tariffs = tariffs_for_year(letter.year)
    for line in lines:
        tariff = tariffs.get(line.service_id)
        if line.is_provisional_price and historical:
            continue
        if line.is_provisional_price and tariff is not None:
            raise ValidationError(
                _(
                    "De tarieven van %(year)s zijn inmiddels vastgesteld: maak het concept opnieuw, dan "
                    "rekent het met de vastgestelde tarieven."
                )
                % {"year": letter.year}
            )
        if tariff is not None and line.unit_price != tariff.unit_price:
            raise ValidationError(
                _("De prijs van %(service)s wijkt af van het tarief %(year)s; maak het concept opnieuw.")
                % {"service": line.service.code, "year": letter.year}
            )
    if letter.is_provisional:
        others = (
            BudgetLetter.objects.filter(year=letter.year, is_provisional=True, replaced_by__isnull=True)
            .exclude(status=BudgetLetter.Status.DRAFT)
            .exclude(customer=letter.customer)
            .exclude(provisional_percent=letter.provisional_percent)
        )
        if others.exists():
            raise ValidationError(
                _(
                    "Andere gemeenten hebben een voorlopige brief voor %(year)s met een ander "
                    "indexatiepercentage; dezelfde prijs geldt voor iedereen."
                )
                % {"year": letter.year}
            )


def letter_number(letter: BudgetLetter) -> str:
    """``BB-2027-0547-1``: budget letter, year, the municipality's CBS code, version."""
    code = letter.customer.cbs_code or letter.customer.slug.upper()
    return f"BB-{letter.year}-{code}-{letter.version}"


@transaction.atomic
def issue_budget_letter(
    *,
    letter: BudgetLetter,
    by=None,
    issued_at: datetime | None = None,
    notify: bool = True,
    historical: bool = False,
) -> BudgetLetter:
    """Issue a draft: it gets its number and never changes again. The municipality's contract managers
    and finance are told by e-mail after the commit (a Celery task; ``notify=False``: the demo's
    historical letters). ``historical=True`` issues a provisional letter dated before its year's tariffs
    were set (the demo's history); otherwise a provisional price is refused once the tariff exists."""
    letter = BudgetLetter.objects.select_for_update().select_related("customer").get(pk=letter.pk)
    if letter.status != BudgetLetter.Status.DRAFT:
        raise ValidationError(
            _("Deze begrotingsbrief is al verzonden; een verzonden brief verandert niet meer.")
        )
    lines = list(letter.lines.select_related("service"))
    if not lines:
        raise ValidationError(_("Een begrotingsbrief zonder regels kan niet worden verzonden."))
    _check_same_prices(letter, lines, historical=historical)
    if letter.replaces_id is not None:
        newer = current_letter(customer=letter.customer, year=letter.year)
        if newer is not None and newer.pk != letter.replaces_id:
            raise ValidationError(
                _("Er is intussen een nieuwere versie verzonden; maak het concept opnieuw.")
            )
    letter.status = BudgetLetter.Status.ISSUED
    letter.number = letter_number(letter)
    letter.issued_at = issued_at or timezone.now()
    letter.issued_by = by
    save_with_history(letter, by=by, reason=Reason("budget_issued"))
    if notify:
        enqueue(LETTER_ISSUED_TASK, letter_id=letter.pk)
    return letter


def issue_budget_letters(*, letters: Iterable[BudgetLetter], by: User | None = None) -> list[BudgetLetter]:
    """Issue several drafts, each in its own transaction."""
    return [
        issue_budget_letter(letter=letter, by=by)
        for letter in letters
        if letter.status == BudgetLetter.Status.DRAFT
    ]


@transaction.atomic
def acknowledge_budget_letter(*, letter: BudgetLetter, by, at: datetime | None = None) -> BudgetLetter:
    """The municipality confirms it received the letter (who, when); once is enough."""
    letter = BudgetLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status == BudgetLetter.Status.DRAFT:
        raise ValidationError(_("Een concept kan nog niet worden bevestigd."))
    if letter.status == BudgetLetter.Status.ACKNOWLEDGED:
        raise ValidationError(_("De ontvangst van deze brief is al bevestigd."))
    letter.status = BudgetLetter.Status.ACKNOWLEDGED
    letter.acknowledged_at = at or timezone.now()
    letter.acknowledged_by = by
    save_with_history(letter, by=by, reason=Reason("budget_acknowledged"))
    return letter


@transaction.atomic
def delete_draft(*, letter: BudgetLetter, by=None) -> None:
    letter = BudgetLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != BudgetLetter.Status.DRAFT:
        raise ValidationError(_("Een verzonden begrotingsbrief kan niet worden verwijderd."))
    record(letter, by=by, reason=Reason("budget_draft_deleted"))
    letter.delete()


# --- E-mail ----------------------------------------------------------------------------------------


def _emails_of(*, organisation_ids, roles) -> list[str]:
    user_ids = Membership.objects.filter(organisation_id__in=organisation_ids, role__in=list(roles)).values(
        "user_id"
    )
    return sorted(
        set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


CUSTOMER_RECIPIENTS = (Role.CONTRACT_MANAGER, Role.FINANCE)


def send_letter_issued_mail(*, letter_id: int) -> int:
    """Tell the municipality's contract managers and finance that a letter was issued. Returns the number
    of recipients; a letter that is gone or still a draft sends nothing."""
    letter = BudgetLetter.objects.select_related("customer").filter(pk=letter_id).first()
    if letter is None or letter.status == BudgetLetter.Status.DRAFT:
        return 0
    recipients = _emails_of(organisation_ids=[letter.customer_id], roles=CUSTOMER_RECIPIENTS)
    if not recipients:
        return 0
    with translation.override("nl"):
        subject = _("Begrotingsbrief %(year)s van Gemeente Leiden (%(number)s)") % {
            "year": letter.year,
            "number": letter.number,
        }
        body = render_to_string("budget/email/letter_issued.txt", {"letter": letter})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


def send_deadline_reminders(*, today: date | None = None, lead_days: int = REMINDER_LEAD_DAYS) -> int:
    """Remind Leiden's staff of every letter deadline within ``lead_days`` that has no issued letter yet,
    once per deadline. Looks at this year and next (a deadline lies in the year before its letter)."""
    today = today or timezone.localdate()
    sent = 0
    for year in (today.year, today.year + 1):
        for customer in customers_to_bill():
            deadline = deadline_for(customer=customer, year=year)
            if not today <= deadline <= today + timedelta(days=lead_days):
                continue
            sent += _remind(customer=customer, year=year, deadline=deadline, today=today)
    return sent


@transaction.atomic
def _remind(*, customer: Organisation, year: int, deadline: date, today: date) -> int:
    Organisation.objects.select_for_update().get(pk=customer.pk)
    if current_letter(customer=customer, year=year) is not None:
        return 0
    if DeadlineReminder.objects.filter(customer=customer, year=year, deadline=deadline).exists():
        return 0
    provider_ids = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values("pk")
    recipients = _emails_of(organisation_ids=provider_ids, roles=(Role.PROVIDER_STAFF,))
    DeadlineReminder.objects.create(
        customer=customer, year=year, deadline=deadline, recipients=", ".join(recipients)
    )
    if recipients:
        with translation.override("nl"):
            subject = _("Begrotingsbrief %(year)s voor %(customer)s: uiterlijk %(date)s") % {
                "year": year,
                "customer": customer.name,
                "date": deadline.strftime("%d-%m-%Y"),
            }
            body = render_to_string(
                "budget/email/deadline_reminder.txt",
                {
                    "customer": customer,
                    "year": year,
                    "deadline": deadline,
                    "days_left": (deadline - today).days,
                },
            )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return 1


def check_budget_overruns(*, today: date | None = None, threshold=None, notify: bool = True) -> int:
    """Alert each customer whose forecast for this year exceeds its budget by more than the threshold
    (``BUDGET_ALERT_THRESHOLD_PERCENT``, default 5): dashboard and e-mail to its contract managers and
    finance, once per quarter (a ``BudgetAlert`` row records it). Returns the number of alerts made."""
    from .selectors import realisation_of

    today = today or timezone.localdate()
    threshold = parse_percent(settings.BUDGET_ALERT_THRESHOLD_PERCENT if threshold is None else threshold)
    quarter = (today.month - 1) // 3 + 1
    made = 0
    for customer in customers_to_bill():
        realisation = realisation_of(customer=customer, year=today.year, today=today)
        if realisation is None or not realisation.exceeds(threshold):
            continue
        made += _alert(
            customer=customer, year=today.year, quarter=quarter, realisation=realisation, notify=notify
        )
    return made


@transaction.atomic
def _alert(*, customer: Organisation, year: int, quarter: int, realisation, notify: bool = True) -> int:
    Organisation.objects.select_for_update().get(pk=customer.pk)
    if BudgetAlert.objects.filter(customer=customer, year=year, quarter=quarter).exists():
        return 0
    recipients = _emails_of(organisation_ids=[customer.pk], roles=CUSTOMER_RECIPIENTS)
    alert = BudgetAlert.objects.create(
        customer=customer,
        year=year,
        quarter=quarter,
        letter=realisation.letter,
        budget=realisation.total.budget,
        forecast=realisation.total.forecast,
        deviation_percent=realisation.total.deviation_percent or Decimal(0),
        recipients=", ".join(recipients),
    )
    if recipients and notify:
        with translation.override("nl"):
            subject = _("Prognose %(year)s boven de begroting: %(customer)s") % {
                "year": year,
                "customer": customer.name,
            }
            body = render_to_string(
                "budget/email/overrun_alert.txt", {"alert": alert, "realisation": realisation}
            )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return 1


def as_aware(day: date, hour: int = 10) -> datetime:
    """A datetime on ``day`` in the portal's time zone (demo and tests date their letters with it)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))
