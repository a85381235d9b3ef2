"""Browser journey through the account pages under the strict CSP: provider staff set up two-factor
authentication with a code computed here, keep their recovery codes, make an API token; axe-core on
every page, and no sideways scrolling at 390 px."""

import os
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.roles import Role
from tests.factories import ProviderFactory, user_with_role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("E2E_SCREENSHOTS")


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_provider_staff_set_up_mfa_and_make_a_token(page, settings):
    settings.MFA_REQUIRED = True
    staff = user_with_role(ProviderFactory(), Role.PROVIDER_STAFF, username="staff.e2e")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, staff.username)
    assert "/account/tweestaps/instellen/" in page.url
    assert page.locator(".portal-qr svg").count() == 1
    assert_accessible(page)
    _fits(page)
    _shot(page, "mfa_setup")
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = int(time.time())
    page.get_by_role("textbox", name="Code").fill(f"{generator.token():06d}")
    page.get_by_role("button", name="Bevestigen").click()
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    assert_accessible(page)
    _shot(page, "recovery_codes")
    page.goto("/account/")
    assert "staat aan" in page.get_by_test_id("mfa-status").inner_text()
    assert_accessible(page)
    _fits(page)
    _shot(page, "account")
    page.goto("/account/tokens/")
    page.get_by_label("Naam").fill("Financieel systeem")
    page.get_by_role("button", name="Token maken").click()
    assert len(page.get_by_test_id("new-token").inner_text()) >= 40
    assert_accessible(page)
    _fits(page)
    _shot(page, "tokens")
    page.goto("/account/wachtwoord/")
    assert_accessible(page)
    _shot(page, "password_change")


def test_the_reset_and_verify_pages_are_accessible(page, settings):
    page.goto("/wachtwoord-vergeten/")
    assert_accessible(page)
    _shot(page, "password_reset")
    page.get_by_label("E-mailadres").fill("niemand@example.nl")
    page.get_by_role("button", name="Link versturen").click()
    assert page.get_by_test_id("reset-done").is_visible()
    assert_accessible(page)
