"""The transition of Servicepunt71 to Leiden on 1 January 2023: staff, supplier contracts and the runs.

Only what the transfer needs is stored: no citizen service number, no birth date. An employee's
employment records say who employed them in which period (Servicepunt71 until 2022-12-31, Leiden from
2023-01-01), each with the function, scale, FTE and location of that period, so the portal can answer
who worked where on a given date and the reconciliation can compare both sides of the transfer.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tenants.models import Location, Organisation

EFFECTIVE_DATE = date(2023, 1, 1)
LAST_LEGACY_DAY = date(2022, 12, 31)
MAX_FTE = Decimal("1.2")
MIN_SCALE, MAX_SCALE = 1, 18
# The parts of an employee that are the record of the transfer: never edited afterwards.
TRANSFER_FIELDS = ("function", "salary_scale", "fte")


class TransitionRun(models.Model):
    """One dry run or execution of the transition with three input files."""

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("Proefdraaien")
        EXECUTE = "execute", _("Uitvoeren")

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        VALID = "valid", _("Proef geslaagd")
        INVALID = "invalid", _("Fouten in de bestanden")
        EXECUTED = "executed", _("Uitgevoerd")
        UNCHANGED = "unchanged", _("Al uitgevoerd, niets gewijzigd")
        REFUSED = "refused", _("Geweigerd")
        FAILED = "failed", _("Mislukt")
        UNDONE = "undone", _("Teruggedraaid")

    mode = models.CharField(_("soort"), max_length=10, choices=Mode.choices, default=Mode.DRY_RUN)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    staff_checksum = models.CharField(_("controlegetal personeel (SHA-256)"), max_length=64)
    contracts_checksum = models.CharField(_("controlegetal contracten (SHA-256)"), max_length=64)
    agreements_checksum = models.CharField(_("controlegetal overeenkomsten (SHA-256)"), max_length=64)
    staff_file = models.FileField(_("bestand personeel"), upload_to="transition/", blank=True)
    contracts_file = models.FileField(_("bestand contracten"), upload_to="transition/", blank=True)
    agreements_file = models.FileField(_("bestand overeenkomsten"), upload_to="transition/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestart door"),
    )
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    # Written while the run works (an execution's own transaction holds the run's row lock instead);
    # a queued or running run whose heartbeat is older than RUN_STALE_MINUTES is recovered.
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    task_id = models.CharField(_("taak"), max_length=50, blank=True)
    staff_count = models.PositiveIntegerField(_("medewerkers"), default=0)
    contract_count = models.PositiveIntegerField(_("contracten"), default=0)
    agreement_line_count = models.PositiveIntegerField(_("regels overeenkomsten"), default=0)
    message = models.TextField(_("melding"), blank=True)
    report = models.JSONField(_("verslag"), default=dict, blank=True)
    history = HistoricalRecords(excluded_fields=["heartbeat_at"])

    class Meta:
        verbose_name = _("transitierun")
        verbose_name_plural = _("transitieruns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="executed"),
                name="transition_executed_once",
                violation_error_message=_("De transitie is al uitgevoerd."),
            ),
            models.CheckConstraint(
                condition=~Q(status="executed") | Q(mode="execute"), name="transition_executed_is_execution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def checksums(self) -> tuple[str, str, str]:
        return (self.staff_checksum, self.contracts_checksum, self.agreements_checksum)

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def last_sign_of_life(self):
        return self.heartbeat_at or self.created_at

    @property
    def is_stale(self) -> bool:
        """Queued or running without a heartbeat for RUN_STALE_MINUTES: interrupted, not working."""
        if self.is_finished or self.last_sign_of_life is None:
            return False
        return self.last_sign_of_life < timezone.now() - timedelta(minutes=settings.RUN_STALE_MINUTES)


class Employee(models.Model):
    """A (former) Servicepunt71 employee: the current function, scale, FTE and location."""

    personnel_number = models.CharField(_("personeelsnummer"), max_length=20, unique=True)
    first_name = models.CharField(_("voornaam"), max_length=60)
    name_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=80)
    function = models.CharField(_("functie"), max_length=100)
    salary_scale = models.PositiveSmallIntegerField(
        _("schaal"), validators=[MinValueValidator(MIN_SCALE), MaxValueValidator(MAX_SCALE)]
    )
    fte = models.DecimalField(_("fte"), max_digits=5, decimal_places=4)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="employees", verbose_name=_("standplaats")
    )
    department = models.CharField(_("afdeling"), max_length=100, blank=True)
    employed_since = models.DateField(_("datum in dienst"))
    transition_run = models.ForeignKey(
        TransitionRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("overgegaan met"),
    )
    is_example = models.BooleanField(_("voorbeeldgegevens"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medewerker")
        verbose_name_plural = _("medewerkers")
        ordering = ["last_name", "first_name", "personnel_number"]
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0, fte__lte=MAX_FTE), name="employee_fte_in_range"),
            models.CheckConstraint(
                condition=Q(salary_scale__gte=MIN_SCALE, salary_scale__lte=MAX_SCALE),
                name="employee_scale_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.personnel_number} {self.full_name}"

    def save(self, *args, **kwargs):
        """The function, scale and FTE of a transferred employee are the record of the transfer."""
        if self.pk is not None and self.transition_run_id is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*TRANSFER_FIELDS, "transition_run").first()
            if stored and stored["transition_run"] is not None:
                changed = [f for f in TRANSFER_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise ValidationError(
                        _(
                            "Functie, schaal en fte van een overgegane medewerker liggen vast met de transitie."
                        )
                    )
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.name_prefix, self.last_name) if part)

    @property
    def is_transferred(self) -> bool:
        return self.transition_run_id is not None


class Employment(models.Model):
    """Who employed an employee in a period, with the function, scale, FTE and location of that period."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="employments", verbose_name=_("medewerker")
    )
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="employments", verbose_name=_("werkgever")
    )
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    function = models.CharField(_("functie"), max_length=100)
    salary_scale = models.PositiveSmallIntegerField(_("schaal"))
    fte = models.DecimalField(_("fte"), max_digits=5, decimal_places=4)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="employments", verbose_name=_("standplaats")
    )
    transition_run = models.ForeignKey(
        TransitionRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employments",
        verbose_name=_("vastgelegd met"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dienstverband")
        verbose_name_plural = _("dienstverbanden")
        ordering = ["employee", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "employer", "start_date"], name="one_employment_per_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_not_before_start",
            ),
        ]
        indexes = [models.Index(fields=["employer", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.employer} {self.start_date} – {self.end_date or ''}"


class SupplierContract(models.Model):
    """A supplier contract that passed from Servicepunt71 to Leiden, with the supplier's consent."""

    class Novation(models.TextChoices):
        PENDING = "pending", _("Toestemming gevraagd")
        GIVEN = "given", _("Toestemming gegeven")
        REFUSED = "refused", _("Toestemming geweigerd")

    number = models.CharField(_("contractnummer"), max_length=30, unique=True)
    supplier = models.CharField(_("leverancier"), max_length=150)
    kvk = models.CharField(_("KvK-nummer"), max_length=8)
    description = models.CharField(_("omschrijving"), max_length=300)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    annual_value = models.DecimalField(_("jaarwaarde"), max_digits=14, decimal_places=2)
    holder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supplier_contracts", verbose_name=_("houder")
    )
    novation_status = models.CharField(
        _("contractovername"), max_length=10, choices=Novation.choices, default=Novation.PENDING
    )
    novation_date = models.DateField(_("datum toestemming of weigering"), null=True, blank=True)
    novation_note = models.TextField(_("toelichting contractovername"), blank=True)
    transition_run = models.ForeignKey(
        TransitionRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("overgegaan met"),
    )
    is_example = models.BooleanField(_("voorbeeldgegevens"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leverancierscontract")
        verbose_name_plural = _("leverancierscontracten")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_value__gte=0), name="contract_value_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(novation_status="pending") | Q(novation_date__isnull=False),
                name="contract_novation_decision_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.supplier}"

    def has_ended_on(self, today: date) -> bool:
        """The contract's term is over (its end date lies before ``today``)."""
        return self.end_date is not None and self.end_date < today

    def is_pending_after(self, today: date) -> bool:
        """Still waiting for the supplier's consent after the effective date, while still running."""
        return (
            self.novation_status == self.Novation.PENDING
            and today >= EFFECTIVE_DATE
            and (self.end_date is None or self.end_date >= EFFECTIVE_DATE)
        )
