"""factory_boy factories for organisations, users and memberships."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from tenants.models import Location, Organisation
from tenants.services import add_membership


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    kind = Organisation.Kind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Gemeente Test {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")
    # Four digits however many organisations a test run makes (a long run passes 2,000).
    cbs_code = factory.Sequence(lambda n: f"{1000 + n % 9000}")
    oin = factory.Sequence(lambda n: f"{n:020d}")
    kvk = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    vat_number = factory.Sequence(lambda n: f"NL{100000000 + n:09d}B01")
    street = "Raadhuisplein 1"
    postal_code = "1234 AB"
    city = factory.LazyAttribute(lambda o: o.name.replace("Gemeente ", ""))
    cost_centre = factory.Sequence(lambda n: f"KP-{n:04d}")
    active_from = date(2023, 1, 1)
    identifiers_are_examples = True


class ProviderFactory(OrganisationFactory):
    kind = Organisation.Kind.PROVIDER
    name = "Gemeente Leiden"
    slug = "leiden"
    cbs_code = "0546"
    iban = "NL91ABNA0417164300"


class LegacyProviderFactory(OrganisationFactory):
    kind = Organisation.Kind.LEGACY_PROVIDER
    name = "Servicepunt71"
    slug = "servicepunt71"
    cbs_code = ""
    active_from = date(2010, 1, 1)
    active_until = date(2022, 12, 31)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Locatie {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    city = "Leiden"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nl")
    password = factory.PostGenerationMethodCall("set_password", "geheim-wachtwoord-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            obj.save()


def user_with_role(organisation: Organisation, role: str, username: str | None = None):
    """A user holding ``role`` at ``organisation`` through the membership service."""
    user = UserFactory(username=username or f"{role}.{organisation.slug}")
    add_membership(user=user, organisation=organisation, role=role)
    return user


def pdf_bytes() -> bytes:
    """A small, valid one-page PDF (uploads are parsed, so a bare ``%PDF-`` header is refused)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
