from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import ChangeRequest
from agreements.services.change_requests import approve_change_request, submit_change_request
from tenants.roles import Role
from tests.factories import OrganisationFactory, pdf_bytes, user_with_role
from tests.services.factories import ServiceFactory, TariffFactory

from .factories import AgreementFactory, AgreementLineFactory, ChangeRequestFactory


@pytest.fixture
def manager(agreement):
    return user_with_role(agreement.customer, Role.CONTRACT_MANAGER)


@pytest.fixture
def staff(provider):
    return user_with_role(provider, Role.PROVIDER_STAFF)


def test_my_agreement_leads_a_contract_manager_to_the_agreement_in_force(client, agreement, manager):
    client.force_login(manager)
    response = client.get(reverse("agreements:mine"))
    assert response.url == reverse("agreements:detail", args=[agreement.pk])


def test_the_agreement_page_shows_lines_costs_totals_and_next_years_forecast(client, agreement, manager):
    client.force_login(manager)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    # 2026: 100 workstations at 1.050,00 and 20 participants at 210,00.
    assert "€ 105.000,00" in page
    assert "€ 4.200,00" in page
    assert "€ 109.200,00" in page
    # Forecast 2027 at 2027's tariffs: 100 x 1.100,00 + 20 x 220,00.
    assert "Prognose 2027" in page
    assert "€ 114.400,00" in page
    assert "Einde transitiefase" in page
    assert "Uiterste opzegdatum" in page
    assert "Wijziging aanvragen" in page


def test_finance_sees_the_agreement_but_may_not_request_a_change(client, agreement):
    finance = user_with_role(agreement.customer, Role.FINANCE)
    client.force_login(finance)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Wijziging aanvragen" not in page
    assert client.get(reverse("agreements:change-request-create", args=[agreement.pk])).status_code == 404


