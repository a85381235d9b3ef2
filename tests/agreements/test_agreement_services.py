from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agreements.models import Agreement, AgreementLine, AgreementLineChange
from agreements.selectors import agreement_in_force, agreements_for
from agreements.services.agreements import (
    create_agreement,
    end_agreement,
    sign_agreement,
    submit_for_signature,
)
from agreements.services.lines import record_billed_period, set_line_volumes
from tenants.roles import Role
from tests.factories import LegacyProviderFactory, pdf_bytes, user_with_role

from .factories import AgreementFactory


def test_a_second_agreement_in_force_for_the_same_municipality_on_the_same_dates_is_refused(agreement):
    with pytest.raises(ValidationError, match="al een actieve overeenkomst"):
        create_agreement(
            customer=agreement.customer,
            provider=agreement.provider,
            start_date=date(2026, 1, 1),
            status=Agreement.Status.ACTIVE,
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_postgresql_refuses_overlapping_agreements_written_past_the_services(agreement):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(customer=agreement.customer, start_date=date(2026, 6, 1))


def test_a_successor_starting_the_day_after_the_predecessor_ends_is_accepted(provider, municipality):
    legacy = create_agreement(
        customer=municipality,
        provider=LegacyProviderFactory(),
        start_date=date(2015, 1, 1),
        status=Agreement.Status.ACTIVE,
    )
    end_agreement(agreement=legacy, end_date=date(2022, 12, 31))
    legacy.refresh_from_db()
    assert legacy.status == Agreement.Status.ENDED
    successor = create_agreement(
        customer=municipality,
        provider=provider,
        start_date=date(2023, 1, 1),
        status=Agreement.Status.ACTIVE,
        predecessor=legacy,
    )
    assert agreement_in_force(customer=municipality, on=date(2022, 12, 31)) == legacy
    assert agreement_in_force(customer=municipality, on=date(2023, 1, 1)) == successor


def test_a_draft_may_overlap_because_only_agreements_in_force_count(agreement):
    draft = create_agreement(
        customer=agreement.customer, provider=agreement.provider, start_date=date(2026, 1, 1)
    )
    assert draft.status == Agreement.Status.DRAFT
    assert agreement_in_force(customer=agreement.customer, on=date(2026, 3, 1)) == agreement


def test_creating_an_agreement_grants_view_to_its_own_roles_only(agreement, other_municipality, provider):
    own = user_with_role(agreement.customer, Role.FINANCE)
    other = user_with_role(other_municipality, Role.CONTRACT_MANAGER)
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    manager = user_with_role(agreement.customer, Role.CONTRACT_MANAGER)
    assert own.has_perm("agreements.view_agreement", agreement)
    assert not own.has_perm("agreements.submit_change_request", agreement)
    assert manager.has_perm("agreements.submit_change_request", agreement)
    assert staff.has_perm("agreements.view_agreement", agreement)
    assert not other.has_perm("agreements.view_agreement", agreement)
    assert list(agreements_for(other)) == []


def test_a_year_without_the_basic_package_is_refused(agreement, optional_service):
    with pytest.raises(ValidationError, match="basispakket ontbreekt in 2028"):
        set_line_volumes(agreement=agreement, year=2028, volumes={optional_service: Decimal("5")})
    assert not AgreementLine.objects.filter(agreement=agreement, year=2028).exists()


def test_setting_volumes_keeps_history_of_who_and_why(agreement, basic_service, provider):
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    set_line_volumes(
        agreement=agreement, year=2026, volumes={basic_service: Decimal("120")}, by=staff, reason="Groei"
    )
    line = AgreementLine.objects.get(agreement=agreement, year=2026, service=basic_service)
    assert line.volume == Decimal("120")
    change = AgreementLineChange.objects.filter(agreement=agreement, year=2026, service=basic_service).first()
    assert (change.old_volume, change.new_volume, change.changed_by, change.reason) == (
        Decimal("100"),
        Decimal("120"),
        staff,
        "Groei",
    )
    assert line.history.first().history_user == staff


def test_setting_the_same_volume_again_records_nothing(agreement, basic_service):
    before = AgreementLineChange.objects.count()
    set_line_volumes(agreement=agreement, year=2026, volumes={basic_service: Decimal("100")})
    assert AgreementLineChange.objects.count() == before


def test_a_negative_volume_is_refused(agreement, basic_service):
    with pytest.raises(ValidationError, match="niet negatief"):
        set_line_volumes(agreement=agreement, year=2026, volumes={basic_service: Decimal("-1")})


def test_both_signatures_and_the_signed_pdf_make_a_draft_active(
    provider, municipality, basic_service, settings, tmp_path
):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    agreement = create_agreement(customer=municipality, provider=provider, start_date=date(2025, 1, 1))
    set_line_volumes(agreement=agreement, year=2025, volumes={basic_service: Decimal("10")})
    submit_for_signature(agreement=agreement)
    manager = user_with_role(municipality, Role.CONTRACT_MANAGER)
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    sign_agreement(agreement=agreement, side="customer", by=manager)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.AWAITING_SIGNATURE
    pdf = ContentFile(pdf_bytes(), name="getekend.pdf")
    sign_agreement(agreement=agreement, side="provider", by=staff, document=pdf)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.customer_signed_by == manager
    assert agreement.provider_signed_by == staff
    assert agreement.customer_signed_at <= agreement.provider_signed_at <= timezone.now()
    assert agreement.signed_document.read().startswith(b"%PDF-")


def test_a_signed_document_that_is_not_a_pdf_is_refused(provider, municipality, basic_service):
    from django.core.files.base import ContentFile

    agreement = create_agreement(customer=municipality, provider=provider, start_date=date(2025, 1, 1))
    set_line_volumes(agreement=agreement, year=2025, volumes={basic_service: Decimal("10")})
    submit_for_signature(agreement=agreement)
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    with pytest.raises(ValidationError, match="pdf-bestand"):
        sign_agreement(
            agreement=agreement, side="provider", by=staff, document=ContentFile(b"hello", name="x.docx")
        )


def test_offering_for_signature_needs_the_basic_package(
    provider, municipality, basic_service, optional_service
):
    agreement = create_agreement(customer=municipality, provider=provider, start_date=date(2025, 1, 1))
    AgreementLine.objects.create(agreement=agreement, service=optional_service, year=2025, volume=1)
    with pytest.raises(ValidationError, match="basispakket"):
        submit_for_signature(agreement=agreement)


def test_activating_a_second_agreement_by_signature_is_refused(agreement, basic_service):
    second = create_agreement(
        customer=agreement.customer, provider=agreement.provider, start_date=date(2027, 1, 1)
    )
    set_line_volumes(agreement=second, year=2027, volumes={basic_service: Decimal("1")})
    submit_for_signature(agreement=second)
    user = user_with_role(agreement.customer, Role.CONTRACT_MANAGER)
    sign_agreement(agreement=second, side="customer", by=user)
    with pytest.raises(ValidationError, match="al een actieve overeenkomst"):
        sign_agreement(agreement=second, side="provider", by=user)


def test_billing_moves_billed_until_forward_only(agreement):
    record_billed_period(agreement=agreement, period_end=date(2026, 6, 30))
    record_billed_period(agreement=agreement, period_end=date(2026, 3, 31))
    agreement.refresh_from_db()
    assert agreement.billed_until == date(2026, 6, 30)


def test_an_end_date_before_the_billed_period_is_refused(agreement):
    record_billed_period(agreement=agreement, period_end=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="gefactureerd"):
        end_agreement(agreement=agreement, end_date=date(2026, 3, 31))


def test_an_agreement_ending_in_the_future_stays_active_until_then(agreement):
    end_agreement(agreement=agreement, end_date=date(2099, 12, 31))
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement_in_force(customer=agreement.customer, on=date(2100, 1, 1)) is None


def test_the_new_agreement_is_linked_to_its_ended_predecessor_once(agreement):
    from agreements.services.agreements import link_predecessor

    legacy = create_agreement(
        customer=agreement.customer,
        provider=LegacyProviderFactory(),
        start_date=date(2020, 1, 1),
        end_date=date(2024, 12, 31),
        status=Agreement.Status.ACTIVE,
    )
    end_agreement(agreement=legacy, end_date=date(2024, 12, 31))
    link_predecessor(agreement=agreement, predecessor=legacy, reason="transitie")
    link_predecessor(agreement=agreement, predecessor=legacy)
    agreement.refresh_from_db()
    assert agreement.predecessor == legacy
    other = AgreementFactory()
    with pytest.raises(ValidationError, match="dezelfde afnemer"):
        link_predecessor(agreement=other, predecessor=legacy)
