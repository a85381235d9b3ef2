"""The dates that matter in an agreement's life: end of the transition phase, renewals, notice deadlines.

An agreement runs a first term (the transition phase, ``first_term_months``) and then renews itself
automatically every ``renewal_months``. Notice must be given ``notice_period_months`` before the end of
a term for the agreement to end with that term. Pure functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class AgreementCalendar:
    transition_phase_end: date
    current_term_end: date | None  # None when the agreement has an end date
    next_renewal: date | None  # the day the next term starts
    notice_deadline: date | None  # last day to give notice ...
    notice_ends_term_on: date | None  # ... so that the agreement ends on this day
    end_date: date | None

    @property
    def renews(self) -> bool:
        return self.end_date is None


def term_end(*, start_date: date, first_term_months: int, renewal_months: int, term: int) -> date:
    """The last day of term ``term`` (0 is the first term, the transition phase)."""
    months = first_term_months + term * renewal_months
    return start_date + relativedelta(months=months) - timedelta(days=1)


def notice_deadline_for(*, term_end_date: date, notice_period_months: int) -> date:
    """The last day on which notice ends the agreement with the term ending on ``term_end_date``."""
    return term_end_date + timedelta(days=1) - relativedelta(months=notice_period_months) - timedelta(days=1)


def agreement_calendar(agreement, *, today: date) -> AgreementCalendar:
    first_end = term_end(
        start_date=agreement.start_date,
        first_term_months=agreement.first_term_months,
        renewal_months=agreement.renewal_months,
        term=0,
    )
    if agreement.end_date is not None:
        return AgreementCalendar(first_end, None, None, None, None, agreement.end_date)

    def end_of(term: int) -> date:
        return term_end(
            start_date=agreement.start_date,
            first_term_months=agreement.first_term_months,
            renewal_months=agreement.renewal_months,
            term=term,
        )

    term = 0
    while end_of(term) < today:
        term += 1
    current_end = end_of(term)
    notice_term = term
    while (
        deadline := notice_deadline_for(
            term_end_date=end_of(notice_term), notice_period_months=agreement.notice_period_months
        )
    ) < today:
        notice_term += 1
    return AgreementCalendar(
        transition_phase_end=first_end,
        current_term_end=current_end,
        next_renewal=current_end + timedelta(days=1),
        notice_deadline=deadline,
        notice_ends_term_on=end_of(notice_term),
        end_date=None,
    )
