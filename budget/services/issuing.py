"""Budget letters sent: issued (numbered, then immutable), acknowledged by the municipality, the
draft deleted; and the e-mail that tells the municipality a letter was issued (sent from a task)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.history import Reason, record, save_with_history
from core.tasks import enqueue
from services.selectors import tariffs_for_year
from tenants.models import Membership
from tenants.roles import Role
from tenants.types import User

from ..models import BudgetLetter, BudgetLetterLine
from ..selectors import current_letter

LETTER_ISSUED_TASK = "budget.send_budget_letter_issued_mail_task"
CUSTOMER_RECIPIENTS = (Role.CONTRACT_MANAGER, Role.FINANCE)


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
    by: User | None = None,
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
def acknowledge_budget_letter(*, letter: BudgetLetter, by: User, at: datetime | None = None) -> BudgetLetter:
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
def delete_draft(*, letter: BudgetLetter, by: User | None = None) -> None:
    letter = BudgetLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.status != BudgetLetter.Status.DRAFT:
        raise ValidationError(_("Een verzonden begrotingsbrief kan niet worden verwijderd."))
    record(letter, by=by, reason=Reason("budget_draft_deleted"))
    letter.delete()


# --- E-mail ----------------------------------------------------------------------------------------


def emails_of(*, organisation_ids: Iterable[int] | QuerySet, roles: Iterable[str]) -> list[str]:
    """The e-mail addresses of the active users holding one of ``roles`` at those organisations."""
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


def send_letter_issued_mail(*, letter_id: int) -> int:
    """Tell the municipality's contract managers and finance that a letter was issued. Returns the number
    of recipients; a letter that is gone or still a draft sends nothing."""
    letter = BudgetLetter.objects.select_related("customer").filter(pk=letter_id).first()
    if letter is None or letter.status == BudgetLetter.Status.DRAFT:
        return 0
    recipients = emails_of(organisation_ids=[letter.customer_id], roles=CUSTOMER_RECIPIENTS)
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
