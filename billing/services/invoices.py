"""What making any invoice shares: the per-customer lock, the lines of a period at the year's tariff,
totals, the price-equality check, and writing a new invoice with its lines and permissions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.selectors import volumes_on
from core.history import save_with_history
from core.periods import Period
from services.models import VAT_RATES, Service, Tariff, VatCategory
from tenants.roles import Role
from tenants.services import grant_object_permissions
from tenants.types import User

from ..calculations import line_amount, periods_per_year, totals
from ..models import Invoice, InvoiceLine
from ..selectors import price_equality

# First key of the PostgreSQL advisory lock that serialises billing per customer ("71" + issue 5).
BILLING_LOCK_CLASS = 7105
INVOICE_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_invoice"],
    Role.FINANCE: ["view_invoice"],
    Role.PROVIDER_STAFF: ["view_invoice", "change_invoice"],
    Role.PROVIDER_FINANCE: ["view_invoice"],
}


def lock_customer(customer_id: int) -> None:
    """Serialise billing writes per customer until the transaction ends (PostgreSQL only; elsewhere
    the unique constraint alone stops a duplicate)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BILLING_LOCK_CLASS, customer_id])


def grant_invoice_permissions(invoice: Invoice) -> None:
    grant_object_permissions(obj=invoice, organisation=invoice.customer, perms=INVOICE_PERMISSIONS)


def apply_totals(invoice: Invoice, lines: Iterable[InvoiceLine]) -> None:
    result = totals(lines)
    invoice.net_total, invoice.vat_total, invoice.gross_total = result.net, result.vat, result.gross


def vat_rate(service: Service, *, internal: bool) -> Decimal:
    return Decimal("0.00") if internal else VAT_RATES[VatCategory(service.vat_category)]


def check_price_equality(*, year: int) -> None:
    """Refuse when any invoice line of ``year`` carries another unit price than the tariff."""
    report = price_equality(year)
    if not report.is_equal:
        names = ", ".join(f"{row.service.code} ({', '.join(row.deviations)})" for row in report.deviations)
        raise ValidationError(
            _("Prijsgelijkheid geschonden in %(year)s: %(services)s. Er wordt niets gefactureerd.")
            % {"year": year, "services": names}
        )


def _volumes_date(agreement: Agreement, period: Period) -> date:
    """The day whose volumes a period bills: its first day, or the agreement's first day when the
    agreement starts within the period."""
    return max(period.start, agreement.start_date)


def periodic_lines(
    *, agreement: Agreement, period: Period, internal: bool, tariffs: dict[int, Tariff], missing: set[str]
) -> list[InvoiceLine]:
    """The lines of one period: the volumes in force on the period's first day at the year's tariff.

    A change approved from a later date within the year does not count yet; a year without lines of
    its own renews the latest earlier year's volumes (``agreements.selectors.volumes_on``). Services
    without a tariff are added to ``missing``.
    """
    periods = periods_per_year(period)
    volumes = {
        service_id: volume
        for service_id, volume in volumes_on(agreement=agreement, on=_volumes_date(agreement, period)).items()
        if volume and volume > 0
    }
    # The services come with their tariffs (read once per run): only a service without one is looked up.
    unpriced = [service_id for service_id in volumes if service_id not in tariffs]
    if unpriced:
        missing.update(Service.objects.filter(pk__in=unpriced).values_list("code", flat=True))
    lines = []
    for service in sorted((tariffs[sid].service for sid in volumes if sid in tariffs), key=lambda s: s.code):
        volume = volumes[service.pk]
        tariff = tariffs[service.pk]
        lines.append(
            InvoiceLine(
                service=service,
                description=service.name,
                quantity=volume,
                unit_price=tariff.unit_price,
                periods_per_year=periods,
                net_amount=line_amount(quantity=volume, unit_price=tariff.unit_price, periods=periods),
                vat_category=service.vat_category,
                vat_rate=vat_rate(service, internal=internal),
            )
        )
    return lines


def missing_tariffs_error(year: int, missing: set[str]) -> ValidationError:
    return ValidationError(
        _("Geen tarief voor %(year)s voor: %(codes)s. Er wordt niets gefactureerd.")
        % {"year": year, "codes": ", ".join(sorted(missing))}
    )


def create_draft(
    *, invoice: Invoice, lines: list[InvoiceLine], by: User | None = None, reason: Any = ""
) -> Invoice:
    """Write a new (draft) ``invoice`` with its totals, history, ``lines`` and object permissions.
    The caller's transaction holds it all together."""
    apply_totals(invoice, lines)
    save_with_history(invoice, by=by, reason=reason)
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)  # lines carry no history of their own: the invoice's does
    grant_invoice_permissions(invoice)
    return invoice
