"""The catalogue's rules: one tariff per service and year, locked tariffs never change, indexation."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from core.texts import render
from services.models import ServiceLevel, Tariff
from services.services import (
    delete_tariff,
    index_tariffs,
    indexed_price,
    lock_tariffs,
    save_tariff,
    set_tariff,
)

from .factories import ServiceFactory, ServiceLevelFactory, TariffFactory

pytestmark = pytest.mark.django_db


def test_a_second_tariff_for_the_same_service_and_year_is_refused_by_the_database():
    tariff = TariffFactory(year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(service=tariff.service, year=2025, unit_price=Decimal("1.00"))


def test_a_second_tariff_for_the_same_service_and_year_is_refused_with_a_dutch_message():
    tariff = TariffFactory(year=2025)
    with pytest.raises(ValidationError, match="al een tarief"):
        save_tariff(tariff=Tariff(service=tariff.service, year=2025, unit_price=Decimal("2.00")))


def test_a_negative_unit_price_is_refused_by_the_database():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.create(service=service, year=2025, unit_price=Decimal("-0.01"))


def test_a_second_service_level_for_the_same_service_and_year_is_refused():
    level = ServiceLevelFactory(year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceLevel.objects.create(service=level.service, year=2025)


def test_an_availability_above_100_percent_is_refused_by_the_database():
    service = ServiceFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceLevel.objects.create(service=service, year=2025, availability_percent=Decimal("100.01"))


def test_a_service_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceFactory(active_from=date(2024, 1, 1), active_until=date(2023, 12, 31))


def test_lock_tariffs_locks_each_tariff_once():
    tariffs = TariffFactory.create_batch(2)
    assert lock_tariffs(tariff_ids=[t.pk for t in tariffs]) == 2
    assert lock_tariffs(tariff_ids=[t.pk for t in tariffs]) == 0
    assert all(t.is_locked for t in Tariff.objects.all())


def test_a_locked_tariff_cannot_change_its_price():
    tariff = TariffFactory(unit_price=Decimal("100.00"))
    lock_tariffs(tariff_ids=[tariff.pk])
    tariff.refresh_from_db()
    tariff.unit_price = Decimal("101.00")
    with pytest.raises(ValidationError, match="kan niet meer wijzigen"):
        tariff.save()
    assert Tariff.objects.get(pk=tariff.pk).unit_price == Decimal("100.00")


def test_the_service_layer_refuses_to_change_a_locked_tariff():
    tariff = TariffFactory(year=2024, unit_price=Decimal("100.00"))
    lock_tariffs(tariff_ids=[tariff.pk])
    with pytest.raises(ValidationError, match="kan niet meer wijzigen"):
        set_tariff(service=tariff.service, year=2024, unit_price="120.00")
    assert Tariff.objects.get(pk=tariff.pk).unit_price == Decimal("100.00")


def test_a_locked_tariff_cannot_be_deleted():
    tariff = TariffFactory()
    lock_tariffs(tariff_ids=[tariff.pk])
    with pytest.raises(ValidationError, match="niet worden verwijderd"):
        delete_tariff(tariff=tariff)
    assert Tariff.objects.filter(pk=tariff.pk).exists()


def test_an_open_tariff_can_be_changed_by_hand_and_keeps_its_history(provider_staff):
    tariff = TariffFactory(year=2024, unit_price=Decimal("100.00"))
    set_tariff(service=tariff.service, year=2024, unit_price="110.00", by=provider_staff)
    tariff.refresh_from_db()
    assert tariff.unit_price == Decimal("110.00")
    latest = tariff.history.first()
    assert latest.history_user == provider_staff
    assert latest.prev_record.unit_price == Decimal("100.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_database_refuses_a_bulk_update_of_a_locked_tariff():
    tariff = TariffFactory(unit_price=Decimal("100.00"))
    lock_tariffs(tariff_ids=[tariff.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.filter(pk=tariff.pk).update(unit_price=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.filter(pk=tariff.pk).update(locked_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tariff.objects.filter(pk=tariff.pk)._raw_delete(Tariff.objects.db)
    assert Tariff.objects.get(pk=tariff.pk).unit_price == Decimal("100.00")


# --- Indexation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        ("1.00", "0.5", "1.01"),  # 1.005: exactly half a cent, rounded up
        ("0.10", "5", "0.11"),  # 0.105
        ("10.10", "2.5", "10.35"),  # 10.3525
        ("1450.00", "6.1", "1538.45"),
        ("3.30", "-5", "3.14"),  # 3.135, a decrease also rounds half up
    ],
)
def test_indexation_rounds_half_up_to_cents(price, percent, expected):
    assert indexed_price(Decimal(price), Decimal(percent)) == Decimal(expected)


def test_indexation_creates_the_next_years_tariffs_rounded_at_the_half_cent():
    half_cent = TariffFactory(year=2025, unit_price=Decimal("1.00"))
    plain = TariffFactory(year=2025, unit_price=Decimal("200.00"))
    created = index_tariffs(from_year=2025, to_year=2026, percent=Decimal("0.5"))
    assert len(created) == 2
    prices = dict(Tariff.objects.filter(year=2026).values_list("service_id", "unit_price"))
    assert prices == {half_cent.service_id: Decimal("1.01"), plain.service_id: Decimal("201.00")}
    assert Tariff.objects.get(pk=half_cent.pk).unit_price == Decimal("1.00")


def test_indexation_accepts_a_percentage_written_with_a_comma():
    TariffFactory(year=2025, unit_price=Decimal("100.00"))
    (tariff,) = index_tariffs(from_year=2025, to_year=2026, percent="3,1")
    assert tariff.unit_price == Decimal("103.10")


def test_indexation_refuses_a_target_year_that_already_has_tariffs():
    TariffFactory(year=2025)
    existing = TariffFactory(year=2026, unit_price=Decimal("5.00"))
    with pytest.raises(ValidationError, match="bestaan al tarieven"):
        index_tariffs(from_year=2025, to_year=2026, percent=Decimal("3.1"))
    assert list(Tariff.objects.filter(year=2026)) == [existing]


def test_indexation_refuses_a_base_year_without_tariffs():
    with pytest.raises(ValidationError, match="geen tarieven voor 2019"):
        index_tariffs(from_year=2019, to_year=2020, percent=Decimal("2"))


def test_indexation_refuses_a_target_year_before_the_base_year():
    TariffFactory(year=2025)
    with pytest.raises(ValidationError, match="na het basisjaar"):
        index_tariffs(from_year=2025, to_year=2024, percent=Decimal("2"))


def test_indexation_refuses_a_float_percentage():
    TariffFactory(year=2025)
    with pytest.raises(ValidationError, match="float"):
        index_tariffs(from_year=2025, to_year=2026, percent=3.1)


def test_indexation_skips_services_that_end_before_the_target_year():
    TariffFactory(year=2025, service=ServiceFactory(active_until=date(2025, 12, 31)))
    running = TariffFactory(year=2025)
    created = index_tariffs(from_year=2025, to_year=2026, percent=Decimal("3.1"))
    assert [t.service_id for t in created] == [running.service_id]


def test_indexation_records_who_indexed_in_the_history(provider_staff):
    TariffFactory(year=2025)
    (tariff,) = index_tariffs(from_year=2025, to_year=2026, percent=Decimal("3.1"), by=provider_staff)
    record = tariff.history.get()
    assert record.history_user == provider_staff
    assert render(record.history_change_reason) == "Indexatie 2025 → 2026 met 3,1%"
    with translation.override("en"):
        assert render(record.history_change_reason) == "Indexation 2025 → 2026 by 3.1%"
