"""The open tariff register (Woo): what anyone may check without logging in.

The catalogue, each year's tariffs and service-level norms, the price-equality verdict of every billed
year (only the verdict: no municipality's volumes, amounts or names), and per year a SHA-256 fingerprint
of the tariff table in a canonical form, so that anyone can check a published copy:

    one line per tariff of the year, ``<code>;<year>;<unit_price>``, sorted by service code, the price
    with a decimal point and exactly two decimals, each line ending in ``\\n``, encoded as UTF-8; the
    fingerprint is the lowercase hex SHA-256 of those bytes.

For example ``ICT-01;2025;1606.14\\n`` for a one-service year. Nothing in here reads a tenant's data
except through billing's price-equality proof, of which only the yes/no verdict leaves this module.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from billing.models import InvoiceLine
from billing.selectors import price_equality
from services.models import Service, ServiceLevel, Tariff

CANONICAL_FORM = "<code>;<year>;<unit_price>\\n, sorted by code, UTF-8, unit_price with two decimals"


def canonical_tariff_table(rows: list[tuple[str, int, Decimal]]) -> bytes:
    """The canonical bytes of one year's tariff table (see the module docstring)."""
    lines = sorted(f"{code};{year};{Decimal(price):.2f}\n" for code, year, price in rows)
    return "".join(lines).encode("utf-8")


def fingerprint(rows: list[tuple[str, int, Decimal]]) -> str:
    return hashlib.sha256(canonical_tariff_table(rows)).hexdigest()


@dataclass
class RegisterYear:
    year: int
    tariffs: dict[str, Decimal] = field(default_factory=dict)  # service code -> unit price
    norms: dict[str, ServiceLevel] = field(default_factory=dict)  # service code -> norms
    price_equality: str | None = None  # "equal", "deviation", or None when the year was not billed

    @property
    def fingerprint(self) -> str:
        return fingerprint([(code, self.year, price) for code, price in self.tariffs.items()])

    @property
    def canonical(self) -> str:
        return canonical_tariff_table(
            [(code, self.year, price) for code, price in self.tariffs.items()]
        ).decode("utf-8")


@dataclass
class Register:
    services: list[Service]
    years: list[RegisterYear]


def tariff_register() -> Register:
    """The whole register. A fixed number of queries plus three per billed year (the proof)."""
    services = list(Service.objects.select_related("domain").order_by("domain__order", "code"))
    by_year: dict[int, RegisterYear] = {}

    def year_of(year: int) -> RegisterYear:
        return by_year.setdefault(year, RegisterYear(year=year))

    for code, year, price in Tariff.objects.values_list("service__code", "year", "unit_price"):
        year_of(year).tariffs[code] = price
    for level in ServiceLevel.objects.select_related("service"):
        year_of(level.year).norms[level.service.code] = level
    billed_years = sorted(set(InvoiceLine.objects.values_list("invoice__year", flat=True).distinct()))
    for year in billed_years:
        year_of(year).price_equality = "equal" if price_equality(year).is_equal else "deviation"
    years = [by_year[y] for y in sorted(by_year)]
    for entry in years:
        entry.tariffs = dict(sorted(entry.tariffs.items()))
    return Register(services=services, years=years)


def _text(value) -> str | None:
    return None if value is None else str(value)


def register_as_dict(register: Register) -> dict:
    """The JSON of the register: plain values only, amounts as strings with two decimals."""
    norms_by_service: dict[str, dict] = defaultdict(dict)
    for entry in register.years:
        for code, level in entry.norms.items():
            norms_by_service[code][entry.year] = level
    return {
        "title": "Open tarievenregister bedrijfsvoering Gemeente Leiden",
        "fingerprint_form": CANONICAL_FORM,
        "services": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "domain": s.domain.name,
                "unit": s.unit,
                "unit_code": s.unit_code,
                "is_basic": s.is_basic,
                "vat_category": s.vat_category,
                "description": s.description,
            }
            for s in register.services
        ],
        "years": [
            {
                "year": entry.year,
                "price_equality": entry.price_equality,
                "tariff_fingerprint_sha256": entry.fingerprint,
                "tariffs": [
                    {"service": code, "unit_price": f"{price:.2f}"} for code, price in entry.tariffs.items()
                ],
                "service_levels": [
                    {
                        "service": code,
                        "availability_percent": _text(level.availability_percent),
                        "response_hours": _text(level.response_hours),
                        "resolution_hours": _text(level.resolution_hours),
                        "target_share_percent": _text(level.target_share_percent),
                        "satisfaction_target": _text(level.satisfaction_target),
                        "service_hours": level.service_hours,
                    }
                    for code, level in sorted(entry.norms.items())
                ],
            }
            for entry in register.years
        ],
    }


CSV_COLUMNS = [
    "year",
    "service",
    "service_name",
    "domain",
    "unit",
    "unit_price",
    "availability_percent",
    "response_hours",
    "resolution_hours",
    "target_share_percent",
    "satisfaction_target",
    "price_equality",
    "tariff_fingerprint_sha256",
]


def register_rows(register: Register):
    """One CSV row per year and service that has a tariff or a norm in that year."""
    services = {s.code: s for s in register.services}
    for entry in register.years:
        digest = entry.fingerprint
        for code in sorted(set(entry.tariffs) | set(entry.norms)):
            service = services.get(code)
            level = entry.norms.get(code)
            price = entry.tariffs.get(code)
            yield [
                entry.year,
                code,
                service.name if service else "",
                service.domain.name if service else "",
                service.unit if service else "",
                f"{price:.2f}" if price is not None else "",
                _text(level.availability_percent) if level else "",
                _text(level.response_hours) if level else "",
                _text(level.resolution_hours) if level else "",
                _text(level.target_share_percent) if level else "",
                _text(level.satisfaction_target) if level else "",
                entry.price_equality or "",
                digest,
            ]
