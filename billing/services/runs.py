"""Billing runs: plan a period from the agreement lines in force, then make one draft per customer.

Planning only reads. A run queued from the portal or the admin is done by a worker
(``billing.carry_out_billing_run_task``), which claims it first, so two workers never bill one run.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Agreement
from core.money import format_eur
from core.periods import Period
from core.runs import failure_reason, record_failure
from core.tasks import enqueue
from core.texts import Text
from services.selectors import tariffs_for_year
from tenants.models import Organisation
from tenants.types import User

from ..calculations import totals
from ..models import BillingRun, Invoice, InvoiceLine
from ..selectors import (
    active_agreement,
    customers_to_bill,
    is_internal_customer,
    period_drafts,
    periodic_invoice_covering,
)
from ..workdays import first_working_day
from .invoices import check_price_equality, create_draft, lock_customer, missing_tariffs_error, periodic_lines
from .issuing import issue_period_drafts

logger = logging.getLogger(__name__)

CARRY_OUT_TASK = "billing.carry_out_billing_run_task"


@dataclass
class InvoicePlan:
    """What one customer would be billed for a period, before anything is written."""

    customer: Organisation
    agreement: Agreement
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def is_internal(self) -> bool:
        return is_internal_customer(self.customer)

    @property
    def net_total(self) -> Decimal:
        return totals(self.lines).net


def plan_period(*, period: Period) -> list[InvoicePlan]:
    """Per customer with an agreement in force: the volumes in force on the period's first day at the
    year's tariff. Writes nothing: a year without lines of its own is planned from the latest earlier
    year's volumes, as ``agreements.selectors.volumes_on`` reads them (the agreements app writes the
    renewed lines).

    Raises ValidationError (naming every service) when a billed service has no tariff for the year.
    """
    if period.kind == "year":
        raise ValidationError(_("Factureer per kwartaal of per maand, niet per jaar."))
    tariffs = tariffs_for_year(period.year)
    plans = []
    missing: set[str] = set()
    for customer in customers_to_bill():
        agreement = active_agreement(customer, period)
        if agreement is None:
            continue
        plan = InvoicePlan(customer=customer, agreement=agreement)
        plan.lines = periodic_lines(
            agreement=agreement, period=period, internal=plan.is_internal, tariffs=tariffs, missing=missing
        )
        if plan.lines:
            plans.append(plan)
    if missing:
        raise missing_tariffs_error(period.year, missing)
    return plans


def _bill_customer(
    plan: InvoicePlan, period: Period, run: BillingRun | None, by: User | None
) -> tuple[Invoice | None, str]:
    """Create the draft invoice of one plan; returns (invoice or None, a note when nothing was made)."""
    try:
        with transaction.atomic():
            lock_customer(plan.customer.pk)
            existing = periodic_invoice_covering(customer_id=plan.customer.pk, period=period)
            if existing is not None and existing.status == Invoice.Status.DRAFT:
                return None, _(
                    "%(customer)s: voor %(period)s is al een concept aanwezig; het wordt bij verzenden "
                    "herberekend."
                ) % {"customer": plan.customer.name, "period": existing.period}
            if existing is not None:
                return None, _("%(customer)s: %(period)s is al gefactureerd (%(invoice)s).") % {
                    "customer": plan.customer.name,
                    "period": existing.period,
                    "invoice": existing,
                }
            invoice = Invoice(
                kind=Invoice.Kind.INTERNAL if plan.is_internal else Invoice.Kind.INVOICE,
                purpose=Invoice.Purpose.PERIODIC,
                customer=plan.customer,
                agreement=plan.agreement,
                billing_run=run,
                year=period.year,
                period=str(period),
                period_start=period.start,
                period_end=period.end,
            )
            return create_draft(invoice=invoice, lines=plan.lines, by=by), ""
    except IntegrityError:
        # Another run made this customer's invoice for the period between our check and our insert.
        return None, _("%(customer)s: %(period)s is al gefactureerd.") % {
            "customer": plan.customer.name,
            "period": period,
        }


def _unbilled_earlier_periods(plans: list[InvoicePlan], period: Period) -> list[str]:
    """Warnings for earlier periods of the year without an invoice, so no period is skipped unseen."""
    warnings = []
    for plan in plans:
        earlier = Period.containing(date(period.year, 1, 1), granularity=period.kind)
        while earlier < period:
            if earlier.end >= plan.agreement.start_date and not periodic_invoice_covering(
                customer_id=plan.customer.pk, period=earlier
            ):
                warnings.append(
                    _("Let op: %(customer)s is voor %(period)s nog niet gefactureerd.")
                    % {"customer": plan.customer.name, "period": earlier}
                )
            earlier = earlier.next()
    return warnings


def _dry_run_notes(plans: list[InvoicePlan], period: Period) -> list[str]:
    notes = []
    for plan in plans:
        existing = periodic_invoice_covering(customer_id=plan.customer.pk, period=period)
        if existing is None:
            state = _("nieuw")
        elif existing.status == Invoice.Status.DRAFT:
            state = _("concept aanwezig, wordt bij verzenden herberekend")
        else:
            state = _("al gefactureerd")
        notes.append(
            f"{plan.customer.name}: {len(plan.lines)} "
            f"{_('regels')}, {format_eur(plan.net_total)} {_('exclusief btw')} ({state})"
        )
    return notes


def _update_run(run: BillingRun, **changes: Any) -> None:
    changes.setdefault("heartbeat_at", timezone.now())
    for name, value in changes.items():
        setattr(run, name, value)
    run.save(update_fields=list(changes))


ACTIVE = (BillingRun.Status.PENDING, BillingRun.Status.RUNNING)


def fail_run(run: BillingRun, exc: BaseException, *, notes: list[str] | None = None) -> None:
    """Record why ``run`` stopped, on a connection of its own (core.runs.record_failure)."""
    reason = failure_reason(exc)
    logger.error("Billing run %s for %s failed: %s", run.pk, run.period, reason)
    message = "\n".join([*(notes or []), reason])
    record_failure(BillingRun, run.pk, reason=message, active=ACTIVE)
    run.status, run.message = BillingRun.Status.FAILED, message


def start_billing_run(*, period: Period, by: User | None = None, dry_run: bool = False) -> BillingRun:
    """Queue a run for ``period`` (a whole year: its settlement); a Celery worker does the work (progress
    shows on the run)."""
    run = BillingRun.objects.create(
        period=str(period), is_dry_run=dry_run and period.kind != "year", started_by=by
    )
    enqueue(CARRY_OUT_TASK, run_id=run.pk)
    return run


def carry_out_billing_run(*, run_id: int) -> str | None:
    """The worker's part of a queued run. The call that moves the run from pending to running claims
    it (one conditional UPDATE). A task delivered again for a run still running (its worker died and
    the message came back) continues that run: the work is idempotent per customer, so what was made
    stays and is counted, and ``started_at`` keeps the first start. A finished run is left alone.
    Returns the run's final status, or None when there was nothing to do."""
    now = timezone.now()
    BillingRun.objects.filter(pk=run_id, status=BillingRun.Status.PENDING).update(
        status=BillingRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    run = BillingRun.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None or run.status != BillingRun.Status.RUNNING:
        return None
    period = Period.parse(run.period)
    if period.kind == "year":
        from .settlement import settle_year

        with contextlib.suppress(ValidationError):  # a refusal is recorded on the run
            settle_year(year=period.year, by=run.started_by, run=run)
        run.refresh_from_db()
        return run.status
    run = run_billing(period=period, by=run.started_by, dry_run=run.is_dry_run, run=run)
    return run.status


def begin_run(run: BillingRun | None, *, period: str, by: User | None, dry_run: bool = False) -> BillingRun:
    """The run a piece of work records itself on: a new one, or ``run`` (claimed, or continued)."""
    now = timezone.now()
    if run is None:
        return BillingRun.objects.create(
            period=period,
            is_dry_run=dry_run,
            started_by=by,
            status=BillingRun.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
        )
    changes: dict[str, Any] = {"status": BillingRun.Status.RUNNING, "progress_done": 0, "message": ""}
    if run.started_at is None:
        changes["started_at"] = now
    _update_run(run, **changes)
    return run


def run_billing(
    *,
    period: Period,
    by: User | None = None,
    dry_run: bool = False,
    issue: bool = False,
    run: BillingRun | None = None,
) -> BillingRun:
    """Bill ``period``: one draft invoice per customer from its active agreement; ``issue`` then issues
    every draft of the period, whichever run made it (the same checks as issuing one by one).

    Idempotent: a customer already billed for the period (or an overlapping one) gets nothing new. The
    price equality of the year is checked first; a deviation stops the run before anything is written.
    The run's status, progress and message say what happened. A refusal (ValidationError) is recorded;
    any other failure (a time limit, a lost connection, a deadlock) is recorded on a connection of its
    own and raised again, so the worker sees it too.
    """
    run = begin_run(run, period=str(period), by=by, dry_run=dry_run)
    notes: list[str] = []
    try:
        check_price_equality(year=period.year)
        plans = plan_period(period=period)
        _update_run(run, progress_total=len(plans))
        if dry_run:
            notes.extend(_dry_run_notes(plans, period))
            _update_run(run, progress_done=len(plans))
        else:
            for done, plan in enumerate(plans, start=1):
                _invoice, note = _bill_customer(plan, period, run, by)
                if note:
                    notes.append(note)
                # Counted from the database: a continued run counts what its first delivery made.
                _update_run(run, progress_done=done, invoices_created=run.invoices.count())
            notes.extend(_unbilled_earlier_periods(plans, period))
            if issue:
                notes.extend(issue_period_drafts(period=period, by=by).notes())
            else:
                notes.extend(_waiting_drafts_note(period))
        if not plans:
            notes.append(Text("no_active_agreements", period=str(period)).encode())
        _update_run(run, status=BillingRun.Status.DONE, finished_at=timezone.now(), message="\n".join(notes))
    except ValidationError as exc:
        logger.warning("Billing run %s for %s stopped: %s", run.pk, period, exc)
        _update_run(
            run,
            status=BillingRun.Status.FAILED,
            finished_at=timezone.now(),
            message="\n".join([*notes, *exc.messages]),
        )
    except Exception as exc:
        fail_run(run, exc, notes=notes)
        raise
    return run


def _waiting_drafts_note(period: Period) -> list[str]:
    count = period_drafts(period).count()
    if not count:
        return []
    return [
        ngettext(
            "%(count)d concept van %(period)s wacht op verzenden.",
            "%(count)d concepten van %(period)s wachten op verzenden.",
            count,
        )
        % {"count": count, "period": period}
    ]


def bill_due_period(*, day: date) -> BillingRun | None:
    """From the first working day of a period on, bill that period in advance (drafts to review)
    unless it already has a finished run, so a day the worker was down delays the run by a day
    instead of skipping the period. None when there is nothing to do."""
    period = Period.containing(day, granularity=settings.BILLING_PERIOD)
    if day < first_working_day(period):
        return None
    if BillingRun.objects.filter(
        period=str(period), is_dry_run=False, status=BillingRun.Status.DONE
    ).exists():
        return None
    return run_billing(period=period)