def test_the_change_request_form_answers_in_dutch_next_to_the_field(
    client, agreement, manager, basic_service
):
    client.force_login(manager)
    url = reverse("agreements:change-request-create", args=[agreement.pk])
    response = client.post(
        url, {"kind": "drop", "service": basic_service.pk, "effective_from": "15-05-2026", "volume": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Controleer het formulier" in page
    assert "Een dienst uit het basispakket kan niet worden beëindigd." in page
    assert "eerste dag van een kwartaal" in page
    assert 'aria-invalid="true"' in page
    response = client.post(url, {"kind": "change_volume", "service": "", "effective_from": "morgen"})
    page = response.content.decode()
    assert "Vul dit veld in." in page
    assert "Vul een geldige datum in" in page


def test_a_contract_manager_submits_a_request_and_sees_it_in_my_requests(
    client, agreement, manager, optional_service
):
    client.force_login(manager)
    data = {
        "kind": "change_volume",
        "service": optional_service.pk,
        "volume": "25,5",
        "effective_from": "2027-01-01",
        "motivation": "Meer opleidingen",
    }
    url = reverse("agreements:change-request-create", args=[agreement.pk])
    assert "Bevestigen" in client.post(url, data).content.decode()
    assert not ChangeRequest.objects.exists()
    response = client.post(url, {**data, "confirm": "1"})
    request = ChangeRequest.objects.get()
    assert response.url == reverse("agreements:change-request-detail", args=[request.pk])
    assert request.volume == Decimal("25.5")
    assert request.submitted_by == manager
    page = client.get(reverse("agreements:change-requests")).content.decode()
    assert "Ingediend" in page
    assert "HRM-03" in page


def test_provider_staff_approve_from_the_queue_and_the_history_names_the_request(
    client, agreement, manager, staff, optional_service
):
    request = submit_change_request(
        agreement=agreement,
        kind="change_volume",
        service=optional_service,
        volume=Decimal("30"),
        effective_from=date(2027, 1, 1),
        by=manager,
    )
    client.force_login(staff)
    queue = client.get(reverse("agreements:queue")).content.decode()
    assert f"Verzoek {request.pk} van Gemeente Alfa" in queue
    response = client.post(
        reverse("agreements:change-request-decide", args=[request.pk]),
        {"decision": "approve", "reason": "Akkoord", "next": reverse("agreements:queue")},
    )
    assert response.url == reverse("agreements:queue")
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED
    client.force_login(manager)
    history = client.get(reverse("agreements:history", args=[agreement.pk])).content.decode()
    assert f"Wijzigingsverzoek {request.pk}" in history


def test_a_decision_without_reason_is_refused_with_a_message(
    client, agreement, manager, staff, optional_service
):
    request = ChangeRequestFactory(agreement=agreement, service=optional_service, submitted_by=manager)
    client.force_login(staff)
    response = client.post(
        reverse("agreements:change-request-decide", args=[request.pk]),
        {"decision": "approve", "reason": ""},
        follow=True,
    )
    expected = f"Wijzigingsverzoek {request.pk} (HRM-03, {agreement.customer.name}): geef een motivering"
    assert expected in response.content.decode()
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.SUBMITTED


def test_the_queue_is_for_provider_staff_only(client, agreement, manager, provider):
    client.force_login(manager)
    assert client.get(reverse("agreements:queue")).status_code == 404
    client.force_login(user_with_role(provider, Role.PROVIDER_FINANCE))
    assert client.get(reverse("agreements:queue")).status_code == 404


def test_the_contract_managers_dashboard_shows_this_years_costs(client, agreement, manager):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Uw overeenkomst" in page
    assert agreement.number in page


# --- Query counts stay flat -----------------------------------------------------------------------


def _grow(agreement, staff, *, extra: int):
    """More services, lines, requests, history and municipalities; the page's query count must not grow."""
    for i in range(extra):
        service = ServiceFactory(code=f"QRY-{i:02d}")
        for year in (2025, 2026, 2027):
            TariffFactory(service=service, year=year, unit_price=Decimal("10.00"))
            AgreementLineFactory(agreement=agreement, service=service, year=year, volume=Decimal(i + 1))
        # Submitted by someone else: nobody decides their own request.
        ChangeRequestFactory(agreement=agreement, service=service)
        org = OrganisationFactory(name=f"Gemeente Q{i}", slug=f"q{i}", cbs_code=f"7{i:03d}")
        AgreementFactory(customer=org)
    for request in ChangeRequest.objects.filter(agreement=agreement)[: extra // 2]:
        request.kind, request.volume = "change_volume", Decimal(99)
        request.effective_from = date(2027, 1, 1)
        request.save()
        approve_change_request(request=request, by=staff, reason="ok")


PAGES = [
    ("agreements:list", False),
    ("agreements:detail", True),
    ("agreements:history", True),
    ("agreements:change-requests", False),
    ("agreements:queue", False),
    ("dashboard", False),
]


@pytest.mark.parametrize("extra", [1, 25])
@pytest.mark.parametrize(("name", "with_pk"), PAGES)
def test_page_queries_do_not_grow_with_the_data(
    client, agreement, manager, staff, django_assert_max_num_queries, name, with_pk, extra
):
    _grow(agreement, staff, extra=extra)
    for user in (manager, staff):
        if name == "agreements:queue" and user == manager:
            continue
        client.force_login(user)
        url = reverse(name, args=[agreement.pk]) if with_pk else reverse(name)
        # The agreement page and the dashboard also carry the budget panel with its three charts: a
        # fixed number of queries more, whatever the data.
        with django_assert_max_num_queries(26 if name in ("agreements:detail", "dashboard") else 16):
            assert client.get(url).status_code == 200


def test_both_sides_sign_in_the_portal_and_the_agreement_becomes_active(
    client, provider, municipality, basic_service, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements.models import Agreement
    from agreements.services.agreements import create_agreement, submit_for_signature
    from agreements.services.lines import set_line_volumes

    settings.MEDIA_ROOT = tmp_path
    agreement = create_agreement(customer=municipality, provider=provider, start_date=date(2030, 1, 1))
    set_line_volumes(agreement=agreement, year=2030, volumes={basic_service: Decimal("5")})
    submit_for_signature(agreement=agreement)
    manager = user_with_role(municipality, Role.CONTRACT_MANAGER)
    staff = user_with_role(provider, Role.PROVIDER_STAFF)
    url = reverse("agreements:sign", args=[agreement.pk])

    client.force_login(manager)
    assert "Ondertekenen" in client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    response = client.post(url, {})
    assert "Bevestig dat u de overeenkomst ondertekent." in response.content.decode()
    client.post(url, {"confirm": "on"})
    agreement.refresh_from_db()
    assert agreement.customer_signed_by == manager
    assert agreement.status == Agreement.Status.AWAITING_SIGNATURE

    client.force_login(staff)
    not_pdf = SimpleUploadedFile("overeenkomst.docx", b"PK...", content_type="application/msword")
    response = client.post(url, {"confirm": "on", "document": not_pdf})
    assert "pdf-bestand" in response.content.decode()
    pdf = SimpleUploadedFile("overeenkomst.pdf", pdf_bytes(), content_type="application/pdf")
    client.post(url, {"confirm": "on", "document": pdf})
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ACTIVE
    assert agreement.provider_signed_by == staff
    response = client.get(reverse("agreements:document", args=[agreement.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_my_agreement_of_a_leiden_user_with_both_sides_is_leidens_own(client, provider, agreement):
    from agreements.services.agreements import create_agreement

    own = create_agreement(customer=provider, provider=provider, start_date=date(2023, 1, 1), status="active")
    user_with_role(provider, Role.PROVIDER_STAFF, username="both.leiden")
    user = user_with_role(provider, Role.CONTRACT_MANAGER, username="both.leiden")
    client.force_login(user)
    assert client.get(reverse("agreements:mine")).url == reverse("agreements:detail", args=[own.pk])
