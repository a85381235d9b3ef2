"""Demo budget letters for ``seed_demo``: every year since 2023 up to next year, issued on realistic dates.

- 2023: issued in November 2022, when the agreements with Leiden were settled;
- 2024 and 2025: issued early April of the year before, before the 15 April deadline;
- this year: a provisional letter in April of last year (last year's tariffs + 3.0 %), replaced in
  October by a version at the tariffs then set;
- next year: provisional (its tariffs are not set yet), issued in April of this year.

Most letters are acknowledged by the municipality's finance a few days later. Afterwards Oegstgeest
takes many more workstations from the next open quarter (an approved change request), so its forecast
for this year exceeds the budget and the overrun alert is recorded. Idempotent: a year that has letters
for a customer is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from agreements.models import Agreement, ChangeRequest
from agreements.services.change_requests import approve_change_request, submit_change_request
from billing.selectors import customers_to_bill

from .models import BudgetLetter
from .services import (
    acknowledge_budget_letter,
    agreement_for_year,
    as_aware,
    check_budget_overruns,
    generate_budget_letter,
    issue_budget_letter,
)
from .whatif import first_open_day

FIRST_YEAR = 2023
PROVISIONAL_PERCENT = Decimal("3.0")
OVERRUN = (
    "oegstgeest",
    "Tijdelijke extra werkplekken voor de verkiezingen en de invoering van de Omgevingswet.",
)


def _issue(letter, *, on: date, staff, acknowledger, acknowledge: bool = True) -> BudgetLetter:
    letter = issue_budget_letter(
        letter=letter, by=staff, issued_at=as_aware(on), notify=False, historical=True
    )
    if acknowledge and acknowledger is not None:
        letter = acknowledge_budget_letter(
            letter=letter, by=acknowledger, at=as_aware(on + timedelta(days=6), 14)
        )
    return letter


def _seed_customer(customer, *, today: date, staff, acknowledger) -> int:
    made = 0
    for year in range(FIRST_YEAR, today.year + 2):
        if BudgetLetter.objects.filter(customer=customer, year=year).exists():
            continue
        if agreement_for_year(customer=customer, year=year) is None:
            continue
        if year == FIRST_YEAR:
            letter = generate_budget_letter(customer=customer, year=year, by=staff)
            _issue(letter, on=date(year - 1, 11, 15), staff=staff, acknowledger=acknowledger)
            made += 1
        elif year < today.year:
            letter = generate_budget_letter(customer=customer, year=year, by=staff)
            _issue(letter, on=date(year - 1, 4, 8), staff=staff, acknowledger=acknowledger)
            made += 1
        elif year == today.year:
            early = generate_budget_letter(
                customer=customer,
                year=year,
                by=staff,
                provisional_percent=PROVISIONAL_PERCENT,
                tariffs_known=False,
            )
            _issue(early, on=date(year - 1, 4, 9), staff=staff, acknowledger=acknowledger)
            update = generate_budget_letter(customer=customer, year=year, by=staff)
            _issue(update, on=date(year - 1, 10, 6), staff=staff, acknowledger=acknowledger)
            made += 2
        else:
            letter = generate_budget_letter(
                customer=customer, year=year, by=staff, provisional_percent=PROVISIONAL_PERCENT
            )
            _issue(
                letter,
                on=date(year - 1, 4, 9),
                staff=staff,
                acknowledger=acknowledger,
                acknowledge=customer.slug != "zoeterwoude",
            )
            made += 1
    return made


def _seed_overrun(*, today: date, users: dict) -> int:
    """An approved change that lifts Oegstgeest's forecast about 6 % above its budget for this year."""
    slug, motivation = OVERRUN
    manager, staff = users.get(f"cm.{slug}"), users.get("provider.staff")
    letter = (
        BudgetLetter.objects.filter(customer__slug=slug, year=today.year)
        .exclude(status=BudgetLetter.Status.DRAFT)
        .order_by("-version")
        .first()
    )
    if letter is None or manager is None or staff is None or letter.agreement is None:
        return 0
    agreement = Agreement.objects.get(pk=letter.agreement_id)
    if ChangeRequest.objects.filter(agreement=agreement, motivation=motivation).exists():
        return 0
    effective_from = first_open_day(agreement, today=today)
    if effective_from.year != today.year:
        return 0
    line = letter.lines.select_related("service").order_by("-amount").first()
    remaining = Decimal(13 - effective_from.month) / Decimal(12)
    extra = (letter.net_total * Decimal("0.065") / (line.unit_price * remaining)).to_integral_value(
        ROUND_CEILING
    )
    request = submit_change_request(
        agreement=agreement,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=line.service,
        volume=line.volume + extra,
        effective_from=effective_from,
        motivation=motivation,
        by=manager,
        notify=False,
    )
    approve_change_request(
        request=request, by=staff, reason="Tijdelijk akkoord; kosten volgens het tarief.", notify=False
    )
    return 1


def seed(*, password: str, log=print) -> None:
    today = timezone.localdate()
    if not Agreement.objects.filter(status=Agreement.Status.ACTIVE).exists():
        log("budget: no active agreements, no budget letters")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="cm.")}
    users.update({u.username: u for u in get_user_model().objects.filter(username__startswith="fin.")})
    staff = get_user_model().objects.filter(username="provider.staff").first()
    users["provider.staff"] = staff
    made = 0
    for customer in customers_to_bill():
        made += _seed_customer(
            customer, today=today, staff=staff, acknowledger=users.get(f"fin.{customer.slug}")
        )
    changed = _seed_overrun(today=today, users=users)
    alerts = check_budget_overruns(today=today, notify=False)
    log(f"budget: {made} budget letters issued, {changed} change beyond the budget, {alerts} overrun alerts")
