import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import AgreementLine, ChangeRequest
from tenants.roles import Role
from tests.conftest import client_for
from tests.factories import user_with_role

from .factories import AgreementFactory, ChangeRequestFactory
from .test_pages import _grow


@pytest.fixture
def manager(agreement):
    return user_with_role(agreement.customer, Role.CONTRACT_MANAGER)


@pytest.fixture
def staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


@pytest.fixture
def bravo_agreement(other_municipality):
    return AgreementFactory(customer=other_municipality, number="DVO-BRAVO")


def test_lines_name_their_agreement_and_filter_by_agreement_year_and_service(
    agreement, manager, bravo_agreement, optional_service
):
    client = client_for(manager)
    url = reverse("api:agreement-line-list")
    data = client.get(url, {"agreement": agreement.number, "year": 2026, "service": "HRM-03"}).json()
    assert data["count"] == 1
    line = data["results"][0]
    assert (line["agreement"], line["customer"], line["year"], line["service"], line["volume"]) == (
        agreement.number,
        "alfa",
        2026,
        "HRM-03",
        "20.0000",
    )
    assert client.get(url, {"agreement": "DVO-BRAVO"}).json()["count"] == 0


def test_lines_export_every_row_as_csv(agreement, manager):
    response = client_for(manager).get(reverse("api:agreement-line-list"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == AgreementLine.objects.filter(agreement=agreement).count() == 6
    assert {r["agreement"] for r in rows} == {agreement.number}
    assert rows[0]["volume"] in ("100.0000", "20.0000")


def test_agreements_list_the_calendar_and_only_the_users_own(agreement, manager, bravo_agreement):
    data = client_for(manager).get(reverse("api:agreement-list")).json()
    assert [a["number"] for a in data["results"]] == [agreement.number]
    assert data["results"][0]["calendar"]["transition_phase_end"] == "2026-12-31"


def test_a_contract_manager_creates_a_change_request(agreement, manager, optional_service):
    response = client_for(manager).post(
        reverse("api:change-request-list"),
        {
            "agreement": agreement.number,
            "kind": "change_volume",
            "service": "HRM-03",
            "volume": "40",
            "effective_from": "2027-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    assert ChangeRequest.objects.get().submitted_by == manager


def test_the_api_refuses_a_change_in_a_billed_period_in_dutch(agreement, manager, optional_service):
    agreement.billed_until = date(2026, 12, 31)
    agreement.save()
    response = client_for(manager).post(
        reverse("api:change-request-list"),
        {
            "agreement": agreement.number,
            "kind": "change_volume",
            "service": "HRM-03",
            "volume": "40",
            "effective_from": "2026-10-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "al gefactureerd" in response.json()["effective_from"][0]


def test_nobody_creates_a_request_for_another_municipalitys_agreement(
    agreement, bravo_agreement, optional_service
):
    manager = user_with_role(agreement.customer, Role.CONTRACT_MANAGER)
    response = client_for(manager).post(
        reverse("api:change-request-list"),
        {
            "agreement": "DVO-BRAVO",
            "kind": "change_volume",
            "service": "HRM-03",
            "volume": "40",
            "effective_from": "2027-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


def test_finance_and_provider_staff_may_not_create_requests(agreement, staff, optional_service):
    finance = user_with_role(agreement.customer, Role.FINANCE)
    payload = {
        "agreement": agreement.number,
        "kind": "drop",
        "service": "HRM-03",
        "effective_from": "2027-01-01",
    }
    for user in (finance, staff):
        response = client_for(user).post(reverse("api:change-request-list"), payload, format="json")
        assert response.status_code == 404


def test_provider_staff_approve_through_the_api_and_the_lines_change(
    agreement, manager, staff, optional_service
):
    request = ChangeRequestFactory(
        agreement=agreement,
        service=optional_service,
        volume=Decimal("33"),
        effective_from=date(2027, 1, 1),
        submitted_by=manager,
    )
    url = reverse("api:change-request-approve", args=[request.pk])
    assert client_for(manager).post(url, {"reason": "zelf"}, format="json").status_code == 404
    response = client_for(staff).post(url, {"reason": "Akkoord"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert AgreementLine.objects.get(agreement=agreement, service=optional_service, year=2027).volume == 33
    again = client_for(staff).post(reverse("api:change-request-reject", args=[request.pk]), {"reason": "x"})
    assert again.status_code == 400


def test_a_rejection_without_reason_is_a_validation_error(agreement, staff, optional_service, manager):
    request = ChangeRequestFactory(agreement=agreement, service=optional_service, submitted_by=manager)
    response = client_for(staff).post(
        reverse("api:change-request-reject", args=[request.pk]), {}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


LISTS = ["api:agreement-list", "api:agreement-line-list", "api:change-request-list"]


@pytest.mark.parametrize("extra", [1, 25])
@pytest.mark.parametrize("name", LISTS)
def test_list_endpoint_queries_do_not_grow_with_the_data(
    agreement, manager, staff, django_assert_max_num_queries, name, extra
):
    _grow(agreement, staff, extra=extra)
    for user in (manager, staff):
        client = client_for(user)
        for params in ({"page_size": 1000}, {"format": "csv"}):
            with django_assert_max_num_queries(8):
                response = client.get(reverse(name), params)
                if params.get("format") == "csv":
                    b"".join(response.streaming_content)
            assert response.status_code == 200


def test_a_year_outside_the_range_is_a_bad_request_not_an_error(agreement, manager):
    client = client_for(manager)
    for params in ({"year": "99999999999"}, {"year": "99999999999", "format": "csv"}):
        assert client.get(reverse("api:agreement-line-list"), params).status_code == 400
