"""Demo transition for ``seed_demo``: a generated Servicepunt71 dataset, executed through the services.

The four legacy agreements carry, for 2022, the volumes that the seeded agreements with Leiden hold for
2023 (or typical volumes of the basic package where a municipality has none yet), so the reconciliation
shows every line carried. Every contract still runs on the effective date. The files are deterministic:
a second ``seed_demo`` offers the same files and the transition answers that nothing changed; a database
whose transition was executed from other files (an earlier generator) keeps it, untouched.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from agreements.models import AgreementLine
from agreements.selectors.agreements import agreement_in_force
from services.models import Service
from tenants.models import Organisation

from .generator import generate
from .inputs import InputFile, TransitionFiles
from .models import EFFECTIVE_DATE, TransitionRun
from .services.runs import execute_transition

DEMO_STAFF = 450
DEMO_CONTRACTS = 120
CUSTOMER_SLUGS = ("leiden", "leiderdorp", "oegstgeest", "zoeterwoude")


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


def seed(*, password: str, log=print) -> None:
    if not Organisation.objects.filter(kind=Organisation.Kind.LEGACY_PROVIDER).exists():
        log("transition: no Servicepunt71 organisation, skipped")
        return
    done = TransitionRun.objects.filter(status=TransitionRun.Status.EXECUTED).first()
    dataset = generate(staff=DEMO_STAFF, contracts=DEMO_CONTRACTS, agreement_lines=legacy_agreement_lines())
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
