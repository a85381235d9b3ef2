"""Agreements in the admin: signed documents are parsed PDFs, history is read-only, terms change with a
reason, and nobody decides their own change request."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import pdf_bytes


def _admin_post_data(form) -> dict:
    data = {name: form.initial.get(name) for name in form.fields if name != "signed_document"}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data.update({"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"})
    return data


def test_the_admin_refuses_an_exe_as_signed_agreement_of_a_draft(
    client, provider_staff, provider, municipality
):
    from datetime import date

    from agreements.services.agreements import create_agreement

    draft = create_agreement(customer=municipality, provider=provider, start_date=date(2030, 1, 1))
    client.force_login(provider_staff)
    url = reverse("admin:agreements_agreement_change", args=[draft.pk])
    data = _admin_post_data(client.get(url).context["adminform"].form)
    data["signed_document"] = SimpleUploadedFile("setup.exe", b"MZ\x90\x00")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "setup.exe is geen geldig pdf-bestand" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.signed_document


def test_an_active_agreements_terms_and_document_are_read_only_in_the_change_form(
    client, provider_staff, agreement
):
    client.force_login(provider_staff)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    form = client.get(url).context["adminform"].form
    for field in ("signed_document", "notice_period_months", "first_term_months", "renewal_months", "title"):
        assert field not in form.fields
    assert (
        reverse("admin:agreements_agreement_terms", args=[agreement.pk]) in client.get(url).content.decode()
    )


def test_terms_of_a_signed_agreement_change_through_the_form_with_a_reason(client, provider_staff, agreement):
    client.force_login(provider_staff)
    url = reverse("admin:agreements_agreement_terms", args=[agreement.pk])
    base = {
        "title": agreement.title,
        "notice_period_months": "9",
        "first_term_months": agreement.first_term_months,
        "renewal_months": agreement.renewal_months,
    }
    refused = client.post(url, {**base, "reason": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    bad = client.post(
        url, {**base, "reason": "nieuw", "signed_document": SimpleUploadedFile("x.html", b"<html>")}
    )
    assert "x.html is geen geldig pdf-bestand" in bad.content.decode()
    document = SimpleUploadedFile("nieuw.pdf", pdf_bytes())
    response = client.post(url, {**base, "reason": "Addendum 2026 getekend", "signed_document": document})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.notice_period_months == 9
    assert agreement.signed_document.read().startswith(b"%PDF-")
    latest = agreement.history.order_by("-history_date").first()
    assert latest.history_change_reason == "Addendum 2026 getekend"
    assert latest.history_user == provider_staff


def test_reverting_an_agreement_in_the_admin_is_refused(client, provider_staff, agreement):
    from core.history import save_with_history

    old_billed = agreement.billed_until
    agreement.title = "Nieuw"
    save_with_history(agreement, by=provider_staff, reason="test")
    version = agreement.history.order_by("history_date").first()
    client.force_login(provider_staff)
    url = reverse("admin:agreements_agreement_simple_history", args=[agreement.pk, version.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "terug"}).status_code == 403
    agreement.refresh_from_db()
    assert (agreement.title, agreement.billed_until) == ("Nieuw", old_billed)


def test_nobody_decides_a_change_request_they_submitted(agreement, optional_service, provider, municipality):
    from agreements.services.change_requests import approve_change_request, reject_change_request
    from tenants.roles import Role
    from tests.agreements.factories import ChangeRequestFactory
    from tests.factories import user_with_role

    both = user_with_role(provider, Role.PROVIDER_STAFF, username="beide.rollen")
    from tenants.services import add_membership

    add_membership(user=both, organisation=municipality, role=Role.CONTRACT_MANAGER)
    request = ChangeRequestFactory(agreement=agreement, service=optional_service, submitted_by=both)
    for decide in (approve_change_request, reject_change_request):
        with pytest.raises(ValidationError, match="zelf ingediend"):
            decide(request=request, by=both, reason="eigen verzoek")
    colleague = user_with_role(provider, Role.PROVIDER_STAFF, username="collega")
    assert (
        reject_change_request(request=request, by=colleague, reason="nee", notify=False).status == "rejected"
    )
