"""Realisation: the mean of the months, rounded half-up, and the verdict at the boundaries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from quality.models import BreachNote, Kpi
from quality.realisation import mean
from quality.selectors import realisation
from quality.services.breaches import save_breach_note

from .factories import measure, quality_world

pytestmark = pytest.mark.django_db


def _cell(world, kpi, *, quarter=1, service=None, customer=None):
    card = realisation(customers=[customer or world.alfa], year=2024, quarter=quarter)
    return next(c for c in card.cells if c.kpi == kpi and c.service == (service or world.ict))


def test_the_mean_is_rounded_half_up_to_two_decimals_in_decimal():
    assert mean([Decimal("99.50"), Decimal("99.51")]) == Decimal("99.51")  # 99.505
    assert mean([Decimal("1"), Decimal("2"), Decimal("2")]) == Decimal("1.67")
    assert mean([]) is None


@pytest.mark.parametrize(
    ("kpi", "values", "verdict"),
    [
        (Kpi.AVAILABILITY, ["99.50", "99.50", "99.50"], "met"),  # exactly the norm
        (Kpi.AVAILABILITY, ["99.49", "99.50", "99.50"], "met"),  # 99.4966... rounds to 99.50
        (Kpi.RESPONSE, ["90.00", "89.00", "91.00"], "met"),  # mean exactly 90
        (Kpi.RESPONSE, ["89.99"], "not_met"),
        (Kpi.RESOLUTION, ["90.00"], "met"),
        (Kpi.SATISFACTION, ["7.00", "6.50", "7.50"], "met"),
        (Kpi.SATISFACTION, ["6.99"], "not_met"),
    ],
)
def test_reaching_the_norm_exactly_counts_as_met(kpi, values, verdict):
    world = quality_world()
    measure(world.alfa, world.ict, kpi, {f"2024-0{i + 1}": v for i, v in enumerate(values)})
    assert _cell(world, kpi).verdict == verdict


def test_a_quarter_without_months_has_no_measurement_and_calls_have_no_verdict():
    world = quality_world()
    measure(world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "99.9"})
    measure(world.alfa, world.ict, Kpi.CALLS, {"2024-01": "120", "2024-02": "130"})
    assert _cell(world, Kpi.AVAILABILITY, quarter=2).verdict == "no_measurement"
    calls = _cell(world, Kpi.CALLS)
    assert calls.value == Decimal("125.00")
    assert calls.verdict is None


def test_the_year_is_the_mean_of_its_months():
    world = quality_world()
    measure(
        world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "99.00", "2024-05": "100.00", "2024-12": "99.60"}
    )
    card = realisation(customers=[world.alfa], year=2024)
    cell = next(c for c in card.cells if c.kpi == Kpi.AVAILABILITY)
    assert (cell.value, cell.months, cell.verdict) == (Decimal("99.53"), 3, "met")


def test_a_service_without_an_availability_norm_has_no_verdict_on_availability():
    world = quality_world()
    measure(world.alfa, world.hrm, Kpi.AVAILABILITY, {"2024-01": "50"})
    assert _cell(world, Kpi.AVAILABILITY, service=world.hrm).verdict is None


def test_one_municipality_does_not_count_in_another():
    world = quality_world()
    measure(world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "99.90"})
    measure(world.bravo, world.ict, Kpi.AVAILABILITY, {"2024-01": "90.00"})
    assert _cell(world, Kpi.AVAILABILITY).verdict == "met"
    assert _cell(world, Kpi.AVAILABILITY, customer=world.bravo).verdict == "not_met"


def test_an_explanation_belongs_to_a_breach_and_keeps_its_history(provider_staff):
    world = quality_world()
    measure(world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "98.00", "2024-04": "99.90"})
    with pytest.raises(ValidationError, match="niet is gehaald"):
        save_breach_note(
            customer=world.alfa,
            service=world.ict,
            year=2024,
            quarter=2,
            kpi=Kpi.AVAILABILITY,
            explanation="Geen afwijking",
            by=provider_staff,
        )
    note = save_breach_note(
        customer=world.alfa,
        service=world.ict,
        year=2024,
        quarter=1,
        kpi=Kpi.AVAILABILITY,
        explanation="Storing in het datacenter",
        remedy="Tweede stroomvoorziening",
        by=provider_staff,
    )
    save_breach_note(
        customer=world.alfa,
        service=world.ict,
        year=2024,
        quarter=1,
        kpi=Kpi.AVAILABILITY,
        explanation="Storing in het datacenter op 3 januari",
        remedy="Tweede stroomvoorziening",
        by=provider_staff,
    )
    assert BreachNote.objects.count() == 1
    history = list(note.history.order_by("history_date"))
    assert [h.explanation for h in history] == [
        "Storing in het datacenter",
        "Storing in het datacenter op 3 januari",
    ]
    assert {h.history_user for h in history} == {provider_staff}
    assert _cell(world, Kpi.AVAILABILITY).note.explanation == "Storing in het datacenter op 3 januari"
