"""Input and decisions a contract manager can trust: Dutch numbers and a confirmation step, dates and
volumes within reason, nothing written before approval, decisions with context, withdrawal and an
approval past an invoiced date."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from agreements.models import AgreementLine, AgreementLineChange, ChangeRequest
from agreements.selectors import change_effects
from agreements.services.change_requests import (
    approve_change_request,
    reject_change_request,
    submit_change_request,
)
from agreements.services.lines import record_billed_period
from tenants.roles import Role
from tests.conftest import client_for
from tests.factories import user_with_role

from .factories import ChangeRequestFactory


@pytest.fixture
def manager(agreement):
    return user_with_role(agreement.customer, Role.CONTRACT_MANAGER)


@pytest.fixture
def staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


def form_data(service, **changes):
    return {
        "kind": "change_volume",
        "service": service.pk,
        "volume": "11.500",
        "effective_from": "2027-01-01",
        "motivation": "",
        **changes,
    }


def create_url(agreement):
    return reverse("agreements:change-request-create", args=[agreement.pk])


def request_of(agreement, manager, service, **kwargs):
    values = {
        "kind": ChangeRequest.Kind.CHANGE_VOLUME,
        "volume": Decimal("30"),
        "effective_from": date(2027, 1, 1),
    }
    return submit_change_request(agreement=agreement, by=manager, service=service, **{**values, **kwargs})


# --- Numbers the Dutch way and the confirmation step -------------------------------------------------


def test_a_volume_typed_with_a_thousands_dot_is_eleven_thousand_five_hundred(
    client, agreement, manager, optional_service
):
    client.force_login(manager)
    data = form_data(optional_service)
    client.post(create_url(agreement), data)
    client.post(create_url(agreement), {**data, "confirm": "1"})
    assert ChangeRequest.objects.get().volume == Decimal("11500")


@pytest.mark.parametrize("typed", ["1.5", "1.23", "1.2345"])
def test_an_ambiguous_dot_is_refused_with_a_message_saying_how_to_write_it(
    client, agreement, manager, optional_service, typed
):
    client.force_login(manager)
    response = client.post(create_url(agreement), form_data(optional_service, volume=typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"&#x27;{typed}&#x27; is niet eenduidig" in page
    assert "Schrijf dan een komma" in page
    assert not ChangeRequest.objects.exists()


def test_the_ambiguity_message_is_english_in_english_mode(client, agreement, manager, optional_service):
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(create_url(agreement), form_data(optional_service, volume="1.5"))
    assert "is ambiguous" in response.content.decode()


def test_the_confirmation_step_shows_was_becomes_and_the_cost_per_year(
    client, agreement, manager, optional_service
):
    client.force_login(manager)
    response = client.post(
        create_url(agreement), form_data(optional_service, volume="25", effective_from="2027-01-01")
    )
    page = response.content.decode()
    assert "Wijziging controleren" in page
    assert 'data-testid="effect-current">20 ' in page
    assert 'data-testid="effect-new">25 ' in page
    # (25 - 20) x 220.00 (the 2027 tariff) = 1,100.00 a year
    assert "+€ 1.100,00" in page
    assert "Bevestigen" in page
    assert "Wijzigen" in page
    assert not ChangeRequest.objects.exists()


def test_wijzigen_on_the_confirmation_step_returns_the_filled_in_form(
    client, agreement, manager, optional_service
):
    client.force_login(manager)
    response = client.post(create_url(agreement), {**form_data(optional_service), "edit": "1"})
    page = response.content.decode()
    assert "Volgende: controleren" in page
    assert 'value="11.500"' in page
    assert not ChangeRequest.objects.exists()


def test_a_large_cut_is_pointed_out_before_it_is_confirmed(client, agreement, manager, optional_service):
    client.force_login(manager)
    page = client.post(create_url(agreement), form_data(optional_service, volume="0,02")).content.decode()
    assert 'data-testid="large-cut"' in page


# --- Dates and volumes within reason -------------------------------------------------------------


@pytest.mark.parametrize("day", ["2100-10-01", "2101-01-01", "0001-01-01", "2028-01-01"])
def test_a_date_outside_reason_is_a_form_error_and_writes_nothing(
    client, agreement, manager, optional_service, day
):
    client.force_login(manager)
    lines = AgreementLine.objects.count()
    response = client.post(create_url(agreement), form_data(optional_service, effective_from=day))
    assert response.status_code == 200
    assert "Controleer het formulier" in response.content.decode()
    assert AgreementLine.objects.count() == lines
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("effective_from", "2100-10-01"),
        ("effective_from", "0001-01-01"),
        ("volume", "9999999999.9999"),
        ("volume", "1000001"),
        ("volume", "12.12345"),
    ],
)
def test_the_api_answers_400_for_a_date_or_volume_outside_reason(
    agreement, manager, optional_service, field, value
):
    data = {
        "agreement": agreement.number,
        "kind": "change_volume",
        "service": optional_service.code,
        "volume": "30",
        "effective_from": "2027-01-01",
        field: value,
    }
    response = client_for(manager).post(reverse("api:change-request-list"), data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ChangeRequest.objects.exists()


def test_a_volume_above_the_maximum_per_service_is_a_form_error(client, agreement, manager, optional_service):
    client.force_login(manager)
    page = client.post(
        create_url(agreement), form_data(optional_service, volume="1.000.001")
    ).content.decode()
    assert "Vul een getal van hoogstens 1.000.000 in." in page


def test_submitting_in_a_renewal_year_writes_the_request_only_and_a_rejection_leaves_nothing(
    agreement, manager, staff, optional_service
):
    AgreementLine.objects.filter(agreement=agreement, year=2027).delete()
    lines, changes = AgreementLine.objects.count(), AgreementLineChange.objects.count()
    request = request_of(agreement, manager, optional_service, volume=Decimal("30"))
    assert (AgreementLine.objects.count(), AgreementLineChange.objects.count()) == (lines, changes)
    reject_change_request(request=request, by=staff, reason="Niet nodig")
    assert (AgreementLine.objects.count(), AgreementLineChange.objects.count()) == (lines, changes)


def test_approval_in_a_renewal_year_writes_the_renewed_lines(agreement, manager, staff, optional_service):
    AgreementLine.objects.filter(agreement=agreement, year=2027).delete()
    request = request_of(agreement, manager, optional_service, volume=Decimal("30"))
    approve_change_request(request=request, by=staff, reason="Akkoord")
    assert dict(
        AgreementLine.objects.filter(agreement=agreement, year=2027).values_list("service__code", "volume")
    ) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("30")}


# --- Decisions with context ----------------------------------------------------------------------


def test_the_effect_of_a_request_is_the_volume_it_replaces_and_its_yearly_cost(
    agreement, manager, optional_service
):
    request = request_of(
        agreement, manager, optional_service, volume=Decimal("35"), effective_from=date(2027, 7, 1)
    )
    (effect,) = change_effects([request])
    assert (effect.current, effect.new, effect.year) == (Decimal("20"), Decimal("35"), 2027)
    assert effect.per_year == Decimal("3300.00")  # 15 x 220.00
    assert effect.rest_of_year == Decimal("1650.00")  # Q3 and Q4
    assert effect.next_per_year is None  # no tariff for 2028 yet


def test_the_queue_shows_current_and_new_volume_cost_submitter_and_age(
    client, agreement, manager, staff, optional_service
):
    request_of(agreement, manager, optional_service, volume=Decimal("35"))
    client.force_login(staff)
    page = client.get(reverse("agreements:queue")).content.decode()
    assert 'data-testid="effect-current">20 ' in page
    assert 'data-testid="effect-new">35 ' in page
    assert "+€ 3.300,00" in page
    assert "Ingediend door" in page
    assert "; wacht " in page


def test_the_queue_query_count_stays_flat(
    client, agreement, manager, staff, optional_service, other_service, django_assert_max_num_queries
):
    client.force_login(staff)
    ChangeRequestFactory(agreement=agreement, service=optional_service, submitted_by=manager)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("agreements:queue"))
    for _n in range(6):
        ChangeRequestFactory(agreement=agreement, service=other_service, submitted_by=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("agreements:queue"))


def test_the_request_page_shows_the_effect_and_how_long_it_waits(
    client, agreement, manager, optional_service
):
    request = request_of(agreement, manager, optional_service, volume=Decimal("35"))
    client.force_login(manager)
    page = client.get(reverse("agreements:change-request-detail", args=[request.pk])).content.decode()
    assert "Wat de wijziging doet" in page
    assert "+€ 3.300,00" in page
    assert "(wacht " in page


def test_an_error_on_the_queue_names_the_request(client, agreement, manager, staff, optional_service):
    request = request_of(agreement, manager, optional_service)
    client.force_login(staff)
    page = client.post(
        reverse("agreements:change-request-decide", args=[request.pk]),
        {"decision": "reject", "reason": "", "next": reverse("agreements:queue")},
        follow=True,
    ).content.decode()
    assert f"Wijzigingsverzoek {request.pk} (HRM-03, {agreement.customer.name}): geef een motivering" in page


# --- Approval past an invoiced date --------------------------------------------------------------


@pytest.fixture
def overtaken(agreement, manager, optional_service):
    """A request from 1 July 2026, and billing has since issued up to 30 September 2026."""
    request = request_of(
        agreement, manager, optional_service, volume=Decimal("30"), effective_from=date(2026, 7, 1)
    )
    record_billed_period(agreement=agreement, period_end=date(2026, 9, 30))
    return request


def test_approving_an_overtaken_request_offers_the_next_open_period(client, overtaken, staff):
    client.force_login(staff)
    response = client.post(
        reverse("agreements:change-request-decide", args=[overtaken.pk]),
        {"decision": "approve", "reason": "Akkoord"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Goedkeuren per 1 oktober 2026" in page
    assert 'name="effective_from" value="2026-10-01"' in page
    overtaken.refresh_from_db()
    assert overtaken.status == ChangeRequest.Status.SUBMITTED


def test_confirming_the_offered_date_approves_and_keeps_the_original_for_the_submitter(
    client, overtaken, staff, manager, agreement, optional_service
):
    client.force_login(staff)
    client.post(
        reverse("agreements:change-request-decide", args=[overtaken.pk]),
        {"decision": "approve", "reason": "Akkoord", "effective_from": "2026-10-01"},
    )
    overtaken.refresh_from_db()
    assert overtaken.status == ChangeRequest.Status.APPROVED
    assert (overtaken.effective_from, overtaken.original_effective_from) == (
        date(2026, 10, 1),
        date(2026, 7, 1),
    )
    assert "verschoven van 01-07-2026 naar 01-10-2026" in overtaken.decision_reason
    change = AgreementLineChange.objects.get(change_request=overtaken, year=2026)
    assert change.effective_from == date(2026, 10, 1)
    client.force_login(manager)
    page = client.get(reverse("agreements:change-request-detail", args=[overtaken.pk])).content.decode()
    assert "gevraagd was 1 juli 2026" in page


def test_another_date_than_the_offered_one_is_refused(overtaken, staff):
    with pytest.raises(Exception, match="eerstvolgende open periode"):
        approve_change_request(request=overtaken, by=staff, reason="Akkoord", effective_from=date(2027, 1, 1))


def test_the_api_offers_the_next_open_period_and_approves_with_it(overtaken, staff):
    api = client_for(staff)
    url = reverse("api:change-request-approve", args=[overtaken.pk])
    response = api.post(url, {"reason": "Akkoord"}, format="json")
    assert response.status_code == 400
    assert response.json()["next_open_period"] == "2026-10-01"
    response = api.post(url, {"reason": "Akkoord", "effective_from": "2026-10-01"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["effective_from"], body["original_effective_from"]) == (
        "approved",
        "2026-10-01",
        "2026-07-01",
    )


# --- Withdrawal ----------------------------------------------------------------------------------


def test_a_contract_manager_withdraws_an_open_request_from_its_page(
    client, agreement, manager, optional_service
):
    request = request_of(agreement, manager, optional_service)
    client.force_login(manager)
    page = client.get(reverse("agreements:change-request-detail", args=[request.pk])).content.decode()
    assert "Verzoek intrekken" in page
    response = client.post(reverse("agreements:change-request-withdraw", args=[request.pk]), {"reason": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.WITHDRAWN
    assert request.decided_by == manager
    assert request.history.first().status == ChangeRequest.Status.WITHDRAWN
    assert ChangeRequest.objects.filter(status=ChangeRequest.Status.SUBMITTED).count() == 0


def test_finance_may_not_withdraw(client, agreement, manager, optional_service):
    request = request_of(agreement, manager, optional_service)
    client.force_login(user_with_role(agreement.customer, Role.FINANCE))
    assert client.post(reverse("agreements:change-request-withdraw", args=[request.pk])).status_code == 404
    request.refresh_from_db()
    assert request.is_open


def test_the_api_withdraws_and_refuses_a_decided_request(agreement, manager, staff, optional_service):
    request = request_of(agreement, manager, optional_service)
    api = client_for(manager)
    url = reverse("api:change-request-withdraw", args=[request.pk])
    response = api.post(url, {"reason": "Toch niet"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert "al besloten" in str(response.json())
