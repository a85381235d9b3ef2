"""Headers, media, PDFs, uploads, the admin and the demo guard: the portal cannot be turned against
its own rules (see docs/security.md)."""

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from core.admin_history import ReadOnlyHistoryAdmin
from tenants.services import PROVIDER_STAFF_GROUP
from tests.factories import pdf_bytes

ROOT = Path(__file__).resolve().parent.parent


# --- headers -------------------------------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("login")).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_carry_a_permissions_policy(client, db):
    assert "camera=()" in client.get(reverse("login")).headers["Permissions-Policy"]


def test_tenant_data_is_never_stored_by_a_cache(client, contract_manager):
    client.force_login(contract_manager)
    response = client.get(reverse("dashboard"))
    assert response.headers["Cache-Control"] == "private, no-store"


def test_token_api_responses_are_not_stored_either(api_client, finance_user):
    from tests.tenancy import api_token_for

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(finance_user)}")
    assert api_client.get("/api/v1/organisations/").headers["Cache-Control"] == "private, no-store"


def test_no_template_holds_an_inline_script_style_block_or_style_attribute():
    """The CSP allows no inline code; PDF templates (WeasyPrint, never a browser) keep their styles."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.name.endswith("_pdf.html"):
            continue
        text = path.read_text()
        if re.search(r"<style\b", text) or re.search(r"\sstyle=", text):
            offenders.append(f"{path.relative_to(ROOT)}: style")
        offenders.extend(
            f"{path.relative_to(ROOT)}: inline script"
            for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
            if "src=" not in match.group(1) or match.group(2).strip()
        )
    assert offenders == []


def test_media_files_are_not_served_from_media_even_in_debug(client, contract_manager, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("agreements/geheim.pdf", ContentFile(pdf_bytes()))
    client.force_login(contract_manager)
    assert client.get(f"/media/{name}").status_code == 404


# --- PDFs ----------------------------------------------------------------------------------------


SSRF = '</style><style>@import url(http://127.0.0.1:9/x);</style><img src="http://127.0.0.1:9/y"> url(http://127.0.0.1:9/z)'


def test_the_fetcher_refuses_every_url_but_the_projects_static_files():
    from core.pdf import BASE_URL, RefusedURL, static_file_for

    body, mime_type = static_file_for(f"{BASE_URL}static/favicon.svg")
    assert body.startswith(b"<svg")
    assert mime_type == "image/svg+xml"
    for url in (
        "http://127.0.0.1:9/x",
        "https://example.org/static/favicon.svg",
        "file:///etc/passwd",
        f"{BASE_URL}static/../config/settings.py",
        f"{BASE_URL}media/agreements/a.pdf",
    ):
        with pytest.raises(RefusedURL):
            static_file_for(url)


def test_weasyprint_never_asks_outside_for_an_import_in_a_document(monkeypatch):
    from core import pdf

    asked = []

    def spy(url):
        asked.append(url)
        raise pdf.RefusedURL(url)

    monkeypatch.setattr(pdf, "static_file_for", spy)
    html = f"<html><head><style>p {{ color: black }}</style></head><body><p>{SSRF}</p></body></html>"
    assert pdf.render_pdf(html).startswith(b"%PDF")
    # Every URL went to the one fetcher, which refused it: WeasyPrint made no request of its own.
    assert set(asked) == {"http://127.0.0.1:9/x", "http://127.0.0.1:9/y"}


# --- uploads -------------------------------------------------------------------------------------


def test_a_real_pdf_passes_and_anything_else_is_refused_by_name(settings):
    from core.uploads import check_pdf

    check_pdf(SimpleUploadedFile("getekend.pdf", pdf_bytes()))
    for name, data in (
        ("setup.exe", b"MZ\x90\x00"),
        ("pagina.html", b"<html><script>alert(1)</script>"),
        ("nep.pdf", b"%PDF-1.4 geen echte pdf"),
        ("pagina.pdf", b"<html></html>"),
    ):
        with pytest.raises(ValidationError, match=f"{re.escape(name)} is geen geldig pdf-bestand"):
            check_pdf(SimpleUploadedFile(name, data))


def test_a_file_above_the_limit_is_refused_with_its_size(settings):
    from core.uploads import check_csv, check_pdf

    settings.UPLOAD_MAX_PDF_MB = 1
    settings.UPLOAD_MAX_CSV_MB = 1
    big = pdf_bytes() + b"\n%" + b"x" * (1024 * 1024)
    with pytest.raises(ValidationError, match=r"groot.pdf is 1,0 MB; de grens is 1 MB"):
        check_pdf(SimpleUploadedFile("groot.pdf", big))
    with pytest.raises(ValidationError, match=r"de grens is 1 MB"):
        check_csv(SimpleUploadedFile("groot.csv", b"a;b\n" * 300_000))


def test_csv_is_read_from_a_file_object_row_by_row():
    import io

    from core.csvinput import CsvProblems, read_csv

    stream = io.BytesIO("\ufeffgemeente;dienstcode;volume\nLeiden;ICT-01;1,5\n\nAlfa;ICT-02;2\n".encode())
    rows = list(read_csv(stream, name="volumes.csv", columns=["gemeente", "dienstcode", "volume"]))
    assert [(row.number, row.values["gemeente"]) for row in rows] == [(2, "Leiden"), (4, "Alfa")]
    with pytest.raises(CsvProblems, match="UTF-8"):
        list(read_csv(io.BytesIO(b"gemeente\n\xff\xfe"), name="x.csv", columns=["gemeente"]))
    with pytest.raises(CsvProblems, match="leeg"):
        list(read_csv(io.BytesIO(b"\n\n"), name="x.csv", columns=["gemeente"]))


# --- the admin -----------------------------------------------------------------------------------


def test_provider_staff_cannot_change_users_groups_or_tokens(client, provider_staff, contract_manager):
    client.force_login(provider_staff)
    assert client.get(reverse("admin:auth_user_change", args=[contract_manager.pk])).status_code in (200, 403)
    response = client.post(
        reverse("admin:auth_user_change", args=[contract_manager.pk]),
        {"username": contract_manager.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    assert response.status_code == 403
    contract_manager.refresh_from_db()
    assert not contract_manager.is_superuser
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:tenants_apitoken_changelist")).status_code == 403
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[contract_manager.pk])).status_code == 403
    )


def test_the_provider_staff_group_holds_no_account_permissions(provider_staff):
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name=PROVIDER_STAFF_GROUP).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert ("auth", "view_user") in codenames
    forbidden = {("auth", c) for c in ("add_user", "change_user", "delete_user", "change_group", "add_group")}
    forbidden |= {("auth", "change_permission"), ("tenants", "view_apitoken"), ("tenants", "delete_apitoken")}
    assert not codenames & forbidden


def test_permissions_granted_before_are_taken_back(provider_staff):
    from django.contrib.auth.models import Group, Permission

    from tenants.services import ensure_provider_staff_permissions

    group = Group.objects.get(name=PROVIDER_STAFF_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="auth", codename="change_user"))
    ensure_provider_staff_permissions()
    assert not group.permissions.filter(codename="change_user").exists()


def test_a_superuser_still_manages_users(client, db, contract_manager):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.nl", "geheim-wachtwoord-123")
    client.force_login(root)
    assert client.get(reverse("admin:auth_user_change", args=[contract_manager.pk])).status_code == 200


def test_provider_staff_give_memberships_in_the_admin(client, provider_staff, municipality):
    from tenants.models import Membership
    from tests.factories import UserFactory

    newcomer = UserFactory(username="nieuw")
    client.force_login(provider_staff)
    response = client.post(
        reverse("admin:tenants_membership_add"),
        {"user": newcomer.pk, "organisation": municipality.pk, "role": "finance"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, role="finance").exists()
    assert newcomer.groups.filter(name=f"{municipality.slug}:finance").exists()


def test_history_revert_is_off_for_every_audited_model_in_the_admin():
    histories = [m for m in admin.site._registry.values() if isinstance(m, SimpleHistoryAdmin)]
    assert histories
    assert all(isinstance(m, ReadOnlyHistoryAdmin) for m in histories), [
        type(m).__name__ for m in histories if not isinstance(m, ReadOnlyHistoryAdmin)
    ]


# --- separation of duties -------------------------------------------------------------------------


# --- docker compose and the demo ------------------------------------------------------------------


def test_seed_demo_refuses_with_debug_off_and_no_demo_password(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD_SET = False
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo", stdout=StringIO())


def test_docker_compose_seeds_only_on_demo_and_runs_secure():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["x-portal"]["environment"]
    assert env["DJANGO_SECURE"] == "true"
    assert env["DJANGO_DEBUG"] == "false"
    assert env["DEMO_PASSWORD"] == "${DEMO_PASSWORD:-}"  # no published default
    web = compose["services"]["web"]["command"]
    assert 'if [ \\"$$DEMO\\" = true ]; then python manage.py seed_demo; fi' in web
