"""Agreements (overeenkomsten): one per municipality with Leiden, lines of service x year x volume.

No price is stored on an agreement: costs always come from the one tariff of the service and year.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.texts import Text, render
from core.years import YearField
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
        permissions = [
            ("submit_change_request", _("Mag wijzigingsverzoeken indienen")),
            ("sign_agreement", _("Mag de overeenkomst ondertekenen")),
        ]
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

    @property
    def display_title(self) -> str:
        """The title in the reader's language: a title typed by a person as typed, otherwise the
        standard one ("Dienstverleningsovereenkomst Gemeente Leiden")."""
        if self.title:
            return render(self.title)
        return str(Text("agreement_title", customer=self.customer.name))


class AgreementLine(models.Model):
    """A service taken in a year, in the service's unit. The price comes from the year's tariff."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("overeenkomst")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="agreement_lines", verbose_name=_("dienst")
    )
    year = YearField(_("jaar"))
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


class ChangeRequest(models.Model):
    """A contract manager's proposal to add or drop a service, or change a volume, from a date."""

    class Kind(models.TextChoices):
        ADD = "add", _("Dienst toevoegen")
        DROP = "drop", _("Dienst beëindigen")
        CHANGE_VOLUME = "change_volume", _("Afname wijzigen")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Ingediend")
        APPROVED = "approved", _("Goedgekeurd")
        REJECTED = "rejected", _("Afgewezen")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="change_requests", verbose_name=_("overeenkomst")
    )
    kind = models.CharField(_("soort wijziging"), max_length=20, choices=Kind.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="change_requests", verbose_name=_("dienst")
    )
    volume = models.DecimalField(
        _("nieuwe afname"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Per jaar, in de eenheid van de dienst. Leeg bij beëindigen."),
    )
    effective_from = models.DateField(_("ingangsdatum"))
    original_effective_from = models.DateField(
        _("oorspronkelijke ingangsdatum"),
        null=True,
        blank=True,
        help_text=_(
            "Gevuld als de gevraagde datum bij het besluit al gefactureerd was en de beslisser de "
            "eerstvolgende open periode koos."
        ),
    )
    motivation = models.TextField(_("toelichting"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ingediend door"),
    )
    # Set when submitted; a default rather than auto_now_add, so a request recorded afterwards (demo
    # data, an import of earlier requests) keeps the day it was really submitted.
    submitted_at = models.DateTimeField(_("ingediend op"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    decision_reason = models.TextField(_("motivering van het besluit"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wijzigingsverzoek")
        verbose_name_plural = _("wijzigingsverzoeken")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("decide_changerequest", _("Mag besluiten over wijzigingsverzoeken"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="drop") | Q(volume__isnull=False, volume__gte=0),
                name="change_request_volume_given_unless_drop",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | (Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="decided_change_request_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.number}: {self.get_kind_display()} {self.service.code}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AgreementLineChange(models.Model):
    """One change of one line: who, when, which request, from what to what (readable in the portal).

    simple-history keeps the full rows too; this table names the change request and the reason, so the
    line history page needs one query.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="line_changes", verbose_name=_("overeenkomst")
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("dienst"))
    year = models.PositiveSmallIntegerField(_("jaar"))
    old_volume = models.DecimalField(_("oude afname"), max_digits=14, decimal_places=4, null=True, blank=True)
    new_volume = models.DecimalField(
        _("nieuwe afname"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    change_request = models.ForeignKey(
        ChangeRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="line_changes",
        verbose_name=_("wijzigingsverzoek"),
    )
    reason = models.CharField(_("reden"), max_length=300, blank=True)
    effective_from = models.DateField(
        _("geldt vanaf"),
        null=True,
        blank=True,
        help_text=_("De dag vanaf welke de nieuwe afname geldt; daarvoor gold de oude afname."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gewijzigd door"),
    )
    changed_at = models.DateTimeField(_("gewijzigd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("wijziging van een regel")
        verbose_name_plural = _("wijzigingen van regels")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["agreement", "year"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.year} {self.service_id}: {self.old_volume} -> {self.new_volume}"


class NoticeReminder(models.Model):
    """A notice deadline the contract managers were warned about: at most once per deadline."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="notice_reminders", verbose_name=_("overeenkomst")
    )
    deadline = models.DateField(_("uiterste opzegdatum"))
    sent_at = models.DateTimeField(_("verzonden op"), auto_now_add=True)
    recipients = models.TextField(_("ontvangers"), blank=True)

    class Meta:
        verbose_name = _("herinnering opzegtermijn")
        verbose_name_plural = _("herinneringen opzegtermijn")
        ordering = ["-deadline"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "deadline"], name="one_notice_reminder_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.deadline}"


class ChangeRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE)


class ChangeRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE)
