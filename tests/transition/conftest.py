"""The transition's world: Leiden, Servicepunt71, two municipalities, locations, a small catalogue and
Leiderdorp's agreement with Leiden from 2023 (Oegstgeest has none yet)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from agreements.models import AgreementLine
from tenants.models import Location, Organisation
from tests.agreements.factories import AgreementFactory
from tests.factories import LegacyProviderFactory, LocationFactory, OrganisationFactory, ProviderFactory
from tests.services.factories import ServiceFactory


@dataclass
class World:
    leiden: Organisation
    servicepunt71: Organisation
    leiderdorp: Organisation
    oegstgeest: Organisation
    tweelinghuis: Location
    leiderdorp_hall: Location
    services: dict


@pytest.fixture
def world(db) -> World:
    leiden = ProviderFactory()
    servicepunt71 = LegacyProviderFactory()
    leiderdorp = OrganisationFactory(name="Gemeente Leiderdorp", slug="leiderdorp", cbs_code="0547")
    oegstgeest = OrganisationFactory(name="Gemeente Oegstgeest", slug="oegstgeest", cbs_code="0579")
    tweelinghuis = LocationFactory(name="Tweelinghuis Leiden", organisation=leiden)
    leiderdorp_hall = LocationFactory(name="Gemeentehuis Leiderdorp", organisation=leiderdorp)
    services = {
        "ICT-01": ServiceFactory(code="ICT-01", name="Werkplek", is_basic=True),
        "HRM-01": ServiceFactory(code="HRM-01", name="Salarisadministratie", unit="medewerker"),
    }
    agreement = AgreementFactory(customer=leiderdorp, provider=leiden, number="DVO-2023-0547")
    AgreementLine.objects.create(
        agreement=agreement, service=services["ICT-01"], year=2023, volume=Decimal(5)
    )
    return World(leiden, servicepunt71, leiderdorp, oegstgeest, tweelinghuis, leiderdorp_hall, services)


AGREEMENT_ROWS = [
    ["Gemeente Leiderdorp", "ICT-01", "310"],
    ["0547", "HRM-01", "280,5"],
    ["Oegstgeest", "ICT-01", "290"],
]
