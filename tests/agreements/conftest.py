"""A small catalogue with tariffs and an agreement for Gemeente Alfa, shared by the agreement tests."""

from datetime import date
from decimal import Decimal

import pytest

from agreements.models import Agreement
from agreements.services.agreements import create_agreement
from agreements.services.lines import set_line_volumes
from tests.services.factories import ServiceFactory, TariffFactory

YEARS = (2025, 2026, 2027)


@pytest.fixture
def tasks_in_process():
    """Tasks a service enqueues run in process once the transaction commits (the embedded default's
    eager mode), so a test sees their outcome without a worker; the worker tests use ``celery_worker``."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = eager


@pytest.fixture
def basic_service(db):
    service = ServiceFactory(code="ICT-01", name="Werkplekbeheer", is_basic=True, unit="werkplek")
    for year, price in zip(YEARS, ("1000.00", "1050.00", "1100.00"), strict=True):
        TariffFactory(service=service, year=year, unit_price=Decimal(price))
    return service


@pytest.fixture
def optional_service(db):
    service = ServiceFactory(code="HRM-03", name="Opleidingen", is_basic=False, unit="deelnemer")
    for year, price in zip(YEARS, ("200.00", "210.00", "220.00"), strict=True):
        TariffFactory(service=service, year=year, unit_price=Decimal(price))
    return service


@pytest.fixture
def other_service(db):
    service = ServiceFactory(code="FIN-02", name="Crediteurenadministratie", is_basic=False, unit="factuur")
    for year in YEARS:
        TariffFactory(service=service, year=year, unit_price=Decimal("3.50"))
    return service


@pytest.fixture
def agreement(provider, municipality, basic_service, optional_service) -> Agreement:
    """Alfa's active agreement from 2025-01-01 with lines for 2025-2027."""
    agreement = create_agreement(
        customer=municipality, provider=provider, start_date=date(2025, 1, 1), status=Agreement.Status.ACTIVE
    )
    for year in YEARS:
        set_line_volumes(
            agreement=agreement,
            year=year,
            volumes={basic_service: Decimal("100"), optional_service: Decimal("20")},
            reason="start",
        )
    return agreement
