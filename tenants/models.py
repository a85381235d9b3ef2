"""Organisations (the tenants and the provider), their locations, and who holds which role where."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from .roles import Role

cbs_code_validator = RegexValidator(r"^\d{4}$", _("Een CBS-gemeentecode bestaat uit vier cijfers."))
oin_validator = RegexValidator(r"^\d{20}$", _("Een OIN bestaat uit twintig cijfers."))
kvk_validator = RegexValidator(r"^\d{8}$", _("Een KvK-nummer bestaat uit acht cijfers."))
vat_validator = RegexValidator(r"^NL\d{9}B\d{2}$", _("Een btw-nummer heeft de vorm NL123456789B01."))
iban_validator = RegexValidator(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$", _("Geen geldig IBAN (zonder spaties)."))


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROVIDER = "provider", _("Aanbieder")
        MUNICIPALITY = "municipality", _("Gemeente")
        LEGACY_PROVIDER = "legacy_provider", _("Voormalige aanbieder")

    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("korte naam"), max_length=40, unique=True)
    cbs_code = models.CharField(
        _("CBS-gemeentecode"), max_length=4, blank=True, validators=[cbs_code_validator]
    )
    oin = models.CharField(_("OIN"), max_length=20, blank=True, validators=[oin_validator])
    kvk = models.CharField(_("KvK-nummer"), max_length=8, blank=True, validators=[kvk_validator])
    vat_number = models.CharField(_("btw-nummer"), max_length=14, blank=True, validators=[vat_validator])
    street = models.CharField(_("factuuradres: straat en huisnummer"), max_length=100, blank=True)
    postal_code = models.CharField(_("factuuradres: postcode"), max_length=7, blank=True)
    city = models.CharField(_("factuuradres: plaats"), max_length=60, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[iban_validator])
    cost_centre = models.CharField(_("kostenplaats"), max_length=20, blank=True)
    active_from = models.DateField(_("actief vanaf"))
    active_until = models.DateField(_("actief tot en met"), null=True, blank=True)
    identifiers_are_examples = models.BooleanField(
        _("identificatie is voorbeeld"),
        default=False,
        help_text=_("Demogegevens: OIN, KvK, btw-nummer en IBAN zijn voorbeelden, geen echte nummers."),
    )

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="provider") | ~Q(iban=""),
                name="provider_has_iban",
                violation_error_message=_("De aanbieder heeft een IBAN nodig."),
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("active_from")),
                name="organisation_active_period_valid",
            ),
            models.UniqueConstraint(
                fields=["cbs_code"], condition=~Q(cbs_code=""), name="organisation_unique_cbs_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provider(self) -> bool:
        return self.kind == self.Kind.PROVIDER

    @property
    def is_customer(self) -> bool:
        """Municipalities are customers, and so is the provider (Leiden buys its own services)."""
        return self.kind in (self.Kind.PROVIDER, self.Kind.MUNICIPALITY)


class Location(models.Model):
    """A work location (standplaats)."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations", verbose_name=_("organisatie")
    )
    street = models.CharField(_("straat en huisnummer"), max_length=100, blank=True)
    postal_code = models.CharField(_("postcode"), max_length=7, blank=True)
    city = models.CharField(_("plaats"), max_length=60)

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user holds a role at an organisation; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("gebruiker"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisatie")
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


class ApiToken(AbstractAuthToken):
    """An API token for a finance system (django-rest-knox): only a hash of the key is stored, the key
    itself is shown once when it is made. Every token expires; its name says what it is for."""

    name = models.CharField(_("naam"), max_length=100, default="", blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name or self.token_key} ({self.user})"
