"""Invoices, billing runs and realised volumes in the one readable history: who, when, what changed."""

import pytest
from django.urls import reverse

from billing.models import Invoice, RealisedVolume
from billing.services.issuing import issue_invoice, mark_invoice_paid
from billing.services.runs import run_billing
from billing.services.settlement import import_realised_volumes
from core.history import save_with_history
from core.periods import Period
from tenants.roles import Role
from tests.factories import user_with_role
from tests.history_checks import assert_change_shows, assert_not_found

from .factories import billing_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = billing_world()
    world.staff = user_with_role(world.provider, Role.PROVIDER_STAFF, username="facturist")
    world.alfa_cm = user_with_role(world.alfa, Role.CONTRACT_MANAGER, username="cm.alfa")
    world.bravo_cm = user_with_role(world.bravo, Role.CONTRACT_MANAGER, username="cm.bravo")
    world.run = run_billing(period=Period(2024, quarter=1), by=world.staff)
    world.invoice = Invoice.objects.get(customer=world.alfa, billing_run=world.run)
    return world


def test_an_issued_and_paid_invoice_shows_in_its_history(client, world):
    invoice = issue_invoice(invoice=world.invoice, by=world.staff)
    mark_invoice_paid(invoice=invoice, by=world.staff)
    client.force_login(world.alfa_cm)
    assert_change_shows(
        client, "factuur", invoice.pk, by=world.staff, field="status", old="Verzonden", new="Betaald"
    )
    client.force_login(world.bravo_cm)
    assert_not_found(client, "factuur", invoice.pk)


def test_a_billing_run_shows_in_its_history_for_provider_roles_only(client, world):
    """The run records who started it; its steps (running, done) are the system's work."""
    client.force_login(world.staff)
    assert_change_shows(
        client, "facturatierun", world.run.pk, by="systeem", field="gestart door", old="–", new="facturist"
    )
    assert_change_shows(
        client, "facturatierun", world.run.pk, by="systeem", field="status", old="Bezig", new="Klaar"
    )
    for user in (world.alfa_cm, user_with_role(world.provider, Role.CONTRACT_MANAGER, username="cm.leiden")):
        client.force_login(user)
        assert_not_found(client, "facturatierun", world.run.pk)


def test_a_reimported_realised_volume_shows_in_its_history(client, world):
    for volume in ("10", "12,5"):
        import_realised_volumes(
            source=f"gemeente;dienstcode;volume\nAlfa;ICT-01;{volume}\n".encode(),
            year=2024,
            name="afname.csv",
            by=world.staff,
        )
    realised = RealisedVolume.objects.get(customer=world.alfa)
    client.force_login(world.alfa_cm)
    assert_change_shows(
        client,
        "gerealiseerde-afname",
        realised.pk,
        by=world.staff,
        field="gerealiseerde afname",
        old="10.0000",
        new="12.5000",
    )
    client.force_login(world.bravo_cm)
    assert_not_found(client, "gerealiseerde-afname", realised.pk)


@pytest.mark.parametrize("changes", [1, 40])
def test_the_invoice_history_keeps_its_query_count(client, world, django_assert_max_num_queries, changes):
    invoice = world.invoice
    for step in range(changes):
        invoice.note = f"Notitie {step}"
        save_with_history(invoice, by=world.staff)
    client.force_login(world.staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("history-factuur", args=[invoice.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:history-factuur", args=[invoice.pk])).status_code == 200
