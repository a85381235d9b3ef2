"""Service-level measurements per municipality, service, month and KPI; explanations of breaches; and
the quarterly reports (*kwartaalrapportages*), immutable once issued."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from services.models import Service
from tenants.models import Organisation


class Kpi(models.TextChoices):
    """The KPIs of the measurement file; their names are fixed by the design."""

    AVAILABILITY = "beschikbaarheid", _("Beschikbaarheid (%)")
    RESPONSE = "reactie_binnen_norm", _("Reactie binnen de norm (%)")
    RESOLUTION = "oplossing_binnen_norm", _("Oplossing binnen de norm (%)")
    SATISFACTION = "tevredenheid", _("Tevredenheid (1-10)")
    CALLS = "meldingen", _("Meldingen (aantal)")


#: A measured value has at most this many digits, two of them decimals (the field below).
VALUE_MAX_DIGITS, VALUE_DECIMAL_PLACES = 9, 2


class Measurement(models.Model):
    """One month's value of one KPI of one service for one municipality. ``month`` is its first day."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="service_measurements", verbose_name=_("afnemer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("dienst")
    )
    month = models.DateField(_("maand"))
    kpi = models.CharField(_("kpi"), max_length=30, choices=Kpi.choices)
    value = models.DecimalField(_("waarde"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES)
    source = models.CharField(_("bron"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        ordering = ["customer__name", "service__code", "month", "kpi"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service", "month", "kpi"], name="one_measurement_per_month_and_kpi"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="measurement_value_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="measurement_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["customer", "month"], name="measurement_customer_month")]

    def __str__(self) -> str:
        return f"{self.customer} {self.service.code} {self.month:%Y-%m} {self.kpi}: {self.value}"


class BreachNote(models.Model):
    """Leiden's explanation of a missed norm in a quarter, and the remedy; the municipality reads it."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="breach_notes", verbose_name=_("afnemer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="breach_notes", verbose_name=_("dienst")
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    quarter = models.PositiveSmallIntegerField(_("kwartaal"))
    kpi = models.CharField(_("kpi"), max_length=30, choices=Kpi.choices)
    explanation = models.TextField(_("toelichting"))
    remedy = models.TextField(_("verbetermaatregel"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geschreven door"),
    )
    updated_at = models.DateTimeField(_("bijgewerkt op"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("toelichting op een afwijking")
        verbose_name_plural = _("toelichtingen op afwijkingen")
        ordering = ["-year", "-quarter", "customer__name", "service__code", "kpi"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service", "year", "quarter", "kpi"], name="one_breach_note_per_kpi"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="breach_note_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.service.code} {self.year}-Q{self.quarter} {self.kpi}"


class QuarterlyReport(models.Model):
    """A municipality's quarterly service report: the figures and the HTML as they were when issued.

    Issued reports never change (``save`` and ``delete`` refuse); the page and the PDF are made from the
    stored snapshot, so a later measurement or tariff change does not rewrite what the council read.
    Only ``notified_at`` is set once, by the e-mail task, with a guarded update.
    """

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="quarterly_reports", verbose_name=_("afnemer")
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    quarter = models.PositiveSmallIntegerField(_("kwartaal"))
    issued_at = models.DateTimeField(_("uitgebracht op"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uitgebracht door"),
    )
    figures = models.JSONField(_("cijfers"), default=dict)
    html = models.TextField(_("inhoud (HTML)"))
    notified_at = models.DateTimeField(_("gemeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("kwartaalrapportage")
        verbose_name_plural = _("kwartaalrapportages")
        ordering = ["-year", "-quarter", "customer__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "year", "quarter"], name="one_report_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.period_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise ValidationError(_("Een uitgebrachte kwartaalrapportage verandert niet meer."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Een uitgebrachte kwartaalrapportage wordt niet verwijderd."))

    @property
    def period_label(self) -> str:
        return f"{self.year}-Q{self.quarter}"


PERCENT_KPIS = (Kpi.AVAILABILITY, Kpi.RESPONSE, Kpi.RESOLUTION)
KPI_ORDER = [Kpi.AVAILABILITY, Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.CALLS]
ZERO = Decimal(0)
