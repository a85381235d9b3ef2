"""Agreements (overeenkomsten): one per municipality with Leiden, lines of service x year x volume.

No price is stored on an agreement: costs always come from the one tariff of the service and year.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from services.models import Service
from tenants.models import Organisation


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        AWAITING_SIGNATURE = "awaiting_signature", _("Wacht op ondertekening")
        ACTIVE = "active", _("Actief")
        ENDED = "ended", _("Beëindigd")

    number = models.CharField(_("nummer"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("afnemer")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="provided_agreements",
        verbose_name=_("opdrachtnemer"),
    )
    title = models.CharField(_("titel"), max_length=200, blank=True)
    start_date = models.DateField(_("ingangsdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True, help_text=_("Leeg: loopt door."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    notice_period_months = models.PositiveSmallIntegerField(
        _("opzegtermijn (maanden)"), default=6, validators=[MaxValueValidator(36)]
    )
    first_term_months = models.PositiveSmallIntegerField(
        _("eerste looptijd (maanden)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("De transitiefase; daarna wordt de overeenkomst steeds met een jaar verlengd."),
    )
    renewal_months = models.PositiveSmallIntegerField(
        _("verlenging (maanden)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    customer_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ondertekend door afnemer"),
    )
    customer_signed_at = models.DateTimeField(_("ondertekend door afnemer op"), null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ondertekend door opdrachtnemer"),
    )
    provider_signed_at = models.DateTimeField(_("ondertekend door opdrachtnemer op"), null=True, blank=True)
    signed_document = models.FileField(
        _("ondertekende overeenkomst (pdf)"), upload_to="agreements/", blank=True
    )
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("voorganger"),
        help_text=_("De overeenkomst die deze opvolgt, zoals die met Servicepunt71."),
    )
    billed_until = models.DateField(
        _("gefactureerd tot en met"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Laatste dag van de laatst gefactureerde periode; wijzigingen gaan pas daarna in."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("overeenkomst")
        verbose_name_plural = _("overeenkomsten")
        ordering = ["customer__name", "-start_date"]
        permissions = [("submit_change_request", _("Mag wijzigingsverzoeken indienen"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="agreement_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="active")
                | (Q(customer_signed_at__isnull=False) & Q(provider_signed_at__isnull=False)),
                name="active_agreement_is_signed_by_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.customer}"


class AgreementLine(models.Model):
    """A service taken in a year, in the service's unit. The price comes from the year's tariff."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("overeenkomst")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="agreement_lines", verbose_name=_("dienst")
    )
    year = models.PositiveSmallIntegerField(
        _("jaar"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    volume = models.DecimalField(
        _("afname"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regel van de overeenkomst")
        verbose_name_plural = _("regels van de overeenkomst")
        ordering = ["year", "service__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service", "year"], name="one_line_per_service_per_year"
            ),
            models.CheckConstraint(condition=Q(volume__gte=0), name="agreement_line_volume_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number} {self.year} {self.service.code}: {self.volume}"


class AgreementUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Agreement, on_delete=models.CASCADE)


class AgreementGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Agreement, on_delete=models.CASCADE)
