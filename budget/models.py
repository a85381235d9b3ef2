"""Budget letters (begrotingsbrieven): per municipality and year the provider's expected cost, in versions.

A letter is a draft until it is issued; from then on it and its lines never change (the model refuses,
the services refuse, the admin shows it read-only). Only the municipality's acknowledgement (who, when)
is added later. An update is a new version that references the one it replaces; the expected scenario
of the last issued version is the municipality's budget for that year (DESIGN rule 9).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Agreement
from core.texts import render
from services.models import Service, ServiceDomain, VatCategory
from tenants.models import Organisation

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
PERCENT_VALIDATORS = [MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))]
DEFAULT_LOW_PERCENT = Decimal("-5.00")
DEFAULT_HIGH_PERCENT = Decimal("5.00")


def _stored(obj) -> dict | None:
    if obj.pk is None:
        return None
    names = [f.attname for f in obj._meta.concrete_fields]
    return type(obj).objects.filter(pk=obj.pk).values(*names).first()


class VolumeMargin(models.Model):
    """The volume margin of the low and high scenarios, set by the provider per domain or per service.

    A service's own margin wins over its domain's; without either the defaults (-5 % / +5 %) apply.
    """

    domain = models.OneToOneField(
        ServiceDomain,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volume_margin",
        verbose_name=_("domein"),
    )
    service = models.OneToOneField(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="volume_margin",
        verbose_name=_("dienst"),
    )
    low_percent = models.DecimalField(
        _("marge laag (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_LOW_PERCENT,
        validators=PERCENT_VALIDATORS,
    )
    high_percent = models.DecimalField(
        _("marge hoog (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_HIGH_PERCENT,
        validators=PERCENT_VALIDATORS,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volumemarge")
        verbose_name_plural = _("volumemarges")
        constraints = [
            models.CheckConstraint(
                condition=(Q(domain__isnull=False) & Q(service__isnull=True))
                | (Q(domain__isnull=True) & Q(service__isnull=False)),
                name="volume_margin_for_domain_or_service",
            ),
            models.CheckConstraint(
                condition=Q(low_percent__lte=0) & Q(high_percent__gte=0),
                name="volume_margin_low_not_above_zero_high_not_below",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service or self.domain}: {self.low_percent}% / +{self.high_percent}%"


class BudgetDeadline(models.Model):
    """When a municipality needs its letter for ``year``; without a row, 15 April of the year before."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="budget_deadlines", verbose_name=_("afnemer")
    )
    year = models.PositiveSmallIntegerField(_("begrotingsjaar"), validators=YEAR_VALIDATORS)
    due_date = models.DateField(_("uiterste datum"))

    class Meta:
        verbose_name = _("deadline begrotingsbrief")
        verbose_name_plural = _("deadlines begrotingsbrieven")
        constraints = [
            models.UniqueConstraint(fields=["customer", "year"], name="one_budget_deadline_per_customer_year")
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.year}: {self.due_date:%d-%m-%Y}"


