"""The reconciliation: the source files against what the transition put in the portal, row by row.

The source side is the summary of the files stored with the executed run; the result side is read from
the database each time (a fixed number of aggregate queries, however many employees), so a later change
to a transferred record shows up as a deviation. Per row: the file (source), the Servicepunt71 side
(employments ended on 2022-12-31, the 2022 lines of the ended agreement) and the Leiden side
(employments from 2023-01-01, contracts held by Leiden, the 2023 lines of the successor), and a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import AgreementLine
from core.money import to_cents
from tenants.models import Organisation

from .models import EFFECTIVE_DATE, LAST_LEGACY_DAY, Employment, SupplierContract, TransitionRun

OK, DEVIATION = "ok", "deviation"
VERDICTS = {OK: gettext_lazy("klopt"), DEVIATION: gettext_lazy("afwijking")}
SECTIONS = {
    "total": gettext_lazy("Totaal"),
    "function": gettext_lazy("Functie"),
    "scale": gettext_lazy("Schaal"),
    "location": gettext_lazy("Standplaats"),
    "contracts": gettext_lazy("Leverancierscontracten"),
    "agreements": gettext_lazy("Regels overeenkomsten"),
}


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    source: Decimal
    legacy: Decimal | None
    result: Decimal

    @property
    def verdict(self) -> str:
        legacy_ok = self.legacy is None or self.legacy == self.source
        return OK if legacy_ok and self.result == self.source else DEVIATION

    @property
    def is_ok(self) -> bool:
        return self.verdict == OK

    @property
    def section_label(self) -> str:
        return str(SECTIONS[self.section])

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "key": self.key,
            "source": str(self.source),
            "legacy": None if self.legacy is None else str(self.legacy),
            "result": str(self.result),
            "verdict": self.verdict,
        }


@dataclass
class Reconciliation:
    run: TransitionRun
    rows: list[Row]

    @property
    def is_complete(self) -> bool:
        return all(row.is_ok for row in self.rows)

    @property
    def deviations(self) -> int:
        return sum(1 for row in self.rows if not row.is_ok)

    def sections(self) -> list[tuple[str, list[Row]]]:
        grouped: dict[str, list[Row]] = {}
        for row in self.rows:
            grouped.setdefault(row.section, []).append(row)
        return [(str(SECTIONS[name]), rows) for name, rows in grouped.items()]

    def as_json(self) -> dict:
        return {"is_complete": self.is_complete, "rows": [row.as_json() for row in self.rows]}


def _counts(queryset, field: str) -> dict[str, Decimal]:
    return {
        str(key): Decimal(count)
        for key, count in queryset.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    }


def _fte(total) -> Decimal:
    """An FTE sum to its four decimals (SQLite sums decimals as floats)."""
    return Decimal(str(total or 0)).quantize(Decimal("0.0001"))


def _money(total) -> Decimal:
    """A sum of amounts in cents, through the one money rounding (SQLite sums decimals as floats)."""
    return to_cents(str(total or 0))


def _rows(section: str, source: dict, legacy: dict, result: dict) -> list[Row]:
    keys = sorted(set(source) | set(legacy) | set(result), key=lambda k: (int(k) if k.isdigit() else 0, k))
    return [
        Row(
            section,
            key,
            Decimal(source.get(key, 0)),
            legacy.get(key, Decimal(0)),
            result.get(key, Decimal(0)),
        )
        for key in keys
    ]


def reconcile(run: TransitionRun) -> Reconciliation:
    """Compare the run's source with the portal's records now."""
    source = run.report.get("source") or {}
    out = Employment.objects.filter(
        transition_run=run, end_date=LAST_LEGACY_DAY, employer__kind=Organisation.Kind.LEGACY_PROVIDER
    )
    into = Employment.objects.filter(
        transition_run=run,
        start_date=EFFECTIVE_DATE,
        end_date__isnull=True,
        employer__kind=Organisation.Kind.PROVIDER,
    )
    out_total = out.aggregate(n=Count("pk"), fte=Sum("fte"))
    in_total = into.aggregate(n=Count("pk"), fte=Sum("fte"))
    rows = [
        Row(
            "total",
            _("medewerkers"),
            Decimal(source.get("staff", 0)),
            Decimal(out_total["n"]),
            Decimal(in_total["n"]),
        ),
        Row(
            "total",
            _("fte"),
            Decimal(source.get("fte", "0")),
            _fte(out_total["fte"]),
            _fte(in_total["fte"]),
        ),
    ]
    rows += _rows(
        "function", source.get("per_function", {}), _counts(out, "function"), _counts(into, "function")
    )
    rows += _rows(
        "scale", source.get("per_scale", {}), _counts(out, "salary_scale"), _counts(into, "salary_scale")
    )
    rows += _rows(
        "location",
        source.get("per_location", {}),
        _counts(out, "location__name"),
        _counts(into, "location__name"),
    )
    contracts = SupplierContract.objects.filter(
        transition_run=run, holder__kind=Organisation.Kind.PROVIDER
    ).aggregate(n=Count("pk"), value=Sum("annual_value"))
    rows.append(
        Row("contracts", _("aantal"), Decimal(source.get("contracts", 0)), None, Decimal(contracts["n"]))
    )
    rows.append(
        Row(
            "contracts",
            _("jaarwaarde (EUR)"),
            Decimal(source.get("contract_value", "0")),
            None,
            _money(contracts["value"]),
        )
    )
    rows += _agreement_rows(source.get("agreement_lines", []))
    return Reconciliation(run=run, rows=rows)


def _agreement_rows(lines: list[dict]) -> list[Row]:
    legacy = {
        (customer, code): volume
        for customer, code, volume in AgreementLine.objects.filter(
            year=LAST_LEGACY_DAY.year,
            agreement__provider__kind=Organisation.Kind.LEGACY_PROVIDER,
            agreement__end_date=LAST_LEGACY_DAY,
        ).values_list("agreement__customer__name", "service__code", "volume")
    }
    carried = {
        (customer, code): volume
        for customer, code, volume in AgreementLine.objects.filter(
            year=EFFECTIVE_DATE.year,
            agreement__predecessor__provider__kind=Organisation.Kind.LEGACY_PROVIDER,
        ).values_list("agreement__customer__name", "service__code", "volume")
    }
    rows = []
    for line in lines:
        key = (line["customer"], line["service"])
        rows.append(
            Row(
                "agreements",
                f"{line['customer']} · {line['service']}",
                Decimal(line["volume"]),
                legacy.get(key, Decimal(0)),
                carried.get(key, Decimal(0)),
            )
        )
    return rows
