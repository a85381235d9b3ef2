"""Factories and CSV builders for the transition tests."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import factory

from tests.factories import LegacyProviderFactory, LocationFactory, ProviderFactory
from transition.inputs import InputFile, TransitionFiles
from transition.models import Employee, Employment, SupplierContract, TransitionRun

STAFF_HEADER = [
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
CONTRACT_HEADER = [
    "contractnummer",
    "leverancier",
    "kvk",
    "omschrijving",
    "startdatum",
    "einddatum",
    "jaarwaarde",
]
AGREEMENT_HEADER = ["gemeente", "dienstcode", "volume"]


def csv_bytes(header, rows, *, delimiter: str = ";", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def staff_row(number: str = "SP71-0001", **overrides) -> list[str]:
    values = {
        "personeelsnummer": number,
        "voornaam": "Anna",
        "tussenvoegsel": "van der",
        "achternaam": "Berg",
        "functie": "Applicatiebeheerder",
        "schaal": "10",
        "fte": "0,8889",
        "standplaats": "Tweelinghuis Leiden",
        "afdeling": "ICT",
        "datum_in_dienst": "01-03-2015",
    }
    values.update(overrides)
    return [values[c] for c in STAFF_HEADER]


def contract_row(number: str = "SP71-C-001", **overrides) -> list[str]:
    values = {
        "contractnummer": number,
        "leverancier": "Rijnland ICT Diensten B.V.",
        "kvk": "90000001",
        "omschrijving": "Beheer werkplekken (voorbeeld)",
        "startdatum": "2020-01-01",
        "einddatum": "",
        "jaarwaarde": "125000.50",
    }
    values.update(overrides)
    return [values[c] for c in CONTRACT_HEADER]


DEFAULT_AGREEMENT_ROWS = [
    ["Gemeente Leiderdorp", "ICT-01", "310"],
    ["0547", "HRM-01", "280,5"],
    ["Oegstgeest", "ICT-01", "290"],
]


def transition_files(staff_rows=None, contract_rows=None, agreement_rows=None, **kwargs) -> TransitionFiles:
    staff_rows = [staff_row()] if staff_rows is None else staff_rows
    contract_rows = [contract_row()] if contract_rows is None else contract_rows
    # Every file needs data rows (an empty one is refused): by default the world's legacy agreements.
    agreement_rows = DEFAULT_AGREEMENT_ROWS if agreement_rows is None else agreement_rows
    return TransitionFiles(
        InputFile("personeel.csv", csv_bytes(STAFF_HEADER, staff_rows, **kwargs)),
        InputFile("contracten.csv", csv_bytes(CONTRACT_HEADER, contract_rows, **kwargs)),
        InputFile("overeenkomsten.csv", csv_bytes(AGREEMENT_HEADER, agreement_rows, **kwargs)),
    )


class TransitionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransitionRun

    mode = TransitionRun.Mode.EXECUTE
    status = TransitionRun.Status.EXECUTED
    staff_checksum = "a" * 64
    contracts_checksum = "b" * 64
    agreements_checksum = "c" * 64
    report = factory.LazyFunction(dict)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    personnel_number = factory.Sequence(lambda n: f"SP71-T{n:05d}")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    function = "Applicatiebeheerder"
    salary_scale = 10
    fte = Decimal("0.8889")
    location = factory.SubFactory(LocationFactory)
    department = "ICT"
    employed_since = date(2015, 3, 1)


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    employee = factory.SubFactory(EmployeeFactory)
    employer = factory.LazyFunction(ProviderFactory)
    start_date = date(2023, 1, 1)
    function = factory.SelfAttribute("employee.function")
    salary_scale = factory.SelfAttribute("employee.salary_scale")
    fte = factory.SelfAttribute("employee.fte")
    location = factory.SelfAttribute("employee.location")


class SupplierContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierContract

    number = factory.Sequence(lambda n: f"SP71-C-T{n:04d}")
    supplier = "Rijnland ICT Diensten B.V."
    kvk = "90000001"
    description = "Beheer werkplekken"
    start_date = date(2020, 1, 1)
    annual_value = Decimal("125000.00")
    holder = factory.LazyFunction(ProviderFactory)


__all__ = ["LegacyProviderFactory"]
