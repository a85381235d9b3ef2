"""Billing: runs per period, invoices with gapless numbers, credit notes and year-end settlement.

Issued invoices and their lines never change; corrections are credit notes that reference the original.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from agreements.models import Agreement
from core.years import YearField
from services.models import Service, VatCategory
from tenants.models import Organisation


class BillingRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    period = models.CharField(_("periode"), max_length=7, help_text=_("2024-Q1 of 2024-03"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    is_dry_run = models.BooleanField(_("proefrun"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestart door"),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    started_at = models.DateTimeField(_("gestart op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    # Written while the run works; a running run whose heartbeat is older than RUN_STALE_MINUTES was
    # interrupted (a worker killed, a connection lost) and is recovered (``services.recovery``).
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(_("verwerkt"), default=0)
    progress_total = models.PositiveIntegerField(_("totaal"), default=0)
    invoices_created = models.PositiveIntegerField(_("facturen aangemaakt"), default=0)
    message = models.TextField(_("melding"), blank=True)
    # Who started, stopped or retried a run, and why; the progress counters are not history.
    history = HistoricalRecords(excluded_fields=["progress_done", "progress_total", "heartbeat_at"])

    class Meta:
        verbose_name = _("facturatierun")
        verbose_name_plural = _("facturatieruns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"

    @property
    def is_settlement(self) -> bool:
        """A run of a whole year is that year's settlement; quarters and months are billed."""
        return len(self.period) == 4

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def last_sign_of_life(self):
        return self.heartbeat_at or self.started_at or self.created_at

    @property
    def is_stale(self) -> bool:
        """Pending or running without a heartbeat for RUN_STALE_MINUTES: interrupted, not working."""
        if self.is_finished or self.last_sign_of_life is None:
            return False
        return self.last_sign_of_life < timezone.now() - timedelta(minutes=settings.RUN_STALE_MINUTES)


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Factuur")
        CREDIT_NOTE = "credit_note", _("Creditnota")
        INTERNAL = "internal", _("Interne verrekening")

    class Purpose(models.TextChoices):
        PERIODIC = "periodic", _("Periodieke factuur")
        SETTLEMENT = "settlement", _("Nacalculatie")
        CORRECTION = "correction", _("Correctie")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        ISSUED = "issued", _("Verzonden")
        PAID = "paid", _("Betaald")
        CREDITED = "credited", _("Gecrediteerd")

    number = models.CharField(
        _("factuurnummer"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Toegekend bij verzenden."),
    )
    kind = models.CharField(_("soort"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    purpose = models.CharField(
        _("aanleiding"), max_length=12, choices=Purpose.choices, default=Purpose.PERIODIC
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("afnemer")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("overeenkomst"),
    )
    billing_run = models.ForeignKey(
        BillingRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("facturatierun"),
    )
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("gecrediteerde factuur"),
    )
    year = YearField(_("jaar"))
    period = models.CharField(
        _("periode"), max_length=7, help_text=_("2024-Q1, 2024-03 of 2024 (nacalculatie)")
    )
    period_start = models.DateField(_("periode vanaf"))
    period_end = models.DateField(_("periode tot en met"))
    issue_date = models.DateField(_("factuurdatum"), null=True, blank=True)
    due_date = models.DateField(_("vervaldatum"), null=True, blank=True)
    issued_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verzonden door"),
    )
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)
    net_total = models.DecimalField(_("totaal exclusief btw"), max_digits=14, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("btw"), max_digits=14, decimal_places=2, default=0)
    gross_total = models.DecimalField(_("totaal inclusief btw"), max_digits=14, decimal_places=2, default=0)
    note = models.TextField(_("toelichting"), blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("factuur")
        verbose_name_plural = _("facturen")
        ordering = ["-year", "-period", "customer__name"]
        constraints = [
            # One periodic invoice per customer and period, whatever happens concurrently.
            models.UniqueConstraint(
                fields=["customer", "period"],
                condition=Q(purpose="periodic") & ~Q(kind="credit_note"),
                name="one_periodic_invoice_per_customer_per_period",
            ),
            # One settlement that stands; a fully credited one may be settled again.
            models.UniqueConstraint(
                fields=["customer", "year"],
                condition=Q(purpose="settlement") & ~Q(status="credited"),
                name="one_settlement_per_customer_per_year",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | ~Q(status="draft"), name="draft_invoice_has_no_number"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=False) | Q(status="draft"), name="issued_invoice_has_a_number"
            ),
            models.CheckConstraint(
                condition=~Q(kind="credit_note")
                | Q(credited_invoice__isnull=False)
                | Q(purpose="settlement"),
                name="credit_note_references_its_original",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="invoice_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return (
            self.number
            or f"{self.get_kind_display()} {self.customer} {self.period} ({self.get_status_display()})"
        )

    # After issue only the status (issued -> paid or credited) and the payment date may change.
    MUTABLE_AFTER_ISSUE = frozenset({"status", "paid_at"})
    ALLOWED_TRANSITIONS = {
        "issued": {"issued", "paid", "credited"},
        "paid": {"paid", "credited"},
        "credited": {"credited"},
    }

    def save(self, *args, **kwargs):
        stored = self._stored()
        if stored is not None and stored["status"] != self.Status.DRAFT:
            changed = [
                f.attname
                for f in self._meta.concrete_fields
                if f.attname not in self.MUTABLE_AFTER_ISSUE and stored[f.attname] != getattr(self, f.attname)
            ]
            if changed or self.status not in self.ALLOWED_TRANSITIONS.get(stored["status"], set()):
                raise ValidationError(
                    _("Een verzonden factuur verandert niet meer; corrigeer haar met een creditnota.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = self._stored()
        if stored is not None and stored["status"] != self.Status.DRAFT:
            raise ValidationError(_("Een verzonden factuur kan niet worden verwijderd."))
        return super().delete(*args, **kwargs)

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL

    @property
    def is_issued(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def is_e_invoice(self) -> bool:
        """Leiden's internal settlements are no e-invoice; a credit note of one is not either."""
        return not self.is_internal and not (self.number or "").startswith(INTERNAL_NUMBER_PREFIX)

    def _stored(self) -> dict | None:
        if self.pk is None:
            return None
        names = [f.attname for f in self._meta.concrete_fields]
        return type(self).objects.filter(pk=self.pk).values(*names).first()


_SETTLEMENT = re.compile(r"Nacalculatie (?P<year>\d{4}): (?P<service>.+)")


class InvoiceLine(models.Model):
    """quantity x unit_price / periods_per_year, rounded half-up to cents: the net amount of one line."""

    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("factuur")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="invoice_lines", verbose_name=_("dienst")
    )
    description = models.CharField(_("omschrijving"), max_length=200)
    quantity = models.DecimalField(_("aantal"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("prijs per eenheid per jaar"), max_digits=14, decimal_places=2)
    periods_per_year = models.PositiveSmallIntegerField(
        _("perioden per jaar"),
        default=4,
        help_text=_("4 voor een kwartaal, 12 voor een maand, 1 voor een jaar."),
    )
    net_amount = models.DecimalField(_("bedrag exclusief btw"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(_("btw-categorie"), max_length=2, choices=VatCategory.choices)
    vat_rate = models.DecimalField(_("btw-percentage"), max_digits=5, decimal_places=2)
    credited_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_lines",
        verbose_name=_("gecrediteerde regel"),
    )

    class Meta:
        verbose_name = _("factuurregel")
        verbose_name_plural = _("factuurregels")
        ordering = ["invoice_id", "service__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="invoice_line_unit_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(periods_per_year__in=[1, 4, 12]), name="invoice_line_known_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.net_amount}"

    def save(self, *args, **kwargs):
        if self._invoice_is_issued():
            raise ValidationError(_("De regels van een verzonden factuur veranderen niet meer."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._invoice_is_issued():
            raise ValidationError(_("De regels van een verzonden factuur kunnen niet worden verwijderd."))
        return super().delete(*args, **kwargs)

    def _invoice_is_issued(self) -> bool:
        invoice_ids = {self.invoice_id}
        if self.pk is not None:
            invoice_ids |= set(type(self).objects.filter(pk=self.pk).values_list("invoice_id", flat=True))
        return Invoice.objects.filter(pk__in=invoice_ids).exclude(status=Invoice.Status.DRAFT).exists()

    @property
    def display_description(self) -> str:
        """The description in the reader's language. The stored one is the invoice's own (Dutch, as
        issued, also in the e-invoice); a line that names its service shows the service's name in the
        reader's language instead."""
        if not (get_language() or "").startswith("en") or self.service_id is None:
            return self.description
        service = self.service
        if self.description == service.name:
            return service.display_name
        settlement = _SETTLEMENT.fullmatch(self.description)
        if settlement and settlement["service"] == service.name:
            return gettext("Nacalculatie %(year)s: %(service)s") % {
                "year": settlement["year"],
                "service": service.display_name,
            }
        return self.description


INTERNAL_NUMBER_PREFIX = "INT-"


class NumberSeries(models.Model):
    """The last number handed out per series and year: locked with select_for_update when issuing, so
    numbers are gapless (a PostgreSQL sequence would leave gaps after a rollback)."""

    class Series(models.TextChoices):
        INVOICE = "F", _("Facturen en creditnota's")
        INTERNAL = "I", _("Interne verrekeningen")

    series = models.CharField(_("reeks"), max_length=1, choices=Series.choices)
    year = models.PositiveSmallIntegerField(_("jaar"))
    last_number = models.PositiveIntegerField(_("laatste nummer"), default=0)

    class Meta:
        verbose_name = _("nummerreeks")
        verbose_name_plural = _("nummerreeksen")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.year}: {self.last_number}"

    def format(self, number: int) -> str:
        """``2024-00017`` for invoices and credit notes, ``INT-2024-00003`` for internal settlements."""
        prefix = INTERNAL_NUMBER_PREFIX if self.series == self.Series.INTERNAL else ""
        return f"{prefix}{self.year}-{number:05d}"


class RealisedVolume(models.Model):
    """What a customer really took of a service in a year, imported at year end for the settlement."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="realised_volumes", verbose_name=_("afnemer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="realised_volumes", verbose_name=_("dienst")
    )
    year = YearField(_("jaar"))
    volume = models.DecimalField(_("gerealiseerde afname"), max_digits=14, decimal_places=4)
    imported_at = models.DateTimeField(_("ingelezen op"), auto_now=True)
    source = models.CharField(_("bronbestand"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("gerealiseerde afname")
        verbose_name_plural = _("gerealiseerde afnames")
        ordering = ["year", "customer__name", "service__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service", "year"], name="one_realised_volume_per_service_per_year"
            ),
            models.CheckConstraint(condition=Q(volume__gte=0), name="realised_volume_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.year} {self.service.code}: {self.volume}"


class InvoiceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Invoice, on_delete=models.CASCADE)


class InvoiceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Invoice, on_delete=models.CASCADE)
