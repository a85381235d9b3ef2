"""Reading and checking the three transition files (DESIGN.md, CSV formats) before anything is written.

Every problem in all three files is collected and reported as ``file:row: column: reason``; the caller
writes nothing unless the list is empty. Reading only needs the locations, the customers and the
catalogue's service codes, each read once.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import Q
from django.utils.translation import gettext as _

from agreements.models import AgreementLine
from agreements.selectors import basic_services_for_year
from core.csvinput import CsvProblems, CsvRow, Problem, read_csv
from services.models import Service
from tenants.models import Location, Organisation

from .models import EFFECTIVE_DATE, LAST_LEGACY_DAY, MAX_FTE, MAX_SCALE, MIN_SCALE, Employee, SupplierContract

STAFF_COLUMNS = (
    "personeelsnummer",
    "voornaam",
    "tussenvoegsel",
    "achternaam",
    "functie",
    "schaal",
    "fte",
    "standplaats",
    "afdeling",
    "datum_in_dienst",
)
CONTRACT_COLUMNS = (
    "contractnummer",
    "leverancier",
    "kvk",
    "omschrijving",
    "startdatum",
    "einddatum",
    "jaarwaarde",
)
AGREEMENT_COLUMNS = ("gemeente", "dienstcode", "volume")


@dataclass(frozen=True)
class InputFile:
    """One uploaded or named file: its name (for the problems) and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        path = Path(path)
        return cls(name=path.name, data=path.read_bytes())

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class TransitionFiles:
    staff: InputFile
    contracts: InputFile
    agreements: InputFile

    @property
    def checksums(self) -> tuple[str, str, str]:
        return (self.staff.checksum, self.contracts.checksum, self.agreements.checksum)


@dataclass(frozen=True)
class StaffRow:
    personnel_number: str
    first_name: str
    name_prefix: str
    last_name: str
    function: str
    salary_scale: int
    fte: Decimal
    location_id: int
    department: str
    employed_since: date


@dataclass(frozen=True)
class ContractRow:
    number: str
    supplier: str
    kvk: str
    description: str
    start_date: date
    end_date: date | None
    annual_value: Decimal


@dataclass(frozen=True)
class AgreementRow:
    customer_id: int
    service_id: int
    volume: Decimal


@dataclass
class TransitionInput:
    """The three files read and checked: typed rows and the lookups they were checked against."""

    staff: list[StaffRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    agreements: list[AgreementRow] = field(default_factory=list)
    locations: dict[int, str] = field(default_factory=dict)
    customers: dict[int, str] = field(default_factory=dict)
    services: dict[int, str] = field(default_factory=dict)

    def summary(self) -> dict:
        """The source side of the reconciliation, as JSON-ready values (decimals as strings)."""
        per_function: Counter = Counter()
        per_scale: Counter = Counter()
        per_location: Counter = Counter()
        fte = Decimal(0)
        for row in self.staff:
            per_function[row.function] += 1
            per_scale[str(row.salary_scale)] += 1
            per_location[self.locations[row.location_id]] += 1
            fte += row.fte
        lines = [
            {
                "customer": self.customers[a.customer_id],
                "service": self.services[a.service_id],
                "volume": str(a.volume),
            }
            for a in sorted(
                self.agreements, key=lambda a: (self.customers[a.customer_id], self.services[a.service_id])
            )
        ]
        return {
            "staff": len(self.staff),
            "fte": str(fte),
            "per_function": dict(sorted(per_function.items())),
            "per_scale": dict(sorted(per_scale.items(), key=lambda item: int(item[0]))),
            "per_location": dict(sorted(per_location.items())),
            "contracts": len(self.contracts),
            "contract_value": str(sum((c.annual_value for c in self.contracts), Decimal("0.00"))),
            "agreement_lines": lines,
            "customers": sorted({line["customer"] for line in lines}),
        }


def _lookups() -> tuple[dict[str, int], dict[str, int], dict[str, int], TransitionInput]:
    result = TransitionInput()
    locations = {}
    for pk, name in Location.objects.values_list("pk", "name"):
        locations[name.strip().lower()] = pk
        result.locations[pk] = name
    customers = {}
    for pk, name, cbs_code in Organisation.objects.filter(
        kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.PROVIDER]
    ).values_list("pk", "name", "cbs_code"):
        result.customers[pk] = name
        customers[name.strip().lower()] = pk
        short = name.removeprefix("Gemeente ").strip().lower()
        customers.setdefault(short, pk)
        if cbs_code:
            customers[cbs_code] = pk
    services = {}
    for pk, code in Service.objects.values_list("pk", "code"):
        services[code.upper()] = pk
        result.services[pk] = code
    return locations, customers, services, result


