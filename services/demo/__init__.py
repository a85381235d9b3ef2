"""The demo catalogue for ``seed_demo``: domains, services, tariffs from 2023 and service levels.

The services themselves are rows of ``catalogue.csv`` beside this module.

The figures are illustrative: realistic in size for Leiden and its neighbours, not the real prices.
2023 is the base year; every later year comes from indexation (``indexation(year)``: Dutch wage-and-price
figures for 2024–2026, a steady 2.8% after), set on 1 October of the year before (``INDEXATION_DAY``).
So the demo years run relative to today (``demo_years``): up to and including this year, and next year
as soon as its indexation date has passed. A demo seeded on any date therefore looks the same.
``typical_volume`` gives a plausible yearly volume of a service for a municipality of a given size, so
the agreement and transition demo data can be built from it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.history import Reason, create_many
from services.models import Service, ServiceDomain, ServiceLevel, Tariff
from services.services import indexed_price

BASE_YEAR = 2023
# Indexation per year (a mix of the CAO-Gemeenten wage rise and the CPI, rounded to one decimal); a year
# without a figure here gets ``LATER_INDEXATION``.
INDEXATION = {2024: Decimal("6.1"), 2025: Decimal("4.4"), 2026: Decimal("3.1")}
LATER_INDEXATION = Decimal("2.8")
# Next year's tariffs are set on this day (month, day) of the year before.
INDEXATION_DAY = (10, 1)


def indexation(year: int) -> Decimal:
    """The demo's indexation percentage from ``year - 1`` to ``year``."""
    return INDEXATION.get(year, LATER_INDEXATION)


def indexation_date(year: int) -> date:
    """The day ``year``'s tariffs are set: 1 October of the year before."""
    return date(year - 1, *INDEXATION_DAY)


def demo_years(today: date | None = None) -> tuple[int, ...]:
    """2023 up to and including this year, and next year once its tariffs have been set."""
    today = today or timezone.localdate()
    last = today.year + 1 if today >= indexation_date(today.year + 1) else today.year
    return tuple(range(BASE_YEAR, max(last, BASE_YEAR) + 1))


def as_aware(day: date, hour: int = 9) -> datetime:
    """``day`` at ``hour`` in the portal's time zone (business dates for the history)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


# The years of a seed started now (kept for callers that read it as a constant).
DEMO_YEARS = demo_years()

# Inhabitants (CBS, rounded) of the four municipalities, for demo volumes.
DEMO_INHABITANTS = {"leiden": 127_000, "leiderdorp": 28_000, "oegstgeest": 26_000, "zoeterwoude": 9_000}

DOMAINS = [
    ("ict", "ICT", "ICT", 10),
    ("hrm", "HRM", "HRM", 20),
    ("financien", "Financiën", "Finance", 30),
    ("inkoop", "Inkoop", "Procurement", 40),
    ("informatiebeheer", "Informatiebeheer", "Information management", 50),
    ("facilitaire-zaken", "Facilitaire zaken", "Facility services", 60),
    ("juridische-zaken", "Juridische zaken", "Legal affairs", 70),
]


@dataclass(frozen=True)
class DemoService:
    code: str
    domain: str
    name: str
    name_en: str
    unit: str
    unit_en: str
    unit_code: str
    price_2023: str
    # Yearly volume: ``base`` + ``per_1000`` for every 1,000 inhabitants.
    per_1000: str
    base: str = "0"
    is_basic: bool = False
    vat_category: str = "S"
    taakveld: str = "0.4"
    description: str = ""
    description_en: str = ""


CATALOGUE_FILE = Path(__file__).with_name("catalogue.csv")


def _load_catalogue() -> list[DemoService]:
    """The demo services, one row each in ``catalogue.csv`` (``;``-separated, a header row of field names)."""
    with CATALOGUE_FILE.open(encoding="utf-8", newline="") as handle:
        return [
            DemoService(**{**row, "is_basic": row["is_basic"] == "1"})
            for row in csv.DictReader(handle, delimiter=";")
        ]


SERVICES = _load_catalogue()

BY_CODE = {service.code: service for service in SERVICES}

# Service levels per year; a later year keeps the last year's levels.
ICT_LEVELS = {
    2023: ("99.50", "4.0", "16.0", "ma-vr 7:30-18:00", "Mon-Fri 7:30-18:00"),
    2024: ("99.50", "4.0", "16.0", "ma-vr 7:30-18:00", "Mon-Fri 7:30-18:00"),
    2025: ("99.60", "2.0", "8.0", "ma-vr 7:30-18:00, za 9:00-13:00", "Mon-Fri 7:30-18:00, Sat 9:00-13:00"),
    2026: ("99.70", "2.0", "8.0", "ma-vr 7:30-18:00, za 9:00-13:00", "Mon-Fri 7:30-18:00, Sat 9:00-13:00"),
}
OTHER_LEVELS = {
    2023: (None, "16.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2024: (None, "16.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2025: (None, "8.0", "40.0", "ma-vr 8:30-17:00", "Mon-Fri 8:30-17:00"),
    2026: (None, "8.0", "32.0", "ma-vr 8:00-17:30", "Mon-Fri 8:00-17:30"),
}


def _round_volume(value: Decimal) -> Decimal:
    """Whole units; tens from 1,000 and hundreds from 10,000, as a contract manager would estimate."""
    if value <= 0:
        return Decimal(0)
    step = Decimal(100) if value >= 10_000 else Decimal(10) if value >= 1_000 else Decimal(1)
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def typical_volume(service: Service, inhabitants: int) -> Decimal:
    """A realistic yearly volume of ``service`` for a municipality of ``inhabitants`` (rounded, >= 0).

    For example about 7 workstations and 8 employees per 1,000 inhabitants, 250 purchase invoices per
    1,000 inhabitants, 20 running metres of archive per 1,000 inhabitants; one budget cycle per
    municipality. Services outside the demo catalogue get an estimate from their unit.
    """
    if not inhabitants or inhabitants <= 0:
        return Decimal(0)
    thousands = Decimal(inhabitants) / Decimal(1000)
    demo = BY_CODE.get(service.code)
    if demo is not None:
        base, per_1000 = Decimal(demo.base), Decimal(demo.per_1000)
    else:
        base = Decimal(0)
        per_1000 = {"HUR": Decimal(5), "MTR": Decimal(20), "MTK": Decimal(250)}.get(
            service.unit_code, Decimal(7)
        )
    return _round_volume(base + per_1000 * thousands)


def _sync(obj, values: dict) -> bool:
    """Set ``values`` on ``obj`` and save only when something differs (no history on a re-run)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save()
    return bool(changed)


