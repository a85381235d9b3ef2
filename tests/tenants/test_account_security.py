"""Two-factor authentication, login throttling behind a proxy, session limits, passwords."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.accounts import confirm_totp_setup, start_totp_setup

PASSWORD = "geheim-wachtwoord-123"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The six digits an authenticator app shows at ``at`` (now), computed here from the secret (RFC 6238)."""
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = int(at if at is not None else time.time())
    return f"{generator.token():0{device.digits}d}"


def _login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def _enrolled(user):
    device = start_totp_setup(user=user)
    _device, codes = confirm_totp_setup(user=user, code=_code(device, at=time.time() - 30))
    return TOTPDevice.objects.get(user=user, confirmed=True), codes


# --- two-factor authentication ---------------------------------------------------------------------


def test_provider_staff_must_set_up_a_second_factor_before_anything_else(client, provider_staff, settings):
    settings.MFA_REQUIRED = True
    _login(client, provider_staff)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("tenants:mfa_setup"))
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/organisations/").status_code == 403


def test_setting_up_shows_a_server_made_qr_code_and_the_secret_then_recovery_codes_once(
    client, provider_staff, settings
):
    settings.MFA_REQUIRED = True
    _login(client, provider_staff)
    page = client.get(reverse("tenants:mfa_setup"))
    html = page.content.decode()
    assert "<svg" in html
    assert "otpauth" not in html  # the URL is in the picture, the secret as text
    device = TOTPDevice.objects.get(user=provider_staff, confirmed=False)
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    wrong = client.post(reverse("tenants:mfa_setup"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "klopt niet" in wrong.content.decode()
    done = client.post(reverse("tenants:mfa_setup"), {"code": _code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("dashboard")).status_code == 200
    assert codes[0] not in client.get(reverse("tenants:account")).content.decode()


def test_a_user_with_a_second_factor_enters_a_real_code_after_the_password(client, provider_staff, settings):
    settings.MFA_REQUIRED = True
    device, _codes = _enrolled(provider_staff)
    _login(client, provider_staff)
    assert client.get(reverse("dashboard")).url.startswith(reverse("tenants:mfa_verify"))
    response = client.post(reverse("tenants:mfa_verify"), {"code": _code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, provider_staff, settings):
    settings.MFA_REQUIRED = True
    _device, codes = _enrolled(provider_staff)
    _login(client, provider_staff)
    assert client.post(reverse("tenants:mfa_verify"), {"code": codes[0]}).status_code == 302
    client.post(reverse("logout"))
    _login(client, provider_staff)
    assert client.post(reverse("tenants:mfa_verify"), {"code": codes[0]}).status_code == 400


def test_the_admin_refuses_an_unverified_superuser_when_mfa_is_required(client, db, settings):
    settings.MFA_REQUIRED = True
    admin_user = get_user_model().objects.create_superuser("root", "root@example.nl", PASSWORD)
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 302


def test_a_customer_may_go_without_and_may_choose_a_second_factor(client, contract_manager, settings):
    settings.MFA_REQUIRED = True
    _login(client, contract_manager)
    assert client.get(reverse("dashboard")).status_code == 200
    _enrolled(contract_manager)
    client.post(reverse("logout"))
    _login(client, contract_manager)
    assert client.get(reverse("dashboard")).url.startswith(reverse("tenants:mfa_verify"))


def test_with_mfa_off_provider_staff_log_in_with_the_password_only(client, provider_staff, settings):
    settings.MFA_REQUIRED = False
    _login(client, provider_staff)
    assert client.get(reverse("dashboard")).status_code == 200


# --- throttling ------------------------------------------------------------------------------------


def test_an_account_locks_whatever_addresses_the_guesses_come_from(client, contract_manager, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": contract_manager.username, "password": "fout"},
            REMOTE_ADDR=f"10.0.0.{i + 1}",
        )
    response = client.post(
        reverse("login"),
        {"username": contract_manager.username, "password": PASSWORD},
        REMOTE_ADDR="10.9.9.9",
    )
    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_throttled(client, contract_manager, settings):
    settings.LOGIN_THROTTLE_LIMIT = 3
    for i in range(3):
        client.post(reverse("login"), {"username": f"gok{i}", "password": "fout"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(
        reverse("login"),
        {"username": contract_manager.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 429
    assert "Vanaf dit adres" in response.content.decode()
    other = client.post(
        reverse("login"),
        {"username": contract_manager.username, "password": PASSWORD},
        REMOTE_ADDR="10.2.2.2",
    )
    assert other.status_code == 302  # the account itself is not locked


def test_behind_the_proxy_the_address_comes_from_the_proxys_header(client, contract_manager, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    settings.BEHIND_TLS_PROXY = True
    for _ in range(2):  # the client forges a first entry; the proxy appends the real address
        client.post(
            reverse("login"),
            {"username": "gok", "password": "fout"},
            REMOTE_ADDR="172.16.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    blocked = client.post(
        reverse("login"),
        {"username": contract_manager.username, "password": PASSWORD},
        REMOTE_ADDR="172.16.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert blocked.status_code == 429
    elsewhere = client.post(  # another client behind the same proxy is not affected
        reverse("login"),
        {"username": contract_manager.username, "password": PASSWORD},
        REMOTE_ADDR="172.16.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert elsewhere.status_code == 302


def test_without_the_proxy_setting_the_forwarded_header_is_ignored(rf, settings):
    from core.clientip import client_ip

    settings.BEHIND_TLS_PROXY = False
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"


# --- sessions --------------------------------------------------------------------------------------


def test_a_session_ends_after_thirty_idle_minutes(client, contract_manager):
    import time_machine

    client.force_login(contract_manager)
    assert client.get(reverse("dashboard")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert client.get(reverse("dashboard")).status_code == 302
        assert client.get(reverse("dashboard")).status_code == 302  # logged out, not just refused


def test_a_session_ends_after_twelve_hours_however_active(client, contract_manager):
    import time_machine

    client.force_login(contract_manager)
    start = timezone.now()
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get(reverse("dashboard")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5)):
        assert client.get(reverse("dashboard")).status_code == 302


# --- passwords -------------------------------------------------------------------------------------


def test_a_password_needs_twelve_characters(client, contract_manager):
    client.force_login(contract_manager)
    response = client.post(
        reverse("tenants:password_change"),
        {"old_password": PASSWORD, "new_password1": "Kort-wacht1", "new_password2": "Kort-wacht1"},
    )
    assert response.status_code == 200
    assert "gebruik minstens 12 tekens" in response.content.decode()


def test_the_password_change_page_changes_it_and_keeps_the_session(client, contract_manager):
    client.force_login(contract_manager)
    new = "een-heel-lang-nieuw-wachtwoord"
    response = client.post(
        reverse("tenants:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    contract_manager.refresh_from_db()
    assert contract_manager.check_password(new)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_reset_answers_the_same_whether_or_not_the_address_has_an_account(
    client, contract_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sent_for_known:
        known = client.post(reverse("tenants:password_reset"), {"email": contract_manager.email}, follow=True)
    with django_capture_on_commit_callbacks() as sent_for_unknown:
        unknown = client.post(reverse("tenants:password_reset"), {"email": "niemand@example.nl"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert known.context["request"].path == unknown.context["request"].path
    assert 'data-testid="reset-done"' in known.content.decode()
    assert (len(sent_for_known), len(sent_for_unknown)) == (1, 0)  # an e-mail task only for the account


def _reset_link(body: str) -> str:
    return next(line for line in body.splitlines() if "/wachtwoord-instellen/" in line)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_reset_e_mail_leaves_from_a_real_worker_and_its_link_sets_a_new_password(celery_worker, client):
    from tests.factories import UserFactory

    user = UserFactory(username="reset.worker")
    client.post(reverse("tenants:password_reset"), {"email": user.email})
    deadline = time.monotonic() + 30
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert mail.outbox[0].to == [user.email]
    path = _reset_link(mail.outbox[0].body).split("testserver", 1)[1]
    form = client.get(path, follow=True)
    new = "een-heel-lang-nieuw-wachtwoord"
    response = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_admin_login_is_throttled_per_address_too(client, provider_staff, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    for _ in range(2):
        client.post("/admin/login/", {"username": "gok", "password": "fout"}, REMOTE_ADDR="10.3.3.3")
    response = client.post(
        "/admin/login/", {"username": provider_staff.username, "password": PASSWORD}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 200
    assert "Vanaf dit adres" in response.content.decode()
    assert "_auth_user_id" not in client.session
