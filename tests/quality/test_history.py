"""Measurements and breach explanations in the one readable history: who, when, from what to what."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from quality.models import Kpi
from quality.services.breaches import save_breach_note
from quality.services.measurements import record_measurement
from tenants.roles import Role
from tests.factories import user_with_role
from tests.history_checks import assert_change_shows, assert_not_found

from .factories import measure, quality_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = quality_world()
    world.staff = user_with_role(world.provider, Role.PROVIDER_STAFF, username="kwaliteit")
    world.alfa_cm = user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    world.bravo_cm = user_with_role(world.bravo, Role.CONTRACT_MANAGER, username="cm.bravo")
    return world


def test_a_replaced_measurement_shows_in_its_history(client, world):
    for value in ("98.00", "99.75"):
        measurement, _created = record_measurement(
            customer=world.alfa,
            service=world.ict,
            month=date(2024, 3, 1),
            kpi=Kpi.AVAILABILITY,
            value=Decimal(value),
            by=world.staff,
        )
    client.force_login(world.alfa_cm)
    assert_change_shows(
        client, "meting", measurement.pk, by=world.staff, field="waarde", old="98.00", new="99.75"
    )
    client.force_login(world.bravo_cm)
    assert_not_found(client, "meting", measurement.pk)


def test_a_rewritten_breach_explanation_shows_in_its_history(client, world):
    measure(world.alfa, world.ict, Kpi.AVAILABILITY, {"2024-01": "90", "2024-02": "91", "2024-03": "92"})
    for explanation in ("Storing in het netwerk", "Storing in het netwerk van de leverancier"):
        note = save_breach_note(
            customer=world.alfa,
            service=world.ict,
            year=2024,
            quarter=1,
            kpi=Kpi.AVAILABILITY,
            explanation=explanation,
            by=world.staff,
        )
    client.force_login(world.alfa_cm)
    assert_change_shows(
        client,
        "toelichting",
        note.pk,
        by=world.staff,
        field="toelichting",
        old="Storing in het netwerk",
        new="Storing in het netwerk van de leverancier",
    )
    client.force_login(world.bravo_cm)
    assert_not_found(client, "toelichting", note.pk)


@pytest.mark.parametrize("changes", [1, 40])
def test_the_measurement_history_keeps_its_query_count(client, world, django_assert_max_num_queries, changes):
    for step in range(changes + 1):
        measurement, _created = record_measurement(
            customer=world.alfa,
            service=world.ict,
            month=date(2024, 3, 1),
            kpi=Kpi.AVAILABILITY,
            value=Decimal(50 + step),
            by=world.staff,
        )
    client.force_login(world.staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("history-meting", args=[measurement.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:history-meting", args=[measurement.pk])).status_code == 200