def _seed_domains() -> dict[str, ServiceDomain]:
    domains = {}
    for code, name, name_en, order in DOMAINS:
        domain = ServiceDomain.objects.filter(code=code).first() or ServiceDomain(code=code)
        _sync(domain, {"name": name, "name_en": name_en, "order": order})
        domains[code] = domain
    return domains


def _seed_services(domains: dict[str, ServiceDomain]) -> dict[str, Service]:
    existing = {s.code: s for s in Service.objects.filter(code__in=BY_CODE)}
    services = {}
    for demo in SERVICES:
        service = existing.get(demo.code) or Service(code=demo.code)
        _sync(
            service,
            {
                "name": demo.name,
                "name_en": demo.name_en,
                "description": demo.description,
                "description_en": demo.description_en,
                "domain_id": domains[demo.domain].pk,
                "unit": demo.unit,
                "unit_en": demo.unit_en,
                "unit_code": demo.unit_code,
                "is_basic": demo.is_basic,
                "vat_category": demo.vat_category,
                "taakveld": demo.taakveld,
                "active_from": date(BASE_YEAR, 1, 1),
            },
        )
        services[demo.code] = service
    return services


def _seed_tariffs(services: dict[str, Service], years: tuple[int, ...], log) -> None:
    """The base year's tariffs, and each later year's indexed from the year before, recorded in the
    history on the day they were set (1 October of the year before). A year indexed before keeps its
    tariffs; a service added since gets its indexed tariff too."""
    have_base = set(Tariff.objects.filter(year=BASE_YEAR).values_list("service_id", flat=True))
    create_many(
        [
            Tariff(service=services[demo.code], year=BASE_YEAR, unit_price=Decimal(demo.price_2023))
            for demo in SERVICES
            if services[demo.code].pk not in have_base
        ],
        Tariff,
        when=as_aware(date(BASE_YEAR - 1, 9, 15)),
    )
    for year in years[1:]:
        percent = indexation(year)
        previous = {t.service_id: t.unit_price for t in Tariff.objects.filter(year=year - 1)}
        have = set(Tariff.objects.filter(year=year).values_list("service_id", flat=True))
        new = [
            Tariff(service_id=service_id, year=year, unit_price=indexed_price(price, percent))
            for service_id, price in previous.items()
            if service_id not in have
        ]
        if new:
            create_many(
                new,
                Tariff,
                reason=Reason("indexation", **{"from": year - 1, "to": year, "percent": percent}),
                when=as_aware(indexation_date(year)),
            )
            log(f"  tarieven {year}: indexatie {percent}% op {year - 1} ({len(new)})")


def _seed_service_levels(services: dict[str, Service], years: tuple[int, ...]) -> None:
    existing = {(sl.service_id, sl.year): sl for sl in ServiceLevel.objects.filter(year__in=years)}
    for demo in SERVICES:
        service = services[demo.code]
        levels = ICT_LEVELS if demo.domain == "ict" else OTHER_LEVELS
        for year in years:
            availability, response, resolution, hours, hours_en = levels[min(year, max(levels))]
            level = existing.get((service.pk, year)) or ServiceLevel(service=service, year=year)
            _sync(
                level,
                {
                    "availability_percent": Decimal(availability) if availability else None,
                    "response_hours": Decimal(response),
                    "resolution_hours": Decimal(resolution),
                    "service_hours": hours,
                    "service_hours_en": hours_en,
                },
            )


@transaction.atomic
def seed(*, password: str, log=print) -> None:
    """The demo catalogue; running it twice leaves the same data (and no extra history)."""
    years = demo_years()
    domains = _seed_domains()
    services = _seed_services(domains)
    _seed_tariffs(services, years, log)
    _seed_service_levels(services, years)
    log(
        f"Dienstencatalogus: {len(services)} diensten in {len(domains)} domeinen, "
        f"tarieven {BASE_YEAR}–{max(years)} (illustratief)."
    )
