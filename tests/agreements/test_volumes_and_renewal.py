"""The volume in force per date, the cost of a year per billing period, and renewal into years without lines."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest
from agreements.selectors import (
    billing_periods,
    costs_per_year,
    forecast_next_year,
    volumes_on,
    year_costs,
)
from agreements.services.agreements import end_agreement
from agreements.services.change_requests import approve_change_request, submit_change_request
from agreements.services.lines import ensure_lines_for_year, set_line_volumes
from core.money import to_cents
from core.texts import Text
from tenants.roles import Role
from tests.conftest import client_for
from tests.factories import user_with_role


@pytest.fixture
def manager(agreement):
    return user_with_role(agreement.customer, Role.CONTRACT_MANAGER)


@pytest.fixture
def staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


@pytest.fixture
def lines_until_2026(agreement):
    """Like Oegstgeest's: lines up to 2026, renewing yearly without an end date."""
    AgreementLine.objects.filter(agreement=agreement, year=2027).delete()
    return agreement


def change(agreement, manager, staff, **kwargs) -> ChangeRequest:
    request = submit_change_request(agreement=agreement, by=manager, **kwargs)
    return approve_change_request(request=request, by=staff, reason="Akkoord")


def year_lines(agreement, year) -> dict[str, Decimal]:
    return dict(
        AgreementLine.objects.filter(agreement=agreement, year=year).values_list("service__code", "volume")
    )


# --- A change from a date holds from that date --------------------------------------------------------


def test_a_change_from_1_october_leaves_the_first_three_quarters_at_the_old_volume(
    agreement, manager, staff, optional_service
):
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("35"),
        effective_from=date(2026, 10, 1),
    )
    per_quarter = [
        volumes_on(agreement=agreement, on=p.start).get(optional_service.pk)
        for p in billing_periods(2026, "quarter")
    ]
    assert per_quarter == [Decimal("20"), Decimal("20"), Decimal("20"), Decimal("35")]
    assert volumes_on(agreement=agreement, on=date(2026, 9, 30))[optional_service.pk] == Decimal("20")
    assert volumes_on(agreement=agreement, on=date(2027, 1, 1))[optional_service.pk] == Decimal("35")
    change_row = AgreementLineChange.objects.filter(service=optional_service, year=2026).first()
    assert change_row.effective_from == date(2026, 10, 1)


def test_a_service_added_from_a_date_is_absent_before_it_and_a_dropped_one_after_it(
    agreement, manager, staff, optional_service, other_service
):
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.ADD,
        service=other_service,
        volume=Decimal("400"),
        effective_from=date(2026, 7, 1),
    )
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.DROP,
        service=optional_service,
        effective_from=date(2026, 4, 1),
    )
    march, july = (
        volumes_on(agreement=agreement, on=date(2026, 3, 1)),
        volumes_on(agreement=agreement, on=date(2026, 7, 1)),
    )
    assert other_service.pk not in march
    assert july[other_service.pk] == Decimal("400")
    assert march[optional_service.pk] == Decimal("20")
    assert optional_service.pk not in july


def test_the_cost_of_a_year_is_the_sum_of_its_quarters(agreement, manager, staff, optional_service):
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("35"),
        effective_from=date(2026, 10, 1),
    )
    costs = year_costs(agreement=agreement, year=2026)
    optional = next(c for c in costs.lines if c.service == optional_service)
    # Three quarters of 20 and one of 35 at 210,00 a year: 3 x 1.050,00 + 1.837,50.
    assert optional.amount == Decimal("4987.50")
    assert costs.total == Decimal("105000.00") + Decimal("4987.50")
    per_period = sum(
        to_cents(volume * tariff / 4)
        for period in billing_periods(2026, "quarter")
        for service_id, volume in volumes_on(agreement=agreement, on=period.start).items()
        for tariff in [{optional_service.pk: Decimal("210.00")}.get(service_id, Decimal("1050.00"))]
    )
    assert costs.total == per_period


@override_settings(BILLING_PERIOD="month")
def test_with_monthly_billing_the_cost_is_rounded_per_line_per_month_like_billing(agreement, other_service):
    set_line_volumes(agreement=agreement, year=2026, volumes={other_service: Decimal("7")})
    costs = year_costs(agreement=agreement, year=2026)
    other = next(c for c in costs.lines if c.service == other_service)
    # 7 x 3,50 / 12 = 2,0417 -> 2,04 a month, 24,48 a year (not 24,50).
    assert len(other.periods) == 12
    assert other.amount == Decimal("24.48")


