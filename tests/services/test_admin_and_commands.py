"""Leiden's back office: the catalogue admin, its indexation action, and the index_tariffs command."""

import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from services.models import Tariff
from services.services import lock_tariffs

from .factories import ServiceFactory, TariffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, provider_staff):
    client.force_login(provider_staff)
    return client


@pytest.mark.parametrize("model", ["servicedomain", "service", "tariff", "servicelevel"])
def test_provider_staff_keep_the_catalogue_in_the_admin(admin_client, model):
    TariffFactory()
    assert admin_client.get(reverse(f"admin:services_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:services_{model}_add")).status_code == 200


def test_customer_roles_do_not_reach_the_admin(client, contract_manager):
    client.force_login(contract_manager)
    response = client.get(reverse("admin:services_tariff_changelist"))
    assert response.status_code == 302


def test_an_open_tariff_can_be_changed_in_the_admin_and_the_history_names_who(admin_client, provider_staff):
    tariff = TariffFactory(year=2025, unit_price=Decimal("100.00"))
    url = reverse("admin:services_tariff_change", args=[tariff.pk])
    response = admin_client.post(url, {"service": tariff.service_id, "year": 2025, "unit_price": "105,50"})
    assert response.status_code == 302
    tariff.refresh_from_db()
    assert tariff.unit_price == Decimal("105.50")
    assert tariff.history.first().history_user == provider_staff
    assert admin_client.get(reverse("admin:services_tariff_history", args=[tariff.pk])).status_code == 200


def test_a_locked_tariff_is_read_only_in_the_admin(admin_client):
    tariff = TariffFactory(year=2025, unit_price=Decimal("100.00"))
    lock_tariffs(tariff_ids=[tariff.pk])
    url = reverse("admin:services_tariff_change", args=[tariff.pk])
    page = admin_client.get(url)
    assert 'name="unit_price"' not in page.content.decode()
    assert page.status_code == 200
    post = admin_client.post(url, {"service": tariff.service_id, "year": 2025, "unit_price": "1.00"})
    assert post.status_code == 403
    tariff.refresh_from_db()
    assert tariff.unit_price == Decimal("100.00")
    assert admin_client.get(reverse("admin:services_tariff_delete", args=[tariff.pk])).status_code == 403


def test_a_bulk_delete_in_the_admin_that_includes_a_locked_tariff_deletes_nothing(admin_client):
    locked, open_ = TariffFactory(), TariffFactory()
    lock_tariffs(tariff_ids=[locked.pk])
    admin_client.post(
        reverse("admin:services_tariff_changelist"),
        {"action": "delete_selected", "_selected_action": [locked.pk, open_.pk], "post": "yes"},
    )
    assert set(Tariff.objects.all()) == {locked, open_}


def test_the_admin_action_asks_for_a_percentage_then_indexes_the_year(admin_client, provider_staff):
    tariffs = [TariffFactory(year=2025, unit_price=Decimal("1.00")), TariffFactory(year=2025)]
    changelist = reverse("admin:services_tariff_changelist")
    selected = [t.pk for t in tariffs]
    form = admin_client.post(changelist, {"action": "index_to_next_year", "_selected_action": selected})
    assert form.status_code == 200
    assert "Percentage" in form.content.decode()
    done = admin_client.post(
        changelist,
        {
            "action": "index_to_next_year",
            "_selected_action": selected,
            "apply": "1",
            "to_year": "2026",
            "percent": "0,5",
        },
    )
    assert done.status_code == 302
    prices = sorted(Tariff.objects.filter(year=2026).values_list("unit_price", flat=True))
    assert prices == [Decimal("1.01"), Decimal("100.50")]
    assert Tariff.objects.filter(year=2026).first().history.first().history_user == provider_staff


def test_the_admin_action_shows_the_refusal_when_the_year_has_tariffs(admin_client):
    base = TariffFactory(year=2025)
    TariffFactory(year=2026)
    response = admin_client.post(
        reverse("admin:services_tariff_changelist"),
        {
            "action": "index_to_next_year",
            "_selected_action": [base.pk],
            "apply": "1",
            "to_year": "2026",
            "percent": "3,1",
        },
    )
    assert response.status_code == 200
    assert "bestaan al tarieven" in response.content.decode()
    assert Tariff.objects.filter(year=2026).count() == 1


def test_the_admin_action_wants_tariffs_of_one_year(admin_client):
    tariffs = [TariffFactory(year=2024), TariffFactory(year=2025)]
    response = admin_client.post(
        reverse("admin:services_tariff_changelist"),
        {"action": "index_to_next_year", "_selected_action": [t.pk for t in tariffs]},
        follow=True,
    )
    assert "één jaar" in response.content.decode()


def test_the_service_admin_saves_through_the_service_layer_with_history(admin_client, provider_staff):
    service = ServiceFactory(code="ICT-01")
    url = reverse("admin:services_service_change", args=[service.pk])
    data = {
        "code": "ICT-01",
        "domain": service.domain_id,
        "name": "Werkplekbeheer",
        "name_en": "",
        "description": "",
        "description_en": "",
        "unit": "werkplek",
        "unit_en": "",
        "unit_code": "C62",
        "vat_category": "S",
        "taakveld": "0.4",
        "active_from": "2023-01-01",
        "tariffs-TOTAL_FORMS": "0",
        "tariffs-INITIAL_FORMS": "0",
        "service_levels-TOTAL_FORMS": "0",
        "service_levels-INITIAL_FORMS": "0",
    }
    assert admin_client.post(url, data).status_code == 302
    service.refresh_from_db()
    assert service.name == "Werkplekbeheer"
    assert service.history.first().history_user == provider_staff


def test_the_command_indexes_a_year():
    TariffFactory(year=2025, unit_price=Decimal("100.00"))
    out = StringIO()
    call_command("index_tariffs", "--from", "2025", "--to", "2026", "--percent", "3.1", stdout=out)
    assert Tariff.objects.get(year=2026).unit_price == Decimal("103.10")
    assert "1 tariffs for 2026 created from 2025 at 3.1%" in out.getvalue()


def test_the_command_refuses_a_year_that_has_tariffs_with_a_clear_error():
    TariffFactory(year=2025)
    TariffFactory(year=2026)
    with pytest.raises(CommandError, match="Voor 2026 bestaan al tarieven"):
        call_command("index_tariffs", "--from", "2025", "--to", "2026", "--percent", "3.1")


def test_the_command_refuses_an_empty_base_year():
    with pytest.raises(CommandError, match="geen tarieven voor 2025"):
        call_command("index_tariffs", "--from", "2025", "--to", "2026", "--percent", "3.1")


def test_the_command_exits_non_zero_on_a_bad_percentage():
    result = subprocess.run(
        [sys.executable, "manage.py", "index_tariffs", "--from", "2025", "--to", "2026", "--percent", "veel"],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "--percent" in result.stderr
    assert "veel" in result.stderr
