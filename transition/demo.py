"""Demo transition for ``seed_demo``: a generated Servicepunt71 dataset, executed through the services.

The four legacy agreements carry, for 2022, the volumes that the seeded agreements with Leiden hold for
2023 (or typical volumes of the basic package where a municipality has none yet), so the reconciliation
shows every line carried. Every contract still runs on the effective date; together they are worth
about 40% of the agreements' yearly revenue. After the transition most suppliers consented to the
novation in the first half of 2023, a few refused and a few are still pending (recorded on those days).
The files are deterministic:
a second ``seed_demo`` offers the same files and the transition answers that nothing changed; a database
whose transition was executed from other files (an earlier generator) keeps it, untouched.
"""

from __future__ import annotations

import tempfile
import zlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from agreements.models import AgreementLine
from agreements.selectors.agreements import agreement_in_force
from services.demo import as_aware
from services.models import Service, Tariff
from tenants.models import Organisation

from .generator import generate
from .inputs import InputFile, TransitionFiles
from .models import EFFECTIVE_DATE, SupplierContract, TransitionRun
from .services.novation import record_novation
from .services.runs import execute_transition

DEMO_STAFF = 450
DEMO_CONTRACTS = 120
CUSTOMER_SLUGS = ("leiden", "leiderdorp", "oegstgeest", "zoeterwoude")
# Supplier contracts together: this share of the agreements' yearly revenue (the legacy volumes).
CONTRACT_SHARE = Decimal("0.4")
# Of every 100 contracts: consent given, refused; the rest still pending.
NOVATION_GIVEN, NOVATION_REFUSED = 88, 5


def _typical(service: Service, slug: str) -> Decimal:
    try:
        from services.demo import DEMO_INHABITANTS, typical_volume

        return typical_volume(service, DEMO_INHABITANTS.get(slug, 20_000))
    except (ImportError, KeyError, AttributeError):
        return Decimal(10)


def legacy_agreement_lines() -> list[tuple[str, str, Decimal]]:
    lines = []
    basic = list(Service.objects.filter(is_basic=True).order_by("code"))
    for customer in Organisation.objects.filter(slug__in=CUSTOMER_SLUGS).order_by("name"):
        current = agreement_in_force(customer=customer, on=EFFECTIVE_DATE)
        volumes = []
        if current is not None:
            volumes = list(
                AgreementLine.objects.filter(agreement=current, year=EFFECTIVE_DATE.year)
                .order_by("service__code")
                .values_list("service__code", "volume")
            )
        if not volumes:
            volumes = [(service.code, _typical(service, customer.slug)) for service in basic]
        lines += [(customer.cbs_code or customer.name, code, volume) for code, volume in volumes]
    return lines


def _revenue(lines: list[tuple[str, str, Decimal]]) -> Decimal:
    """What the legacy volumes cost a year at the first year's tariffs."""
    prices = dict(Tariff.objects.filter(year=EFFECTIVE_DATE.year).values_list("service__code", "unit_price"))
    return sum((Decimal(volume) * prices.get(code, Decimal(0)) for _c, code, volume in lines), Decimal(0))


def _seed_novations(log) -> int:
    """Consent given or refused for most contracts, on a working day in the first half of 2023;
    stable between seeds (a contract already decided is left alone)."""
    today = timezone.localdate()
    decided = 0
    pending = SupplierContract.objects.filter(
        novation_status=SupplierContract.Novation.PENDING, is_example=True
    ).order_by("number")
    for contract in pending:
        draw = zlib.crc32(f"novation|{contract.number}".encode()) % 100
        if draw >= NOVATION_GIVEN + NOVATION_REFUSED:
            continue
        on = EFFECTIVE_DATE + timedelta(days=10 + zlib.crc32(contract.number.encode()) % 170)
        while on.weekday() >= 5:
            on += timedelta(days=1)
        if on > today or on < contract.start_date:
            continue
        given = draw < NOVATION_GIVEN
        record_novation(
            contract=contract,
            status=SupplierContract.Novation.GIVEN if given else SupplierContract.Novation.REFUSED,
            on=on,
            note="" if given else "De leverancier wil een nieuw contract met de gemeente Leiden.",
            when=as_aware(on, 11),
        )
        decided += 1
    return decided


def seed(*, password: str, log=print) -> None:
    if not Organisation.objects.filter(kind=Organisation.Kind.LEGACY_PROVIDER).exists():
        log("transition: no Servicepunt71 organisation, skipped")
        return
    done = TransitionRun.objects.filter(status=TransitionRun.Status.EXECUTED).first()
    lines = legacy_agreement_lines()
    dataset = generate(
        staff=DEMO_STAFF,
        contracts=DEMO_CONTRACTS,
        agreement_lines=lines,
        contracts_total=(_revenue(lines) * CONTRACT_SHARE).quantize(Decimal(1)) or None,
    )
    with tempfile.TemporaryDirectory(prefix="servicepunt71-") as folder:
        paths = {}
        for name, data in (
            ("personeel.csv", dataset.staff),
            ("contracten.csv", dataset.contracts),
            ("overeenkomsten.csv", dataset.agreements),
        ):
            paths[name] = Path(folder) / name
            paths[name].write_bytes(data)
        files = TransitionFiles(
            InputFile.from_path(paths["personeel.csv"]),
            InputFile.from_path(paths["contracten.csv"]),
            InputFile.from_path(paths["overeenkomsten.csv"]),
        )
    if done is not None and done.checksums != files.checksums:
        # Executed earlier from other files (another catalogue, or an earlier generator): the
        # transition happens once, so it stays as it is; a new database gets the current files.
        log(f"transition: already executed from other files (run {done.pk}), kept")
        return
    outcome = execute_transition(files=files, is_example=True)
    log(f"transition: {outcome.message}")
    log(f"transition: {_seed_novations(log)} novations recorded")
