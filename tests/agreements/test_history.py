"""Agreements and change requests in the one readable history: who, when, from what to what."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.services.agreements import end_agreement
from agreements.services.change_requests import approve_change_request, submit_change_request
from agreements.services.lines import set_line_volumes
from tenants.roles import Role
from tests.factories import user_with_role
from tests.history_checks import assert_change_shows, assert_not_found

pytestmark = pytest.mark.django_db


def test_an_agreement_change_shows_in_its_history_page_and_api(client, agreement, provider_staff):
    end_agreement(agreement=agreement, end_date=date(2027, 12, 31), by=provider_staff)
    client.force_login(provider_staff)
    assert_change_shows(
        client, "overeenkomst", agreement.pk, by=provider_staff, field="einddatum", old="–", new="2027-12-31"
    )


def test_a_line_change_shows_in_the_agreement_history(client, agreement, basic_service, contract_manager):
    staff = user_with_role(agreement.provider, Role.PROVIDER_STAFF, username="lijnwijziger")
    set_line_volumes(agreement=agreement, year=2026, volumes={basic_service: Decimal("120")}, by=staff)
    client.force_login(contract_manager)
    assert_change_shows(
        client, "overeenkomst", agreement.pk, by=staff, field="afname", old="100.0000", new="120.0000"
    )
    subjects = {
        e.subject for e in client.get(reverse("history-overeenkomst", args=[agreement.pk])).context["entries"]
    }
    assert "regel van de overeenkomst ICT-01 2026" in subjects


def test_a_decided_change_request_shows_in_its_history(
    client, agreement, optional_service, contract_manager, provider_staff
):
    request = submit_change_request(
        agreement=agreement,
        kind="change_volume",
        service=optional_service,
        volume=Decimal("25"),
        effective_from=date(2026, 1, 1),
        by=contract_manager,
        notify=False,
    )
    approve_change_request(request=request, by=provider_staff, reason="Akkoord", notify=False)
    client.force_login(contract_manager)
    assert_change_shows(
        client,
        "wijzigingsverzoek",
        request.pk,
        by=provider_staff,
        field="status",
        old="Ingediend",
        new="Goedgekeurd",
    )


def test_another_tenants_agreement_and_request_answer_404(
    client, agreement, optional_service, contract_manager, other_municipality
):
    request = submit_change_request(
        agreement=agreement,
        kind="change_volume",
        service=optional_service,
        volume=Decimal("25"),
        effective_from=date(2026, 1, 1),
        by=contract_manager,
        notify=False,
    )
    client.force_login(user_with_role(other_municipality, Role.CONTRACT_MANAGER))
    assert_not_found(client, "overeenkomst", agreement.pk)
    assert_not_found(client, "wijzigingsverzoek", request.pk)


@pytest.mark.parametrize("changes", [1, 40])
def test_the_history_page_keeps_its_query_count_as_the_history_grows(
    client, agreement, basic_service, provider_staff, django_assert_max_num_queries, changes
):
    for step in range(changes):
        set_line_volumes(
            agreement=agreement, year=2026, volumes={basic_service: Decimal(200 + step)}, by=provider_staff
        )
    client.force_login(provider_staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("history-overeenkomst", args=[agreement.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("api:history-overeenkomst", args=[agreement.pk])).status_code == 200
