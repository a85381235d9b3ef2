"""A deterministic Servicepunt71 dataset in the CSV formats of DESIGN.md, for the demo and the benchmark.

Same seed, same bytes: the demo relies on that to be idempotent (the same files again change nothing).
Every contract is still running on the effective date (2023-01-01): the validation refuses the others.
Names, functions and suppliers are realistic but invented; supplier identifiers are examples.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .models import EFFECTIVE_DATE

DEMO_LOCATIONS = (
    "Tweelinghuis Leiden",
    "Stadhuis Leiden",
    "Gemeentehuis Leiderdorp",
    "Gemeentehuis Oegstgeest",
    "Gemeentehuis Zoeterwoude",
)
# Most of Servicepunt71 worked from the Tweelinghuis.
LOCATION_WEIGHTS = (70, 10, 7, 7, 6)

FIRST_NAMES = [
    "Anna",
    "Bram",
    "Daan",
    "Emma",
    "Eva",
    "Femke",
    "Fleur",
    "Floor",
    "Gijs",
    "Hanna",
    "Ilse",
    "Iris",
    "Jan",
    "Jasper",
    "Jeroen",
    "Joost",
    "Julia",
    "Kees",
    "Lars",
    "Lieke",
    "Lisa",
    "Loes",
    "Luuk",
    "Maarten",
    "Marieke",
    "Mark",
    "Marloes",
    "Martijn",
    "Meike",
    "Merel",
    "Mohammed",
    "Noor",
    "Nina",
    "Pieter",
    "Priya",
    "Rik",
    "Robin",
    "Roos",
    "Ruben",
    "Sanne",
    "Sarah",
    "Sem",
    "Sofie",
    "Stijn",
    "Thijs",
    "Tim",
    "Tom",
    "Vera",
    "Wouter",
    "Yara",
    "Yusuf",
    "Zeynep",
    "Bas",
    "Annelies",
    "Carla",
    "Dennis",
    "Esther",
    "Frank",
    "Gerda",
    "Hans",
    "Ingrid",
    "Karin",
    "Linda",
    "Monique",
    "Niels",
    "Paul",
    "Rob",
    "Sandra",
    "Wim",
]
PREFIXES = ("", "", "", "", "", "van", "de", "van der", "van den", "van de", "den", "ter", "in 't")
LAST_NAMES = [
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Brouwer",
    "Dijkstra",
    "Kok",
    "Jacobs",
    "Vermeulen",
    "Willems",
    "Hoekstra",
    "Koster",
    "Prins",
    "Huisman",
    "Kuipers",
    "Schouten",
    "Veenstra",
    "Boer",
    "Wit",
    "Dam",
    "Leeuwen",
    "Berg",
    "Bakker",
    "Groot",
    "Vliet",
    "Veen",
    "Haan",
    "Graaf",
    "Wal",
    "Zanden",
    "Heuvel",
    "Linden",
    "Noort",
    "Ouwehand",
    "Rijn",
    "Zwetsloot",
    "Kromhout",
    "Zandvliet",
    "Warmond",
    "Hazelaar",
    "Oudshoorn",
    "Stompwijk",
    "Tol",
    "Verhoef",
    "Yilmaz",
    "Kaya",
    "El",
    "Amrani",
    "Boukhari",
    "Nguyen",
    "Pinas",
]

# Function, department, lowest and highest scale, relative frequency.
FUNCTIONS = (
    ("Servicedeskmedewerker", "ICT", 5, 7, 30),
    ("Applicatiebeheerder", "ICT", 8, 10, 28),
    ("Technisch beheerder", "ICT", 8, 10, 22),
    ("Informatieadviseur", "ICT", 10, 11, 10),
    ("Security officer", "ICT", 11, 12, 3),
    ("Architect", "ICT", 12, 13, 3),
    ("Adviseur P&O", "HRM", 9, 11, 18),
    ("Salarisadministrateur", "HRM", 7, 8, 14),
    ("Medewerker personeelsadministratie", "HRM", 6, 7, 12),
    ("Arbo- en verzuimadviseur", "HRM", 9, 10, 5),
    ("Financieel adviseur", "Financiën", 10, 11, 18),
    ("Medewerker crediteurenadministratie", "Financiën", 6, 7, 16),
    ("Medewerker debiteurenadministratie", "Financiën", 6, 7, 10),
    ("Controller", "Financiën", 11, 12, 6),
    ("Inkoopadviseur", "Inkoop", 9, 11, 14),
    ("Contractmanager", "Inkoop", 10, 11, 8),
    ("Documentair informatieverzorger", "Informatiebeheer", 6, 8, 22),
    ("Adviseur informatiebeheer", "Informatiebeheer", 9, 10, 8),
    ("Facilitair medewerker", "Facilitaire zaken", 4, 6, 20),
    ("Receptionist", "Facilitaire zaken", 4, 5, 10),
    ("Bode", "Facilitaire zaken", 4, 5, 6),
    ("Juridisch adviseur", "Juridische zaken", 10, 11, 7),
    ("Teamleider", "Directie", 11, 12, 12),
    ("Afdelingshoofd", "Directie", 13, 14, 5),
    ("Directiesecretaris", "Directie", 8, 9, 3),
)
# Weekly hours of a 36-hour week; FTE with four decimals (32 of 36 is 0,8889).
HOURS = (36, 36, 36, 36, 32, 32, 28, 24, 20, 16, 34)

SUPPLIER_PARTS = [
    "Rijnland",
    "Sleutelstad",
    "Lugdunum",
    "Groenhart",
    "Holland",
    "Delta",
    "Polder",
    "Vliet",
    "Zijl",
    "Morsch",
    "Marewijk",
    "Stevens",
    "Hoogland",
    "Haagweg",
    "Oude",
    "Rijn",
    "Duin",
    "Bollenstreek",
    "Zoeterwoude",
    "Singel",
    "Veste",
]
SUPPLIER_KINDS = (
    ("ICT Diensten B.V.", "Beheer en ondersteuning werkplekken"),
    ("Software B.V.", "Licenties en onderhoud applicatie"),
    ("Netwerken B.V.", "Datacommunicatie en glasvezelverbindingen"),
    ("Schoonmaak B.V.", "Schoonmaakonderhoud kantoorgebouwen"),
    ("Catering B.V.", "Bedrijfsrestaurant en vergaderservice"),
    ("Print & Document B.V.", "Multifunctionals en printdiensten"),
    ("Advies B.V.", "Inhuur en advies bedrijfsvoering"),
    ("Beveiliging B.V.", "Bewaking en toegangsbeheer"),
    ("Facilitair B.V.", "Onderhoud installaties en gebouwbeheer"),
    ("Archief B.V.", "Opslag en digitalisering archieven"),
    ("Salarisdiensten B.V.", "Salarisverwerking en HR-systeem"),
    ("Telecom B.V.", "Mobiele telefonie en vaste lijnen"),
)


@dataclass(frozen=True)
class Dataset:
    staff: bytes
    contracts: bytes
    agreements: bytes


def _csv(header: list[str], rows: list[list[str]], *, delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _fte(hours: int) -> str:
    return str((Decimal(hours) / Decimal(36)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)).replace(
        ".", ","
    )


def staff_csv(count: int, *, seed: int = 71) -> bytes:
    rng = random.Random(seed)
    functions = [f for f in FUNCTIONS for _ in range(f[4])]
    rows = []
    first_day = date(1985, 1, 1)
    span = (date(2022, 11, 1) - first_day).days
    for n in range(1, count + 1):
        function, department, low, high, _weight = rng.choice(functions)
        location = rng.choices(DEMO_LOCATIONS, weights=LOCATION_WEIGHTS)[0]
        since = first_day + timedelta(days=rng.randrange(span))
        rows.append(
            [
                f"SP71-{n:06d}",
                rng.choice(FIRST_NAMES),
                rng.choice(PREFIXES),
                rng.choice(LAST_NAMES),
                function,
                str(rng.randint(low, high)),
                _fte(rng.choice(HOURS)),
                location,
                department,
                since.strftime("%d-%m-%Y"),
            ]
        )
    header = [
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
    ]
    return _csv(header, rows)


def _end_date(start: date, rng: random.Random) -> date:
    """A term of whole years (two to six, longer where an older contract was extended) that still runs
    on the effective date: a contract that ended before it has nothing to pass to Leiden."""
    shortest = 2
    while date(start.year + shortest, start.month, 1) <= EFFECTIVE_DATE:
        shortest += 1
    years = rng.randint(shortest, shortest + 4)
    return date(start.year + years, start.month, 1) - timedelta(days=1)


def contracts_csv(count: int, *, seed: int = 71, annual_total: Decimal | None = None) -> bytes:
    """``count`` supplier contracts, each started before and still running on the effective date.

    Yearly values run from a few thousand euros to about eighty thousand, most of them small; with
    ``annual_total`` they are scaled to add up to about that (the demo keeps the contracts in proportion
    to the agreements' revenue)."""
    rng = random.Random(seed * 7 + 1)
    drawn = []
    for n in range(1, count + 1):
        start = date(rng.randint(2016, 2022), rng.choice((1, 4, 7, 10)), 1)
        end = None if rng.random() < 0.25 else _end_date(start, rng)
        weight = Decimal(int(2_000 + 78_000 * rng.random() ** 2)) + Decimal(rng.randint(0, 99)) / 100
        drawn.append((n, start, end, weight))
    scale = Decimal(1)
    if annual_total is not None and drawn:
        scale = Decimal(annual_total) / sum(weight for *_rest, weight in drawn)
    rows = []
    for n, start, end, weight in drawn:
        kind, description = SUPPLIER_KINDS[n % len(SUPPLIER_KINDS)]
        supplier = f"{SUPPLIER_PARTS[(n * 7) % len(SUPPLIER_PARTS)]} {kind}"
        value = (weight * scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        rows.append(
            [
                f"SP71-C-{n:04d}",
                supplier,
                f"9{n:07d}",  # example KvK numbers (9xxxxxxx), not real registrations
                f"{description} (voorbeeld)",
                start.isoformat(),
                end.isoformat() if end else "",
                f"{value:.2f}",
            ]
        )
    return _csv(
        ["contractnummer", "leverancier", "kvk", "omschrijving", "startdatum", "einddatum", "jaarwaarde"],
        rows,
    )


def agreements_csv(lines: list[tuple[str, str, Decimal]]) -> bytes:
    """``lines`` of (municipality name or CBS code, service code, volume), written in a stable order."""
    rows = [
        [customer, code, format(Decimal(volume).normalize(), "f")] for customer, code, volume in sorted(lines)
    ]
    return _csv(["gemeente", "dienstcode", "volume"], rows)


def generate(
    *,
    staff: int = 450,
    contracts: int = 120,
    agreement_lines=(),
    seed: int = 71,
    contracts_total: Decimal | None = None,
) -> Dataset:
    return Dataset(
        staff=staff_csv(staff, seed=seed),
        contracts=contracts_csv(contracts, seed=seed, annual_total=contracts_total),
        agreements=agreements_csv(list(agreement_lines)),
    )
