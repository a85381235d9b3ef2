"""The catalogue's Celery task on a real worker over Redis."""

from decimal import Decimal

import pytest

from services.models import Tariff
from services.tasks import index_tariffs_task

from .factories import TariffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_indexation_runs_on_a_worker_and_a_second_run_adds_nothing(celery_worker):
    TariffFactory(year=2025, unit_price=Decimal("1.00"))
    first = index_tariffs_task.delay(from_year=2025, to_year=2026, percent="0.5")
    assert first.get(timeout=30) == 1
    assert Tariff.objects.get(year=2026).unit_price == Decimal("1.01")
    second = index_tariffs_task.delay(from_year=2025, to_year=2026, percent="0.5")
    assert second.get(timeout=30) == 0
    assert Tariff.objects.filter(year=2026).count() == 1
