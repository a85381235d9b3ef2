"""The catalogue pages: for every role, grouped by domain, with search, a year switch and a service page."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from services.portal import dashboard_panels
from services.services import lock_tariffs, set_tariff
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import ServiceDomainFactory, ServiceFactory, ServiceLevelFactory, TariffFactory, catalogue

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("services:catalogue")


def detail(code: str) -> str:
    return reverse("services:detail", kwargs={"code": code})


@pytest.fixture
def workstation():
    ict = ServiceDomainFactory(code="ict", name="ICT", name_en="ICT", order=1)
    service = ServiceFactory(
        code="ICT-01",
        name="Werkplekbeheer",
        name_en="Workstation management",
        domain=ict,
        unit="werkplek",
        unit_en="workstation",
        is_basic=True,
        description="Een beheerde werkplek.",
    )
    TariffFactory(service=service, year=2024, unit_price=Decimal("1538.45"))
    TariffFactory(service=service, year=2025, unit_price=Decimal("1606.14"))
    ServiceLevelFactory(service=service, year=2025, availability_percent=Decimal("99.60"))
    return service


@pytest.fixture
def legal_advice():
    legal = ServiceDomainFactory(code="juridische-zaken", name="Juridische zaken", name_en="Legal", order=7)
    service = ServiceFactory(
        code="JUR-01", name="Juridisch advies", domain=legal, unit="uur", unit_code="HUR"
    )
    TariffFactory(service=service, year=2024, unit_price=Decimal("122.02"))
    TariffFactory(service=service, year=2025, unit_price=Decimal("127.39"))
    return service


@pytest.mark.parametrize("role", [Role.CONTRACT_MANAGER, Role.FINANCE])
def test_every_customer_role_sees_the_catalogue(client, municipality, workstation, role):
    client.force_login(user_with_role(municipality, role))
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert "Werkplekbeheer" in response.content.decode()


@pytest.mark.parametrize("fixture", ["provider_staff", "provider_finance"])
def test_every_provider_role_sees_the_catalogue(client, request, workstation, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(CATALOGUE).status_code == 200


def test_a_user_without_a_role_gets_404(client, django_user_model, workstation):
    client.force_login(django_user_model.objects.create_user("zonder-rol", password="x"))
    assert client.get(CATALOGUE).status_code == 404
    assert client.get(detail("ICT-01")).status_code == 404


def test_the_catalogue_needs_a_login(client, workstation):
    response = client.get(CATALOGUE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_catalogue_groups_services_by_domain_in_domain_order(
    client, contract_manager, workstation, legal_advice
):
    client.force_login(contract_manager)
    groups = client.get(CATALOGUE, {"jaar": 2025}).context["groups"]
    assert [g["domain"].name for g in groups] == ["ICT", "Juridische zaken"]
    assert [s.code for s in groups[1]["services"]] == ["JUR-01"]


def test_the_catalogue_shows_the_prices_of_the_chosen_year(client, contract_manager, workstation):
    client.force_login(contract_manager)
    page_2024 = client.get(CATALOGUE, {"jaar": 2024}).content.decode()
    page_2025 = client.get(CATALOGUE, {"jaar": 2025}).content.decode()
    assert "€ 1.538,45" in page_2024
    assert "€ 1.606,14" not in page_2024
    assert "€ 1.606,14" in page_2025


def test_the_catalogue_marks_the_basic_package(client, contract_manager, workstation, legal_advice):
    client.force_login(contract_manager)
    response = client.get(CATALOGUE, {"jaar": 2025})
    assert response.context["basic_count"] == 1
    assert "Basispakket" in response.content.decode()


def test_search_finds_services_by_name_and_code(client, contract_manager, workstation, legal_advice):
    client.force_login(contract_manager)
    by_name = client.get(CATALOGUE, {"zoek": "juridisch", "jaar": 2025}).context
    by_code = client.get(CATALOGUE, {"zoek": "ict-01", "jaar": 2025}).context
    assert [s.code for g in by_name["groups"] for s in g["services"]] == ["JUR-01"]
    assert [s.code for g in by_code["groups"] for s in g["services"]] == ["ICT-01"]


def test_a_search_without_results_says_so(client, contract_manager, workstation):
    client.force_login(contract_manager)
    assert "Geen diensten gevonden" in client.get(CATALOGUE, {"zoek": "ruimtevaart"}).content.decode()


def test_the_domain_filter_shows_one_domain(client, contract_manager, workstation, legal_advice):
    client.force_login(contract_manager)
    groups = client.get(CATALOGUE, {"domein": "ict", "jaar": 2025}).context["groups"]
    assert [g["domain"].code for g in groups] == ["ict"]


def test_the_catalogue_is_english_on_request(client, contract_manager, workstation):
    client.force_login(contract_manager)
    client.cookies["django_language"] = "en"
    content = client.get(CATALOGUE, {"jaar": 2025}).content.decode()
    assert "Workstation management" in content


def test_demo_figures_are_marked_illustrative(client, provider, contract_manager, workstation):
    provider.identifiers_are_examples = True
    provider.save()
    client.force_login(contract_manager)
    assert "illustratief" in client.get(CATALOGUE).content.decode()
    assert "illustratief" in client.get(detail("ICT-01")).content.decode()


def test_real_figures_are_not_marked_illustrative(client, provider, contract_manager, workstation):
    provider.identifiers_are_examples = False
    provider.save()
    client.force_login(contract_manager)
    assert "illustratief" not in client.get(CATALOGUE).content.decode()


def test_the_service_page_shows_tariffs_over_the_years_and_service_levels(
    client, contract_manager, workstation
):
    client.force_login(contract_manager)
    response = client.get(detail("ICT-01"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "€ 1.538,45" in content
    assert "€ 1.606,14" in content
    assert "4,4%" in content  # 1538.45 -> 1606.14
    assert "99,6%" in content


def test_the_service_page_shows_a_locked_tariff_as_locked(client, contract_manager, workstation):
    lock_tariffs(tariff_ids=workstation.tariffs.values_list("pk", flat=True))
    client.force_login(contract_manager)
    assert "Vastgezet" in client.get(detail("ICT-01")).content.decode()


def test_the_service_page_shows_who_changed_a_tariff_and_how(
    client, contract_manager, provider_staff, workstation
):
    provider_staff.first_name, provider_staff.last_name = "Fleur", "de Vries"
    provider_staff.save()
    set_tariff(service=workstation, year=2025, unit_price="1610.00", by=provider_staff)
    client.force_login(contract_manager)
    history = client.get(detail("ICT-01")).context["history"]
    change = history[0]
    assert change.who == "Fleur de Vries"
    assert change.subject == "tarief 2025"
    assert [(c.old, c.new) for c in change.changes] == [("1606.14", "1610.00")]


def test_an_unknown_service_code_answers_404(client, contract_manager, workstation):
    client.force_login(contract_manager)
    assert client.get(detail("XXX-99")).status_code == 404
    assert client.get(detail("ict-01")).status_code == 200  # codes are matched case-insensitively


def test_the_dashboard_panel_counts_the_catalogue(rf, contract_manager, workstation, legal_advice):
    request = rf.get("/")
    request.user = contract_manager
    (panel,) = dashboard_panels(request)
    assert panel.context["services"] == 2
    assert panel.context["basic"] == 1
    html = render_to_string(panel.template, {"panel": panel.context})
    assert "Naar de dienstencatalogus" in html


def test_the_navigation_offers_the_catalogue(client, contract_manager, workstation):
    client.force_login(contract_manager)
    content = client.get(CATALOGUE).content.decode()
    assert f'href="{CATALOGUE}" aria-current="page">Dienstencatalogus' in content


def test_the_catalogue_page_uses_as_many_queries_for_300_services_as_for_30(
    client, contract_manager, django_assert_max_num_queries
):
    client.force_login(contract_manager)
    catalogue(30)
    with django_assert_max_num_queries(12) as small:
        assert client.get(CATALOGUE, {"jaar": 2025}).context["count"] == 30
    catalogue(270, start=30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(CATALOGUE, {"jaar": 2025}).context["count"] == 300


def test_the_service_page_uses_as_many_queries_with_a_long_history(
    client, contract_manager, provider_staff, workstation, django_assert_max_num_queries
):
    client.force_login(contract_manager)
    with django_assert_max_num_queries(20) as short:
        client.get(detail("ICT-01"))
    for cents in range(20):
        set_tariff(service=workstation, year=2025, unit_price=Decimal("1606.00") + cents, by=provider_staff)
    with django_assert_max_num_queries(len(short.captured_queries)):
        assert len(client.get(detail("ICT-01")).context["history"]) > 20