def test_the_agreement_page_prices_the_year_per_quarter_and_shows_the_change(
    client, agreement, manager, staff, optional_service
):
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("35"),
        effective_from=date(2026, 10, 1),
    )
    client.force_login(manager)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "€ 4.987,50" in page
    assert "€ 109.987,50" in page
    assert "per 01-10-2026: 35" in page
    assert "per 01-01-2026: 20" in page
    history = client.get(reverse("agreements:history", args=[agreement.pk])).content.decode()
    assert "Geldt vanaf" in history
    assert "01-10-2026" in history


# --- Renewal --------------------------------------------------------------------------------------------


def test_ensure_lines_for_year_copies_the_latest_year_once_with_history(
    lines_until_2026, basic_service, optional_service
):
    agreement = lines_until_2026
    lines = ensure_lines_for_year(agreement=agreement, year=2027)
    assert {line.service.code: line.volume for line in lines} == {"ICT-01": 100, "HRM-03": 20}
    history = AgreementLineChange.objects.filter(
        agreement=agreement, year=2027, reason=Text("renewal", year=2026).encode()
    )
    assert history.count() == 2
    assert {(h.old_volume, h.new_volume) for h in history} == {(None, 100), (None, 20)}
    assert {h.effective_from for h in history} == {date(2027, 1, 1)}
    again = ensure_lines_for_year(agreement=agreement, year=2027)
    assert sorted(line.pk for line in again) == sorted(line.pk for line in lines)
    assert history.count() == 2


def test_ensure_lines_for_year_leaves_years_outside_the_term_and_drafts_alone(lines_until_2026, provider):
    agreement = lines_until_2026
    agreement = end_agreement(agreement=agreement, end_date=date(2026, 12, 31))
    assert ensure_lines_for_year(agreement=agreement, year=2027) == []
    assert ensure_lines_for_year(agreement=agreement, year=2024) == []
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.DRAFT, end_date=None)
    assert ensure_lines_for_year(agreement=agreement, year=2027) == []
    assert not AgreementLine.objects.filter(agreement=agreement, year=2027).exists()


def test_volumes_in_a_year_without_lines_follow_the_latest_year_without_writing(
    lines_until_2026, basic_service, optional_service, django_assert_max_num_queries
):
    agreement = lines_until_2026
    with django_assert_max_num_queries(3):
        volumes = volumes_on(agreement=agreement, on=date(2028, 5, 1))
    assert volumes == {basic_service.pk: Decimal("100"), optional_service.pk: Decimal("20")}
    assert not AgreementLine.objects.filter(agreement=agreement, year__gt=2026).exists()
    agreement = end_agreement(agreement=agreement, end_date=date(2027, 6, 30))
    assert volumes_on(agreement=agreement, on=date(2027, 7, 1)) == {}


def test_volumes_on_needs_the_same_queries_however_many_changes(
    agreement, manager, staff, optional_service, django_assert_num_queries
):
    for volume, month in (("25", 4), ("30", 7), ("35", 10)):
        change(
            agreement,
            manager,
            staff,
            kind=ChangeRequest.Kind.CHANGE_VOLUME,
            service=optional_service,
            volume=Decimal(volume),
            effective_from=date(2026, month, 1),
        )
    with django_assert_num_queries(2):
        volumes = volumes_on(agreement=agreement, on=date(2026, 5, 1))
    assert volumes[optional_service.pk] == Decimal("25")
    with django_assert_num_queries(3):
        costs = year_costs(agreement=agreement, year=2026)
    optional = next(c for c in costs.lines if c.service == optional_service)
    assert optional.amount == to_cents(Decimal(20 + 25 + 30 + 35) * Decimal("210.00") / 4)


