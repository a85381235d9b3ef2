from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from agreements.models import AgreementLine, AgreementLineChange, ChangeRequest
from agreements.services.change_requests import (
    EffectiveDateInvoiced,
    approve_change_request,
    reject_change_request,
    submit_change_request,
)
from agreements.services.lines import record_billed_period
from tenants.roles import Role
from tests.factories import user_with_role


@pytest.fixture
def manager(agreement):
    return user_with_role(agreement.customer, Role.CONTRACT_MANAGER)


@pytest.fixture
def staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


def volumes(agreement, service):
    return dict(
        AgreementLine.objects.filter(agreement=agreement, service=service).values_list("year", "volume")
    )


def submit(agreement, manager, **kwargs):
    return submit_change_request(agreement=agreement, by=manager, **kwargs)


def test_approval_changes_the_lines_from_the_effective_year_on(agreement, manager, staff, optional_service):
    request = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("35"),
        effective_from=date(2026, 1, 1),
    )
    assert volumes(agreement, optional_service) == {2025: 20, 2026: 20, 2027: 20}
    approve_change_request(request=request, by=staff, reason="Akkoord")
    assert volumes(agreement, optional_service) == {2025: 20, 2026: 35, 2027: 35}
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        ChangeRequest.Status.APPROVED,
        staff,
        "Akkoord",
    )


def test_line_history_names_who_when_and_which_request(agreement, manager, staff, optional_service):
    request = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("35"),
        effective_from=date(2027, 1, 1),
    )
    approve_change_request(request=request, by=staff, reason="Akkoord")
    change = AgreementLineChange.objects.get(change_request=request)
    assert (change.year, change.old_volume, change.new_volume, change.changed_by) == (
        2027,
        Decimal("20"),
        Decimal("35"),
        staff,
    )
    assert change.changed_at is not None


def test_adding_a_service_creates_its_lines_and_dropping_removes_them(
    agreement, manager, staff, other_service, optional_service
):
    add = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.ADD,
        service=other_service,
        volume=Decimal("5000"),
        effective_from=date(2026, 4, 1),
    )
    approve_change_request(request=add, by=staff, reason="Akkoord")
    assert volumes(agreement, other_service) == {2026: 5000, 2027: 5000}
    drop = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.DROP,
        service=optional_service,
        effective_from=date(2027, 1, 1),
    )
    approve_change_request(request=drop, by=staff, reason="Akkoord")
    assert volumes(agreement, optional_service) == {2025: 20, 2026: 20}
    assert AgreementLineChange.objects.filter(change_request=drop, new_volume__isnull=True).count() == 1


def test_a_basic_service_cannot_be_dropped(agreement, manager, basic_service):
    with pytest.raises(ValidationError) as error:
        submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.DROP,
            service=basic_service,
            effective_from=date(2027, 1, 1),
        )
    assert error.value.message_dict["service"] == [
        "Een dienst uit het basispakket kan niet worden beëindigd."
    ]


def test_a_date_in_a_billed_period_is_refused_in_dutch(agreement, manager, optional_service):
    record_billed_period(agreement=agreement, period_end=date(2026, 9, 30))
    with pytest.raises(ValidationError) as error:
        submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.CHANGE_VOLUME,
            service=optional_service,
            volume=Decimal("1"),
            effective_from=date(2026, 7, 1),
        )
    assert error.value.message_dict["effective_from"] == [
        "Er is al gefactureerd tot en met 30-09-2026. Kies een ingangsdatum na die datum."
    ]


def test_approval_is_refused_when_billing_overtook_the_request(agreement, manager, staff, optional_service):
    request = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("30"),
        effective_from=date(2026, 7, 1),
    )
    record_billed_period(agreement=agreement, period_end=date(2026, 9, 30))
    with pytest.raises(EffectiveDateInvoiced, match="inmiddels gefactureerd tot en met 30-09-2026") as caught:
        approve_change_request(request=request, by=staff, reason="Akkoord")
    assert caught.value.next_open == date(2026, 10, 1)
    assert volumes(agreement, optional_service)[2026] == 20
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.SUBMITTED


def test_a_change_starts_on_the_first_day_of_a_quarter(agreement, manager, optional_service):
    with pytest.raises(ValidationError, match="eerste dag van een kwartaal"):
        submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.CHANGE_VOLUME,
            service=optional_service,
            volume=Decimal("30"),
            effective_from=date(2026, 5, 15),
        )


def test_adding_a_service_already_taken_or_changing_to_the_same_volume_is_refused(
    agreement, manager, optional_service
):
    with pytest.raises(ValidationError, match="zit al in de overeenkomst"):
        submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.ADD,
            service=optional_service,
            volume=Decimal("3"),
            effective_from=date(2026, 1, 1),
        )
    with pytest.raises(ValidationError, match="gelijk aan de huidige"):
        submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.CHANGE_VOLUME,
            service=optional_service,
            volume=Decimal("20"),
            effective_from=date(2026, 1, 1),
        )


def test_a_second_open_request_for_the_same_service_is_refused(agreement, manager, optional_service):
    kwargs = {
        "kind": ChangeRequest.Kind.CHANGE_VOLUME,
        "service": optional_service,
        "volume": Decimal("30"),
        "effective_from": date(2026, 1, 1),
    }
    submit(agreement, manager, **kwargs)
    with pytest.raises(ValidationError, match="loopt al een wijzigingsverzoek"):
        submit(agreement, manager, **kwargs)


def test_a_decision_needs_a_reason_and_is_taken_once(agreement, manager, staff, optional_service):
    request = submit(
        agreement,
        manager,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("30"),
        effective_from=date(2026, 1, 1),
    )
    with pytest.raises(ValidationError, match="motivering"):
        reject_change_request(request=request, by=staff, reason="  ")
    reject_change_request(request=request, by=staff, reason="Geen budget")
    with pytest.raises(ValidationError, match="al besloten"):
        approve_change_request(request=request, by=staff, reason="Toch wel")
    assert volumes(agreement, optional_service)[2026] == 20


def test_submission_mails_leiden_and_the_decision_mails_the_municipality(
    agreement, manager, staff, optional_service, django_capture_on_commit_callbacks, tasks_in_process
):
    colleague = user_with_role(agreement.customer, Role.CONTRACT_MANAGER, username="cm2.alfa")
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(
            agreement,
            manager,
            kind=ChangeRequest.Kind.CHANGE_VOLUME,
            service=optional_service,
            volume=Decimal("30"),
            effective_from=date(2026, 1, 1),
        )
    assert len(mail.outbox) == 1
    assert staff.email in mail.outbox[0].to
    assert manager.email in mail.outbox[0].to
    assert "Gemeente Alfa" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        approve_change_request(request=request, by=staff, reason="Past binnen de capaciteit")
    decision = mail.outbox[1]
    assert set(decision.to) == {manager.email, colleague.email}
    assert "goedgekeurd" in decision.subject
    assert "Past binnen de capaciteit" in decision.body
