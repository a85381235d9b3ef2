"""The demo catalogue: realistic, idempotent, and typical volumes for a municipality's size."""

from decimal import Decimal

import pytest

from services import demo
from services.models import Service, ServiceDomain, ServiceLevel, Tariff
from services.services import indexed_price

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed(password="x", log=lambda *a: None)


def test_the_demo_catalogue_has_at_least_30_services_in_6_domains(seeded):
    assert Service.objects.count() >= 30
    assert ServiceDomain.objects.filter(services__isnull=False).distinct().count() >= 6


def test_the_demo_catalogue_has_a_basic_package_and_both_vat_cases(seeded):
    assert 8 <= Service.objects.filter(is_basic=True).count() <= 12
    assert set(Service.objects.values_list("vat_category", flat=True)) >= {"S", "E"}
    assert Service.objects.filter(taakveld="0.4").count() > Service.objects.count() / 2


def test_the_demo_has_tariffs_and_service_levels_2023_to_2026_for_every_service(seeded):
    services = Service.objects.count()
    for year in (2023, 2024, 2025, 2026):
        assert Tariff.objects.filter(year=year).count() == services
        assert ServiceLevel.objects.filter(year=year).count() == services


def test_demo_tariffs_after_2023_come_from_indexation(seeded):
    workstation = {t.year: t.unit_price for t in Tariff.objects.filter(service__code="ICT-01")}
    fixed = {
        2023: Decimal("1450.00"),
        2024: Decimal("1538.45"),  # +6.1%
        2025: Decimal("1606.14"),  # +4.4%
        2026: Decimal("1655.93"),  # +3.1%
    }
    assert {year: price for year, price in workstation.items() if year <= 2026} == fixed
    # Later years, as far as the demo's years reach today, each indexed from the year before.
    assert sorted(workstation) == list(demo.demo_years())
    for year in sorted(workstation)[4:]:
        assert workstation[year] == indexed_price(workstation[year - 1], demo.indexation(year))


def test_seeding_twice_gives_the_same_data_and_no_extra_history(seeded):
    counts = [m.objects.count() for m in (Service, Tariff, ServiceLevel)]
    history = [m.history.count() for m in (Service, Tariff, ServiceLevel)]
    demo.seed(password="x", log=lambda *a: None)
    assert [m.objects.count() for m in (Service, Tariff, ServiceLevel)] == counts
    assert [m.history.count() for m in (Service, Tariff, ServiceLevel)] == history


def test_typical_volumes_grow_with_the_municipality(seeded):
    workstation = Service.objects.get(code="ICT-01")
    leiden = demo.typical_volume(workstation, 127_000)
    zoeterwoude = demo.typical_volume(workstation, 9_000)
    assert zoeterwoude == Decimal(63)  # about 7 per 1,000 inhabitants
    assert leiden > zoeterwoude
    assert leiden == leiden.to_integral_value()


def test_a_budget_cycle_is_one_per_municipality(seeded):
    budget = Service.objects.get(code="FIN-04")
    assert demo.typical_volume(budget, 127_000) == demo.typical_volume(budget, 9_000) == Decimal(1)


def test_every_demo_service_has_a_volume_for_every_demo_municipality(seeded):
    for service in Service.objects.all():
        for inhabitants in demo.DEMO_INHABITANTS.values():
            volume = demo.typical_volume(service, inhabitants)
            assert isinstance(volume, Decimal)
            assert volume >= 0


def test_a_service_outside_the_demo_gets_a_volume_from_its_unit():
    hours = ServiceFactory(code="XYZ-01", unit="uur", unit_code="HUR")
    assert demo.typical_volume(hours, 10_000) == Decimal(50)
    assert demo.typical_volume(hours, 0) == Decimal(0)
