"""The agreements app's tasks: yearly renewal and change-request e-mail, on a real worker over Redis."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from agreements.models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest
from agreements.services.agreements import create_agreement, end_agreement
from agreements.services.change_requests import submit_change_request
from agreements.services.lines import renew_agreements, set_line_volumes
from agreements.tasks import renew_agreements_task, send_change_request_mail_task
from core.texts import Text
from tenants.roles import Role
from tests.factories import OrganisationFactory, user_with_role


@pytest.fixture
def lines_until_2026(agreement):
    AgreementLine.objects.filter(agreement=agreement, year=2027).delete()
    return agreement


def year_lines(agreement, year) -> dict[str, Decimal]:
    return dict(
        AgreementLine.objects.filter(agreement=agreement, year=year).values_list("service__code", "volume")
    )


def test_renewal_gives_every_agreement_in_force_its_lines_for_the_year_once(
    lines_until_2026, provider, basic_service
):
    agreement = lines_until_2026
    ended = create_agreement(
        customer=OrganisationFactory(slug="charlie", cbs_code="9003"),
        provider=provider,
        start_date=date(2025, 1, 1),
        status=Agreement.Status.ACTIVE,
    )
    set_line_volumes(agreement=ended, year=2026, volumes={basic_service: Decimal("5")})
    end_agreement(agreement=ended, end_date=date(2026, 12, 31))
    draft = create_agreement(
        customer=OrganisationFactory(slug="delta", cbs_code="9004"),
        provider=provider,
        start_date=date(2025, 1, 1),
    )
    set_line_volumes(agreement=draft, year=2026, volumes={basic_service: Decimal("7")})

    assert renew_agreements(year=2027) == 1
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("20")}
    assert (
        AgreementLineChange.objects.filter(
            agreement=agreement, year=2027, reason=Text("renewal", year=2026).encode()
        ).count()
        == 2
    )
    assert year_lines(ended, 2027) == {}
    assert year_lines(draft, 2027) == {}
    # Idempotent: the second run (1 January after 1 December) renews nothing.
    assert renew_agreements(year=2027) == 0
    assert AgreementLine.objects.filter(agreement=agreement, year=2027).count() == 2


def test_renewal_leaves_a_year_with_lines_as_it_is(agreement):
    assert renew_agreements(year=2027) == 0
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("20")}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_renewal_task_renews_once_on_a_real_worker(celery_worker, lines_until_2026):
    agreement = lines_until_2026
    assert renew_agreements_task.delay(year=2027).get(timeout=30) == 1
    assert renew_agreements_task.delay(year=2027).get(timeout=30) == 0
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("20")}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_change_request_mail_goes_out_from_a_real_worker(
    celery_worker, agreement, optional_service, provider
):
    manager = user_with_role(agreement.customer, Role.CONTRACT_MANAGER)
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    request = submit_change_request(
        agreement=agreement,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("30"),
        effective_from=date(2026, 1, 1),
        by=manager,
        notify=False,
    )
    assert send_change_request_mail_task.delay(request_id=request.pk, event="submitted").get(timeout=30) == 2
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {manager.email, staff.email}