def _field(model, name: str):
    """The model field a column is written to: its limits are the column's limits."""
    return model._meta.get_field(name)


def _read(file: InputFile, columns) -> tuple[list[CsvRow], list[Problem]]:
    try:
        return list(read_csv(file.data, name=file.name, columns=columns)), []
    except CsvProblems as exc:
        return [], exc.problems


def _duplicate(row: CsvRow, column: str, value: str, seen: dict[str, int]) -> None:
    if value in seen:
        row.problem(
            column, _("'%(value)s' staat ook op regel %(row)d") % {"value": value, "row": seen[value]}
        )
    else:
        seen[value] = row.number


def _staff_row(row: CsvRow, locations: dict[str, int], seen: dict[str, int]) -> StaffRow | None:
    number = row.text("personeelsnummer", field=_field(Employee, "personnel_number"))
    if number:
        _duplicate(row, "personeelsnummer", number, seen)
    first_name = row.text("voornaam", field=_field(Employee, "first_name"))
    name_prefix = row.text("tussenvoegsel", required=False, field=_field(Employee, "name_prefix"))
    last_name = row.text("achternaam", field=_field(Employee, "last_name"))
    function = row.text("functie", field=_field(Employee, "function"))
    scale = row.integer("schaal")
    if scale is not None and not MIN_SCALE <= scale <= MAX_SCALE:
        row.problem(
            "schaal",
            _("%(scale)d ligt niet tussen %(min)d en %(max)d")
            % {"scale": scale, "min": MIN_SCALE, "max": MAX_SCALE},
        )
    fte = row.decimal("fte", field=_field(Employee, "fte"))
    if fte is not None and not Decimal(0) < fte <= MAX_FTE:
        row.problem("fte", _("%(fte)s ligt niet in (0, 1,2]: groter dan 0 en ten hoogste 1,2") % {"fte": fte})
    location_name = row.text("standplaats", max_length=200)
    location_id = locations.get(location_name.strip().lower()) if location_name else None
    if location_name and location_id is None:
        row.problem("standplaats", _("'%(name)s' is geen bekende locatie") % {"name": location_name})
    department = row.text("afdeling", required=False, field=_field(Employee, "department"))
    since = row.date("datum_in_dienst")
    if since is not None and since > LAST_LEGACY_DAY:
        row.problem(
            "datum_in_dienst",
            _("%(date)s ligt na 31-12-2022, de laatste dag van Servicepunt71")
            % {"date": since.strftime("%d-%m-%Y")},
        )
    if row.problems:
        return None
    return StaffRow(
        number, first_name, name_prefix, last_name, function, scale, fte, location_id, department, since
    )


def _kvk(row: CsvRow) -> str:
    kvk = row.text("kvk")
    if kvk and not (len(kvk) == 8 and kvk.isdigit()):
        row.problem("kvk", _("'%(kvk)s' is geen KvK-nummer van acht cijfers") % {"kvk": kvk})
    return kvk


def _contract_row(row: CsvRow, seen: dict[str, int]) -> ContractRow | None:
    number = row.text("contractnummer", field=_field(SupplierContract, "number"))
    if number:
        _duplicate(row, "contractnummer", number, seen)
    supplier = row.text("leverancier", field=_field(SupplierContract, "supplier"))
    kvk = _kvk(row)
    description = row.text("omschrijving", field=_field(SupplierContract, "description"))
    start = row.date("startdatum")
    end = row.date("einddatum", required=False)
    if start and end and end < start:
        row.problem("einddatum", _("%(end)s ligt voor de startdatum") % {"end": end.strftime("%d-%m-%Y")})
    elif end and end < EFFECTIVE_DATE:
        # The file lists the contracts that pass to Leiden; one that ended earlier has nothing to pass.
        row.problem(
            "einddatum",
            _("%(end)s liep af vóór %(day)s: niets over te dragen")
            % {"end": end.strftime("%d-%m-%Y"), "day": EFFECTIVE_DATE.strftime("%d-%m-%Y")},
        )
    value = row.decimal("jaarwaarde", field=_field(SupplierContract, "annual_value"))
    if value is not None and value < 0:
        row.problem("jaarwaarde", _("%(value)s is negatief") % {"value": value})
    if row.problems:
        return None
    return ContractRow(number, supplier, kvk, description, start, end, value)