def test_a_change_from_a_renewal_year_works_end_to_end(
    lines_until_2026, manager, staff, basic_service, optional_service, other_service
):
    """Oegstgeest's case: lines up to 2026, changes from 1 January 2027."""
    agreement = lines_until_2026
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=basic_service,
        volume=Decimal("110"),
        effective_from=date(2027, 1, 1),
    )
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("110"), "HRM-03": Decimal("20")}
    assert (
        AgreementLineChange.objects.filter(
            agreement=agreement, year=2027, reason=Text("renewal", year=2026).encode()
        ).count()
        == 2
    )
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.ADD,
        service=other_service,
        volume=Decimal("500"),
        effective_from=date(2027, 4, 1),
    )
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.DROP,
        service=optional_service,
        effective_from=date(2027, 7, 1),
    )
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("110"), "FIN-02": Decimal("500")}
    # 110 x 1.100,00 + 3 quarters of 500 x 3,50 + 2 quarters of 20 x 220,00.
    costs = year_costs(agreement=agreement, year=2027)
    assert costs.total == Decimal("121000.00") + Decimal("1312.50") + Decimal("2200.00")


@time_machine.travel(date(2027, 3, 1), tick=False)
def test_a_change_two_years_after_the_last_lines_renews_every_year_in_between(
    lines_until_2026, manager, staff, optional_service
):
    agreement = lines_until_2026
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("30"),
        effective_from=date(2028, 1, 1),
    )
    assert year_lines(agreement, 2027) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("20")}
    assert year_lines(agreement, 2028) == {"ICT-01": Decimal("100"), "HRM-03": Decimal("30")}


def test_a_refused_change_in_a_renewal_year_writes_no_lines(lines_until_2026, manager, basic_service):
    agreement = lines_until_2026
    with pytest.raises(ValidationError):
        submit_change_request(
            agreement=agreement,
            by=manager,
            kind=ChangeRequest.Kind.DROP,
            service=basic_service,
            effective_from=date(2027, 1, 1),
        )
    assert not AgreementLine.objects.filter(agreement=agreement, year=2027).exists()


def test_the_forecast_of_next_year_follows_the_renewal_rule(lines_until_2026):
    forecast = forecast_next_year(lines_until_2026, today=date(2026, 11, 24))
    assert (forecast.year, forecast.based_on_year) == (2027, 2026)
    # 100 x 1.100,00 + 20 x 220,00 at 2027's tariffs.
    assert forecast.costs.total == Decimal("114400.00")
    years = costs_per_year(lines_until_2026, today=date(2027, 2, 1))
    assert [y.year for y in years] == [2025, 2026, 2027]
    assert years[-1].is_renewal
    assert years[-1].total == Decimal("114400.00")


def test_no_forecast_for_a_year_after_the_agreement_ends(lines_until_2026):
    agreement = end_agreement(agreement=lines_until_2026, end_date=date(2026, 12, 31))
    assert forecast_next_year(agreement, today=date(2026, 11, 24)) is None


def test_the_dashboard_prices_this_year_per_quarter(client, agreement, manager, staff, optional_service):
    today = timezone.localdate()
    change(
        agreement,
        manager,
        staff,
        kind=ChangeRequest.Kind.CHANGE_VOLUME,
        service=optional_service,
        volume=Decimal("36"),
        effective_from=date(today.year, 10, 1),
    )
    expected = year_costs(agreement=agreement, year=today.year).total
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert f"{expected:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in page


# --- Dropping a service takes no volume ---------------------------------------------------------------


def test_dropping_a_service_with_a_volume_is_refused_next_to_the_volume(agreement, manager, optional_service):
    with pytest.raises(ValidationError) as exc:
        submit_change_request(
            agreement=agreement,
            by=manager,
            kind=ChangeRequest.Kind.DROP,
            service=optional_service,
            volume=Decimal("50"),
            effective_from=date(2027, 1, 1),
        )
    assert "een beëindigde dienst heeft geen afname" in exc.value.message_dict["volume"][0]
    assert not ChangeRequest.objects.exists()


def test_the_form_refuses_a_drop_with_a_volume_in_dutch(client, agreement, manager, optional_service):
    client.force_login(manager)
    response = client.post(
        reverse("agreements:change-request-create", args=[agreement.pk]),
        {"kind": "drop", "service": optional_service.pk, "effective_from": "01-01-2027", "volume": "50"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Laat de afname leeg: een beëindigde dienst heeft geen afname." in page
    assert not ChangeRequest.objects.exists()


def test_the_api_refuses_a_drop_with_a_volume_in_dutch(agreement, manager, optional_service):
    response = client_for(manager).post(
        reverse("api:change-request-list"),
        {
            "agreement": agreement.number,
            "kind": "drop",
            "service": "HRM-03",
            "volume": "50",
            "effective_from": "2027-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "geen afname" in response.json()["volume"][0]