class BudgetLetter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        ISSUED = "issued", _("Verzonden")
        ACKNOWLEDGED = "acknowledged", _("Ontvangst bevestigd")

    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="budget_letters", verbose_name=_("afnemer")
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_letters",
        verbose_name=_("overeenkomst"),
    )
    year = models.PositiveSmallIntegerField(_("begrotingsjaar"), validators=YEAR_VALIDATORS)
    version = models.PositiveSmallIntegerField(_("versie"), default=1)
    number = models.CharField(
        _("kenmerk"),
        max_length=30,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Toegekend bij verzenden."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("vervangt"),
    )
    tariff_year = models.PositiveSmallIntegerField(
        _("tarieven van"),
        validators=YEAR_VALIDATORS,
        help_text=_("Het jaar waarvan de tarieven zijn gebruikt."),
    )
    is_provisional = models.BooleanField(_("voorlopig"), default=False)
    provisional_percent = models.DecimalField(
        _("voorlopige indexatie (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    is_internal = models.BooleanField(_("interne verrekening (geen btw)"), default=False)
    assumptions = models.TextField(_("uitgangspunten"), blank=True)
    deadline = models.DateField(_("uiterste datum"))
    net_total = models.DecimalField(_("verwacht exclusief btw"), max_digits=14, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("btw"), max_digits=14, decimal_places=2, default=0)
    gross_total = models.DecimalField(_("verwacht inclusief btw"), max_digits=14, decimal_places=2, default=0)
    low_total = models.DecimalField(_("laag scenario"), max_digits=14, decimal_places=2, default=0)
    high_total = models.DecimalField(_("hoog scenario"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    issued_at = models.DateTimeField(_("verzonden op"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verzonden door"),
    )
    acknowledged_at = models.DateTimeField(_("ontvangst bevestigd op"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ontvangst bevestigd door"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("begrotingsbrief")
        verbose_name_plural = _("begrotingsbrieven")
        ordering = ["-year", "customer__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year", "version"], name="one_budget_letter_per_customer_year_version"
            ),
            models.UniqueConstraint(
                fields=["customer", "year"],
                condition=Q(status="draft"),
                name="one_draft_budget_letter_per_customer_year",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | ~Q(status="draft"),
                name="draft_budget_letter_has_no_number",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=False) | Q(status="draft"),
                name="issued_budget_letter_has_a_number",
            ),
            models.CheckConstraint(
                condition=Q(is_provisional=False) | Q(provisional_percent__isnull=False),
                name="provisional_budget_letter_states_its_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.customer} {self.year} v{self.version} ({self.get_status_display()})"

    # Once issued only the acknowledgement may be added (and the status move on to acknowledged).
    MUTABLE_AFTER_ISSUE = frozenset({"status", "acknowledged_at", "acknowledged_by_id"})

    def save(self, *args, **kwargs):
        stored = _stored(self)
        if stored is not None and stored["status"] != self.Status.DRAFT:
            changed = [
                f.attname
                for f in self._meta.concrete_fields
                if f.attname not in self.MUTABLE_AFTER_ISSUE and stored[f.attname] != getattr(self, f.attname)
            ]
            if changed or self.status == self.Status.DRAFT:
                raise ValidationError(
                    _("Een verzonden begrotingsbrief verandert niet meer; maak een nieuwe versie.")
                )
        super().save(*args, **kwargs)

    @property
    def assumption_lines(self) -> list[str]:
        """The assumptions in the reader's language, one paragraph a line (a typed note as typed)."""
        return [line for line in render(self.assumptions).splitlines() if line.strip()]

    def delete(self, *args, **kwargs):
        stored = _stored(self)
        if stored is not None and stored["status"] != self.Status.DRAFT:
            raise ValidationError(_("Een verzonden begrotingsbrief kan niet worden verwijderd."))
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def expected_total(self):
        return self.net_total


class BudgetLetterLine(models.Model):
    """One service in a letter: the volume, the unit price of the letter's year and the amount."""

    letter = models.ForeignKey(
        BudgetLetter, on_delete=models.CASCADE, related_name="lines", verbose_name=_("begrotingsbrief")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="budget_letter_lines", verbose_name=_("dienst")
    )
    domain = models.ForeignKey(
        ServiceDomain, on_delete=models.PROTECT, related_name="+", verbose_name=_("domein")
    )
    taakveld = models.CharField(_("BBV-taakveld"), max_length=10)
    volume = models.DecimalField(_("afname"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("prijs per eenheid per jaar"), max_digits=14, decimal_places=2)
    is_provisional_price = models.BooleanField(_("voorlopige prijs"), default=False)
    amount = models.DecimalField(_("bedrag exclusief btw"), max_digits=14, decimal_places=2)
    low_percent = models.DecimalField(_("marge laag (%)"), max_digits=5, decimal_places=2)
    high_percent = models.DecimalField(_("marge hoog (%)"), max_digits=5, decimal_places=2)
    low_amount = models.DecimalField(_("laag scenario"), max_digits=14, decimal_places=2)
    high_amount = models.DecimalField(_("hoog scenario"), max_digits=14, decimal_places=2)
    vat_category = models.CharField(_("btw-categorie"), max_length=2, choices=VatCategory.choices)
    vat_rate = models.DecimalField(_("btw-percentage"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("regel begrotingsbrief")
        verbose_name_plural = _("regels begrotingsbrief")
        ordering = ["letter_id", "domain__order", "service__code"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "service"], name="one_budget_line_per_letter_service"),
            models.CheckConstraint(condition=Q(volume__gte=0), name="budget_line_volume_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.amount}"

    def save(self, *args, **kwargs):
        if self._letter_is_issued():
            raise ValidationError(_("De regels van een verzonden begrotingsbrief veranderen niet meer."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._letter_is_issued():
            raise ValidationError(
                _("De regels van een verzonden begrotingsbrief kunnen niet worden verwijderd.")
            )
        return super().delete(*args, **kwargs)

    @property
    def net_amount(self):
        """Billing's VAT arithmetic (``billing.calculations.totals``) reads ``net_amount``."""
        return self.amount

    def _letter_is_issued(self) -> bool:
        letter_ids = {self.letter_id}
        if self.pk is not None:
            letter_ids |= set(type(self).objects.filter(pk=self.pk).values_list("letter_id", flat=True))
        return (
            BudgetLetter.objects.filter(pk__in=letter_ids).exclude(status=BudgetLetter.Status.DRAFT).exists()
        )


class DeadlineReminder(models.Model):
    """A reminder to provider staff that a letter's deadline is near, sent once per deadline."""

    customer = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("begrotingsjaar"))
    deadline = models.DateField(_("uiterste datum"))
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)
    recipients = models.TextField(_("ontvangers"), blank=True)

    class Meta:
        verbose_name = _("herinnering deadline")
        verbose_name_plural = _("herinneringen deadline")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year", "deadline"], name="one_deadline_reminder_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.year}: {self.deadline:%d-%m-%Y}"


class BudgetAlert(models.Model):
    """The forecast exceeded the budget by more than the threshold: told once per quarter."""

    customer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="budget_alerts", verbose_name=_("afnemer")
    )
    year = models.PositiveSmallIntegerField(_("jaar"))
    quarter = models.PositiveSmallIntegerField(_("kwartaal"))
    letter = models.ForeignKey(BudgetLetter, on_delete=models.PROTECT, related_name="alerts")
    budget = models.DecimalField(_("begroting"), max_digits=14, decimal_places=2)
    forecast = models.DecimalField(_("prognose"), max_digits=14, decimal_places=2)
    deviation_percent = models.DecimalField(_("afwijking (%)"), max_digits=7, decimal_places=2)
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)
    recipients = models.TextField(_("ontvangers"), blank=True)

    class Meta:
        verbose_name = _("signaal overschrijding")
        verbose_name_plural = _("signalen overschrijding")
        ordering = ["-year", "-quarter", "customer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year", "quarter"], name="one_budget_alert_per_customer_quarter"
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="budget_alert_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.year}-Q{self.quarter}: +{self.deviation_percent}%"
