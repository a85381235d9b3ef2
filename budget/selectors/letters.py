"""Reads of budget letters: the ones a user sees, the last issued version, deadlines and volume margins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.selectors import is_in_force_in_year
from billing.selectors import customers_to_bill
from core.audit import Source
from services.models import Service
from tenants.models import Organisation
from tenants.roles import CUSTOMER_ROLES
from tenants.selectors import is_provider_user, organisations_where, scoped
from tenants.types import User

from ..models import (
    DEFAULT_HIGH_PERCENT,
    DEFAULT_LOW_PERCENT,
    BudgetAlert,
    BudgetDeadline,
    BudgetLetter,
    BudgetLetterLine,
    VolumeMargin,
)

ISSUED = (BudgetLetter.Status.ISSUED, BudgetLetter.Status.ACKNOWLEDGED)


def letters_for(user: User) -> QuerySet[BudgetLetter]:
    """The letters of the user's own organisation (issued ones: a draft is the provider's work in
    progress); provider roles see every letter, drafts included."""
    letters = scoped(
        BudgetLetter.objects.select_related(
            "customer", "replaces", "replaced_by", "issued_by", "acknowledged_by", "agreement"
        ),
        user,
        "customer",
    )
    return letters if is_provider_user(user) else letters.filter(status__in=ISSUED)


def letter_lines_for(user: User, *, letter: BudgetLetter) -> QuerySet[BudgetLetterLine]:
    return scoped(
        BudgetLetterLine.objects.filter(letter=letter).select_related("service", "domain"),
        user,
        "letter__customer",
    ).order_by("domain__order", "service__code")


def alerts_for(user: User) -> QuerySet[BudgetAlert]:
    return scoped(BudgetAlert.objects.select_related("customer"), user, "customer")


def customers_for(user: User) -> list[Organisation]:
    """The customers whose budget the user may see: provider roles all, customer roles their own."""
    if is_provider_user(user):
        return list(customers_to_bill())
    ids = organisations_where(user, CUSTOMER_ROLES)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def letter_history_sources(letter: BudgetLetter) -> list[Source]:
    """What the history of a letter shows: the letter itself (its lines are written once, with it)."""
    return [Source(BudgetLetter, {"id": letter.pk}, lambda r: _("begrotingsbrief"))]


# --- Unscoped reads the services and the demo use (no user: they name the customer) ----------------


def current_letter(*, customer: Organisation, year: int) -> BudgetLetter | None:
    """The last issued version for ``customer`` and ``year`` (the budget), or ``None``."""
    return (
        BudgetLetter.objects.filter(customer=customer, year=year)
        .exclude(status=BudgetLetter.Status.DRAFT)
        .order_by("-version")
        .first()
    )


def last_issued_letters(*, customer_ids: Iterable[int], year: int) -> dict[int, BudgetLetter]:
    """Per customer id the last issued version of ``year`` (its expected scenario is the budget)."""
    letters = (
        BudgetLetter.objects.filter(customer_id__in=list(customer_ids), year=year, status__in=ISSUED)
        .select_related("customer")
        .order_by("customer_id", "-version")
    )
    result: dict[int, BudgetLetter] = {}
    for letter in letters:
        result.setdefault(letter.customer_id, letter)
    return result


def default_deadline(year: int) -> date:
    """15 April of the year before: when a municipality needs the figures for its framework."""
    return date(year - 1, 4, 15)


def deadline_of(*, customer: Organisation, year: int) -> date:
    """The date by which ``customer``'s letter of ``year`` is due: its own, else the default."""
    row = BudgetDeadline.objects.filter(customer=customer, year=year).first()
    return row.due_date if row else default_deadline(year)


def margins_of(services: Iterable[Service]) -> dict[int, tuple[Decimal, Decimal]]:
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


def agreement_in_year(*, customer: Organisation, year: int) -> Agreement | None:
    """The customer's agreement that runs in ``year`` (active or ended; an agreement renews into it)."""
    candidates = Agreement.objects.filter(customer=customer).order_by("-start_date", "-pk")
    return next((a for a in candidates if is_in_force_in_year(a, year)), None)


# --- A letter's totals -----------------------------------------------------------------------------


@dataclass
class Subtotal:
    key: str
    label: str
    amount: Decimal = Decimal("0.00")
    low: Decimal = Decimal("0.00")
    high: Decimal = Decimal("0.00")
    lines: list[BudgetLetterLine] = field(default_factory=list)


def subtotals(lines: Iterable[BudgetLetterLine], *, by: str) -> list[Subtotal]:
    """Per domain (``by="domain"``) or per BBV taakveld (``by="taakveld"``), in the lines' order."""
    groups: dict[str, Subtotal] = {}
    for line in lines:
        if by == "domain":
            key, label = line.domain.code, line.domain.display_name
        else:
            key = label = line.taakveld
        group = groups.setdefault(key, Subtotal(key=key, label=label))
        group.amount += line.amount
        group.low += line.low_amount
        group.high += line.high_amount
        group.lines.append(line)
    return sorted(groups.values(), key=lambda g: g.key) if by == "taakveld" else list(groups.values())


TAAKVELD_NAMES = {
    "0.4": "Overhead, ondersteuning organisatie",
    "0.5": "Treasury",
    "0.1": "Bestuur",
    "0.2": "Burgerzaken",
}


def taakveld_label(code: str) -> str:
    name = TAAKVELD_NAMES.get(code)
    return f"{code} {name}" if name else code
