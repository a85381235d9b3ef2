"""The catalogue's audited models in the one readable history: who, when, from what to what, why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from services.services import save_service, set_tariff

from .factories import ServiceFactory, TariffFactory

pytestmark = pytest.mark.django_db


def test_a_tariff_change_shows_in_its_history_with_user_time_old_and_new_value(
    client, contract_manager, provider_staff
):
    tariff = TariffFactory(year=2025, unit_price=Decimal("100.00"))
    set_tariff(service=tariff.service, year=2025, unit_price="105.50", by=provider_staff)
    client.force_login(contract_manager)
    entries = client.get(reverse("history-tarief", args=[tariff.pk])).context["entries"]
    latest = entries[0]
    assert latest.who == provider_staff.get_full_name() or provider_staff.get_username()
    assert latest.when is not None
    assert [(c.old, c.new) for c in latest.changes] == [("100.00", "105.50")]


def test_a_service_change_shows_in_its_history_page_and_api(client, contract_manager, provider_staff):
    service = ServiceFactory(code="ICT-77", name="Werkplekbeheer")
    service.name = "Werkplekbeheer en printen"
    save_service(service=service, by=provider_staff)
    client.force_login(contract_manager)
    page = client.get(reverse("history-dienst", args=[service.pk])).content.decode()
    assert "Werkplekbeheer → Werkplekbeheer en printen" in page
    answer = client.get(reverse("api:history-dienst", args=[service.pk])).json()
    change = answer[0]
    assert change["who"] == (provider_staff.get_full_name() or provider_staff.get_username())
    assert change["when"]
    assert {"field": "naam", "old": "Werkplekbeheer", "new": "Werkplekbeheer en printen"} in change["changes"]


def test_the_history_of_an_unknown_object_answers_404(client, contract_manager):
    client.force_login(contract_manager)
    assert client.get(reverse("history-dienst", args=[999999])).status_code == 404
    assert client.get(reverse("api:history-dienst", args=[999999])).status_code == 404
