"""The measurement file: every bad row reported with its row, all or nothing, re-import of a month."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.csvinput import CsvProblems
from quality.models import Kpi, Measurement
from quality.services.measurements import import_measurements

from .factories import quality_world

pytestmark = pytest.mark.django_db
HEADER = "gemeente;dienstcode;maand;kpi;waarde\n"
TODAY = date(2025, 6, 15)


def _import(text: str, **kwargs):
    return import_measurements(source=text.encode("utf-8"), name="metingen.csv", today=TODAY, **kwargs)


def _problems(text: str) -> list[str]:
    with pytest.raises(CsvProblems) as exc:
        _import(text)
    return [str(p) for p in exc.value.problems]


def test_a_good_file_with_bom_commas_and_decimal_commas_is_imported():
    world = quality_world()
    text = '\ufeffGemeente , Dienstcode,Maand,KPI,Waarde\nAlfa,ict-01,2025-03,beschikbaarheid,"99,80"\n9002,ICT-01,2025-03,Meldingen,120\n'
    result = _import(text)
    assert result.created == 2
    assert Measurement.objects.get(customer=world.alfa).value == Decimal("99.80")
    assert Measurement.objects.get(customer=world.bravo, kpi=Kpi.CALLS).value == Decimal("120")


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_imported():
    quality_world()
    rows = [
        "Alfa;ICT-01;2025-01;beschikbaarheid;99,9",  # 2: fine
        "Atlantis;ICT-01;2025-01;beschikbaarheid;99",  # 3
        "Alfa;XYZ-99;2025-01;beschikbaarheid;99",  # 4
        "Alfa;ICT-01;2025-13;beschikbaarheid;99",  # 5
        "Alfa;ICT-01;2022-12;beschikbaarheid;99",  # 6
        "Alfa;ICT-01;2025-07;beschikbaarheid;99",  # 7
        "Alfa;ICT-01;2025-01;snelheid;99",  # 8
        "Alfa;ICT-01;2025-02;beschikbaarheid;100,5",  # 9
        "Alfa;ICT-01;2025-02;tevredenheid;0,5",  # 10
        "Alfa;ICT-01;2025-02;meldingen;12,5",  # 11
        "Alfa;ICT-01;2025-03;meldingen;123456789",  # 12
        "Alfa;ICT-01;2025-02;reactie_binnen_norm;-1",  # 13
        "Alfa;ICT-01;2025-02;oplossing_binnen_norm;95,123",  # 14
        "Alfa;ICT-01;2025-02;oplossing_binnen_norm;veel",  # 15
        "Alfa;ICT-01;2025-01;beschikbaarheid;99,8",  # 16: duplicate of row 2
        "Al\x07fa;ICT-01;2025-04;meldingen;1",  # 17
        "Alfa;;2025-04;meldingen;",  # 18
    ]
    problems = _problems(HEADER + "\n".join(rows) + "\n")
    assert problems == [
        "metingen.csv:3: gemeente: 'Atlantis' is geen bekende gemeente (naam of CBS-code)",
        "metingen.csv:4: dienstcode: 'XYZ-99' staat niet in de catalogus",
        "metingen.csv:5: maand: '2025-13' is geen maand (gebruik 2025-03)",
        "metingen.csv:6: maand: 2022-12 ligt vóór 2023-01: Leiden levert de diensten sinds 1 januari 2023",
        "metingen.csv:7: maand: 2025-07 ligt in de toekomst",
        "metingen.csv:8: kpi: 'snelheid' is geen kpi (kies uit beschikbaarheid, reactie_binnen_norm, "
        "oplossing_binnen_norm, tevredenheid, meldingen)",
        "metingen.csv:9: waarde: '100.5' is geen percentage van 0 tot en met 100",
        "metingen.csv:10: waarde: '0.5' is geen cijfer van 1 tot en met 10",
        "metingen.csv:11: waarde: '12.5' is geen geheel aantal meldingen",
        "metingen.csv:12: waarde: '123456789' ligt niet tussen 0 en 9999999",
        "metingen.csv:13: waarde: '-1' moet minstens 0 zijn",
        "metingen.csv:14: waarde: '95,123' heeft meer dan 2 decimalen",
        "metingen.csv:15: waarde: 'veel' is geen getal (gebruik 0,8 of 0.8)",
        "metingen.csv:16: kpi: 'beschikbaarheid' van ICT-01 in 2025-01 staat al op rij 2",
        "metingen.csv:17: gemeente: bevat een stuurteken",
        "metingen.csv:18: dienstcode: is leeg",
        "metingen.csv:18: waarde: is leeg",
    ]
    assert not Measurement.objects.exists()


def test_a_file_without_data_rows_is_refused():
    quality_world()
    assert _problems(HEADER) == ["metingen.csv:1: -: geen gegevensregels"]
    assert _problems(HEADER + ";;;;\n") == ["metingen.csv:1: -: geen gegevensregels"]


def test_a_missing_column_is_reported_on_the_header():
    quality_world()
    assert _problems("gemeente;dienstcode;maand;waarde\nAlfa;ICT-01;2025-01;1\n") == [
        "metingen.csv:1: kpi: kolom ontbreekt"
    ]


def test_reimporting_a_month_replaces_its_values_with_history():
    world = quality_world()
    _import(
        HEADER
        + "Alfa;ICT-01;2025-03;beschikbaarheid;99,10\nAlfa;ICT-01;2025-03;meldingen;40\n"
        + "Alfa;ICT-01;2025-02;beschikbaarheid;99,90\n"
    )
    result = _import(HEADER + "Alfa;ICT-01;2025-03;beschikbaarheid;99,75\n")
    assert (result.created, result.updated, result.removed) == (0, 1, 1)
    values = dict(Measurement.objects.filter(customer=world.alfa).values_list("month", "value"))
    assert values == {date(2025, 3, 1): Decimal("99.75"), date(2025, 2, 1): Decimal("99.90")}
    changed = Measurement.objects.get(month=date(2025, 3, 1))
    assert [h.value for h in changed.history.order_by("history_date")] == [Decimal("99.10"), Decimal("99.75")]
    assert Measurement.history.filter(kpi=Kpi.CALLS, history_type="-").count() == 1
    assert _import(HEADER + "Alfa;ICT-01;2025-03;beschikbaarheid;99,75\n").unchanged == 1


def test_the_command_prints_every_problem_and_exits_non_zero(tmp_path, capsys):
    quality_world()
    bad = tmp_path / "metingen.csv"
    bad.write_text(HEADER + "Alfa;ICT-01;2023-01;tevredenheid;11\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_service_levels", str(bad))
    assert "metingen.csv:2: waarde: '11' is geen cijfer van 1 tot en met 10" in capsys.readouterr().err
    good = tmp_path / "goed.csv"
    good.write_text(HEADER + "Alfa;ICT-01;2023-01;tevredenheid;7,5\n", encoding="utf-8")
    call_command("import_service_levels", str(good))
    assert "1 new" in capsys.readouterr().out
    assert Measurement.objects.get().value == Decimal("7.50")
