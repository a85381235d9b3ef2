"""The catalogue: what Leiden offers every municipality, at one price per service and year."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.years import YearField

service_code_validator = RegexValidator(
    r"^[A-Z]{2,5}-\d{2,3}$", _("Een dienstcode heeft de vorm ICT-01: hoofdletters, streepje, cijfers.")
)
unit_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,3}$", _("Een eenheidscode (UN/ECE Rec 20) zoals C62 of HUR.")
)


class VatCategory(models.TextChoices):
    """VAT categories as EN 16931 names them (UNCL5305), with the Dutch rate."""

    STANDARD = "S", _("Hoog tarief (21%)")
    REDUCED = "AA", _("Laag tarief (9%)")
    ZERO = "Z", _("Nultarief (0%)")
    EXEMPT = "E", _("Vrijgesteld van btw")


VAT_RATES = {
    VatCategory.STANDARD: Decimal("21.00"),
    VatCategory.REDUCED: Decimal("9.00"),
    VatCategory.ZERO: Decimal("0.00"),
    VatCategory.EXEMPT: Decimal("0.00"),
}


class TranslatedNameMixin:
    """``display_name`` and ``display_description`` follow the active language (nl or en)."""

    @property
    def display_name(self) -> str:
        return (self.name_en if get_language() == "en" and self.name_en else self.name) or ""

    @property
    def display_description(self) -> str:
        description_en = getattr(self, "description_en", "")
        return (
            description_en if get_language() == "en" and description_en else getattr(self, "description", "")
        ) or ""


class ServiceDomain(TranslatedNameMixin, models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("naam"), max_length=80, unique=True)
    name_en = models.CharField(_("naam (Engels)"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("domein")
        verbose_name_plural = _("domeinen")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Service(TranslatedNameMixin, models.Model):
    code = models.CharField(_("dienstcode"), max_length=10, unique=True, validators=[service_code_validator])
    name = models.CharField(_("naam"), max_length=120)
    name_en = models.CharField(_("naam (Engels)"), max_length=120, blank=True)
    description = models.TextField(_("omschrijving"), blank=True)
    description_en = models.TextField(_("omschrijving (Engels)"), blank=True)
    domain = models.ForeignKey(
        ServiceDomain, on_delete=models.PROTECT, related_name="services", verbose_name=_("domein")
    )
    unit = models.CharField(
        _("eenheid"), max_length=40, help_text=_("Bijvoorbeeld: werkplek, medewerker, factuur, uur.")
    )
    unit_en = models.CharField(_("eenheid (Engels)"), max_length=40, blank=True)
    unit_code = models.CharField(
        _("eenheidscode (UN/ECE Rec 20)"), max_length=3, validators=[unit_code_validator], default="C62"
    )
    is_basic = models.BooleanField(
        _("basispakket"),
        default=False,
        help_text=_("Diensten in het basispakket zitten in elke overeenkomst."),
    )
    vat_category = models.CharField(
        _("btw-categorie"), max_length=2, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    taakveld = models.CharField(
        _("BBV-taakveld"), max_length=10, default="0.4", help_text=_("Bijvoorbeeld 0.4 Overhead.")
    )
    active_from = models.DateField(_("actief vanaf"))
    active_until = models.DateField(_("actief tot en met"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dienst")
        verbose_name_plural = _("diensten")
        ordering = ["domain__order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("active_from")),
                name="service_active_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def vat_rate(self) -> Decimal:
        return VAT_RATES[VatCategory(self.vat_category)]

    @property
    def display_unit(self) -> str:
        return self.unit_en if get_language() == "en" and self.unit_en else self.unit


class Tariff(models.Model):
    """The one unit price per year of a service, the same for every municipality (DESIGN rule 1).

    A tariff that an issued invoice used is locked (``locked_at``) and never changes again.
    """

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="tariffs", verbose_name=_("dienst")
    )
    year = YearField(_("jaar"))
    unit_price = models.DecimalField(_("prijs per eenheid per jaar"), max_digits=14, decimal_places=2)
    locked_at = models.DateTimeField(_("vastgezet op"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tarief")
        verbose_name_plural = _("tarieven")
        ordering = ["service__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year"],
                name="one_tariff_per_service_per_year",
                violation_error_message=_("Deze dienst heeft voor dit jaar al een tarief."),
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="tariff_unit_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.year}: {self.unit_price}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("locked_at", "unit_price", "service_id", "year")
                .first()
            )
            if (
                stored
                and stored["locked_at"] is not None
                and (
                    stored["unit_price"] != self.unit_price
                    or stored["service_id"] != self.service_id
                    or stored["year"] != self.year
                    or self.locked_at is None
                )
            ):
                raise ValidationError(
                    _("Dit tarief is gebruikt op een verzonden factuur en kan niet meer wijzigen.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise ValidationError(
                _("Dit tarief is gebruikt op een verzonden factuur en kan niet worden verwijderd.")
            )
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ServiceLevel(models.Model):
    """The norms for a service in a year."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_levels", verbose_name=_("dienst")
    )
    year = YearField(_("jaar"))
    availability_percent = models.DecimalField(
        _("beschikbaarheid (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    response_hours = models.DecimalField(
        _("reactietijd (uren)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    resolution_hours = models.DecimalField(
        _("oplostijd (uren)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    target_share_percent = models.DecimalField(
        _("aandeel binnen de tijden (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("90.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Het aandeel meldingen dat binnen de reactie- en oplostijd moet blijven."),
    )
    satisfaction_target = models.DecimalField(
        _("tevredenheidsnorm (1-10)"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("7.0"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal(10))],
    )
    service_hours = models.CharField(_("servicetijden"), max_length=100, blank=True)
    service_hours_en = models.CharField(_("servicetijden (Engels)"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dienstverleningsniveau")
        verbose_name_plural = _("dienstverleningsniveaus")
        ordering = ["service__code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "year"], name="one_service_level_per_service_per_year"
            ),
            models.CheckConstraint(
                condition=Q(availability_percent__isnull=True)
                | Q(availability_percent__gte=0, availability_percent__lte=100),
                name="service_level_availability_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(target_share_percent__gte=0, target_share_percent__lte=100),
                name="service_level_target_share_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(satisfaction_target__gte=1, satisfaction_target__lte=10),
                name="service_level_satisfaction_target_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} {self.year}"

    @property
    def display_service_hours(self) -> str:
        return (
            self.service_hours_en if get_language() == "en" and self.service_hours_en else self.service_hours
        )
