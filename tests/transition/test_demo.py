"""The demo: seed_demo generates a Servicepunt71 dataset and executes it; a second run changes nothing."""

import csv
import io
from datetime import date
from io import StringIO

from django.core.management import call_command

from agreements.models import Agreement, AgreementLine
from tenants.models import Organisation
from transition.generator import generate
from transition.models import Employee, Employment, SupplierContract, TransitionRun
from transition.reconciliation import reconcile


def counts() -> dict:
    return {
        "employees": Employee.objects.count(),
        "employments": Employment.objects.count(),
        "contracts": SupplierContract.objects.count(),
        "runs": TransitionRun.objects.count(),
        "agreements": Agreement.objects.count(),
        "lines": list(AgreementLine.objects.order_by("pk").values_list("pk", "volume")),
    }


def test_seed_demo_executes_the_transition_once_and_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    assert first["employees"] == 450
    assert first["contracts"] == 120
    run = TransitionRun.objects.get(status="executed")
    legacy = Organisation.objects.get(slug="servicepunt71")
    assert Agreement.objects.filter(provider=legacy, status="ended").count() == 4
    assert Agreement.objects.filter(predecessor__provider=legacy).count() == 4
    assert reconcile(run).is_complete
    assert not SupplierContract.objects.filter(end_date__lt=date(2023, 1, 1)).exists()
    assert set(SupplierContract.objects.values_list("holder__slug", flat=True)) == {"leiden"}
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "niets gewijzigd" in out.getvalue()
    assert counts() == first


def test_seed_demo_keeps_a_transition_executed_earlier_from_other_files(db):
    call_command("seed_demo", stdout=StringIO())
    # As if executed by an earlier generator, whose files differ from today's.
    TransitionRun.objects.filter(status="executed").update(contracts_checksum="0" * 64)
    first = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "already executed from other files" in out.getvalue()
    assert counts() == first


def test_every_generated_contract_runs_on_the_effective_date():
    for count in (120, 12_000):
        rows = list(
            csv.DictReader(io.StringIO(generate(staff=1, contracts=count).contracts.decode()), delimiter=";")
        )
        assert len(rows) == count
        ends = [date.fromisoformat(r["einddatum"]) for r in rows if r["einddatum"]]
        assert ends
        assert min(ends) >= date(2023, 1, 1)
        assert all(date.fromisoformat(r["startdatum"]) <= date(2022, 12, 31) for r in rows)


def test_the_generator_gives_the_same_bytes_for_the_same_seed():
    assert generate(staff=50, contracts=5) == generate(staff=50, contracts=5)
    assert generate(staff=50, contracts=5, seed=1) != generate(staff=50, contracts=5, seed=2)


def test_generated_fte_keeps_four_decimals_and_names_the_five_locations():
    staff = generate(staff=450).staff.decode()
    assert "0,8889" in staff
    for location in (
        "Tweelinghuis Leiden",
        "Stadhuis Leiden",
        "Gemeentehuis Leiderdorp",
        "Gemeentehuis Oegstgeest",
        "Gemeentehuis Zoeterwoude",
    ):
        assert location in staff
