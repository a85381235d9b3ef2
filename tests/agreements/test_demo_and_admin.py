import pytest
from django.urls import reverse

from agreements import demo
from agreements.models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest
from agreements.selectors import missing_basic_services
from tenants.demo import seed as seed_tenants
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import ChangeRequestFactory


def _snapshot():
    return (
        Agreement.objects.count(),
        AgreementLine.objects.count(),
        AgreementLineChange.objects.count(),
        ChangeRequest.objects.count(),
    )


def test_demo_agreements_are_active_hold_the_basic_package_and_seed_idempotently(db, settings, tmp_path):
    from services.demo import demo_years
    from services.demo import seed as seed_services

    settings.MEDIA_ROOT = tmp_path
    quiet = lambda *args: None  # noqa: E731
    seed_tenants(password="demo-wachtwoord-1", log=quiet)
    seed_services(password="demo-wachtwoord-1", log=quiet)
    demo.seed(password="demo-wachtwoord-1", log=quiet)
    first = _snapshot()
    demo.seed(password="demo-wachtwoord-1", log=quiet)
    assert _snapshot() == first

    agreements = Agreement.objects.select_related("customer").order_by("customer__slug")
    assert [a.customer.slug for a in agreements] == ["leiden", "leiderdorp", "oegstgeest", "zoeterwoude"]
    for agreement in agreements:
        assert agreement.status == Agreement.Status.ACTIVE
        assert agreement.provider.kind == "provider"
        assert agreement.customer_signed_by.username == f"cm.{agreement.customer.slug}"
        assert agreement.signed_document
        for year in demo_years():
            assert not missing_basic_services(agreement=agreement, year=year)
    assert set(ChangeRequest.objects.values_list("status", flat=True)) == set(ChangeRequest.Status.values)
    # Leiden is the largest: it takes more workstations than Zoeterwoude.
    leiden, zoeterwoude = agreements[0], agreements[3]
    workstations = {
        a.customer.slug: AgreementLine.objects.get(agreement=a, year=2025, service__code="ICT-01").volume
        for a in (leiden, zoeterwoude)
    }
    assert workstations["leiden"] > 5 * workstations["zoeterwoude"]


@pytest.mark.parametrize(
    "name", ["admin:agreements_agreement_changelist", "admin:agreements_changerequest_changelist"]
)
def test_provider_staff_use_the_admin(client, agreement, provider, name):
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    ChangeRequestFactory(agreement=agreement, submitted_by=staff)
    client.force_login(staff)
    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk])).status_code == 200


def test_the_admin_approves_through_the_service(client, agreement, provider, optional_service):
    from datetime import date
    from decimal import Decimal

    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    request = ChangeRequestFactory(
        agreement=agreement,
        service=optional_service,
        volume=Decimal("44"),
        effective_from=date(2027, 1, 1),
    )
    client.force_login(staff)
    client.post(
        reverse("admin:agreements_changerequest_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED
    assert AgreementLine.objects.get(agreement=agreement, service=optional_service, year=2027).volume == 44