def _agreement_row(
    row: CsvRow, customers: dict[str, int], services: dict[str, int], seen: dict[str, int]
) -> AgreementRow | None:
    customer_name = row.text("gemeente", max_length=200)
    customer_id = customers.get(customer_name.strip().lower()) if customer_name else None
    if customer_name and customer_id is None:
        row.problem(
            "gemeente", _("'%(name)s' is geen bekende gemeente (naam of CBS-code)") % {"name": customer_name}
        )
    code = row.text("dienstcode", max_length=50)
    service_id = services.get(code.strip().upper()) if code else None
    if code and service_id is None:
        row.problem("dienstcode", _("'%(code)s' staat niet in de catalogus") % {"code": code})
    volume = row.decimal("volume", field=_field(AgreementLine, "volume"))
    if volume is not None and volume < 0:
        row.problem("volume", _("%(volume)s is negatief") % {"volume": volume})
    if customer_id and service_id:
        _duplicate(row, "dienstcode", f"{code.strip().upper()}", seen.setdefault(customer_id, {}))
    if row.problems:
        return None
    return AgreementRow(customer_id, service_id, volume)


def read_transition_files(files: TransitionFiles) -> TransitionInput:
    """Read and check all three files; raises :class:`CsvProblems` with every problem found."""
    locations, customers, services, result = _lookups()
    problems: list[Problem] = []

    staff_rows, file_problems = _read(files.staff, STAFF_COLUMNS)
    problems += file_problems
    seen: dict = {}
    for row in staff_rows:
        parsed = _staff_row(row, locations, seen)
        problems += row.problems
        if parsed:
            result.staff.append(parsed)

    contract_rows, file_problems = _read(files.contracts, CONTRACT_COLUMNS)
    problems += file_problems
    seen = {}
    for row in contract_rows:
        parsed = _contract_row(row, seen)
        problems += row.problems
        if parsed:
            result.contracts.append(parsed)

    agreement_rows, file_problems = _read(files.agreements, AGREEMENT_COLUMNS)
    problems += file_problems
    seen = defaultdict(dict)
    for row in agreement_rows:
        parsed = _agreement_row(row, customers, services, seen)
        problems += row.problems
        if parsed:
            result.agreements.append(parsed)

    problems += _missing_basic_package(agreement_rows, result)
    if problems:
        raise CsvProblems(problems)
    return result


def _missing_basic_package(rows: list[CsvRow], data: TransitionInput) -> list[Problem]:
    """Each municipality's 2023 agreement with Leiden must hold the basic package once the lines are
    carried: the file's lines plus, where an agreement with Leiden exists, the lines it already has."""
    basic = {s.pk: s.code for s in basic_services_for_year(EFFECTIVE_DATE.year)}
    if not basic or not data.agreements:
        return []
    present: dict[int, set[int]] = defaultdict(set)
    for line in data.agreements:
        present[line.customer_id].add(line.service_id)
    existing = (
        AgreementLine.objects.filter(
            year=EFFECTIVE_DATE.year,
            agreement__customer_id__in=present,
            agreement__provider__kind=Organisation.Kind.PROVIDER,
            agreement__status__in=["active", "ended"],
            agreement__start_date__lte=EFFECTIVE_DATE,
        )
        .filter(Q(agreement__end_date__isnull=True) | Q(agreement__end_date__gte=EFFECTIVE_DATE))
        .values_list("agreement__customer_id", "service_id")
    )
    for customer_id, service_id in existing:
        present[customer_id].add(service_id)
    first_row = {}
    for row, line in zip((r for r in rows if not r.problems), data.agreements, strict=False):
        first_row.setdefault(line.customer_id, row)
    problems = []
    for customer_id, services in present.items():
        missing = sorted(code for pk, code in basic.items() if pk not in services)
        if missing:
            row = first_row[customer_id]
            problems.append(
                Problem(
                    row.file,
                    row.number,
                    "dienstcode",
                    _("het basispakket 2023 van %(customer)s mist %(codes)s")
                    % {"customer": data.customers[customer_id], "codes": ", ".join(missing)},
                )
            )
    return problems
