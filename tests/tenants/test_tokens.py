"""API tokens: hashed (knox), expiring, made and revoked by their owner, refused when locked out."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tenants.accounts import create_api_token
from tenants.models import ApiToken
from tests.tenancy import api_token_for

ORGS = "/api/v1/organisations/"


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_only_a_hash_of_the_key_is_stored(finance_user):
    token, key = create_api_token(user=finance_user, name="Exact")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in {stored.digest, stored.token_key}
    assert stored.token_key == key[: len(stored.token_key)]  # a prefix to find it, never the key
    assert _api(key).get(ORGS).status_code == 200


def test_a_token_expires_after_the_default_ninety_days(finance_user, settings):
    token, key = create_api_token(user=finance_user)
    assert token.expiry.date() == (timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)).date()
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        assert _api(key).get(ORGS).status_code == 401


def test_a_locked_out_account_cannot_use_its_token(client, finance_user, settings):
    key = api_token_for(finance_user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": finance_user.username, "password": "fout"})
    response = _api(key).get(ORGS)
    assert response.status_code == 401
    assert "geblokkeerd" in response.json()["detail"]


def test_an_inactive_account_cannot_use_its_token(finance_user):
    key = api_token_for(finance_user)
    finance_user.is_active = False
    finance_user.save()
    assert _api(key).get(ORGS).status_code == 401


def test_a_forged_or_unknown_key_is_refused(finance_user):
    api_token_for(finance_user)
    assert _api("0" * 64).get(ORGS).status_code == 401


def test_finance_makes_a_token_on_the_account_page_and_sees_the_key_once(client, finance_user):
    client.force_login(finance_user)
    response = client.post(reverse("tenants:tokens"), {"name": "Exact Online", "expires_days": "30"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert _api(key).get(ORGS).status_code == 200
    token = ApiToken.objects.get(user=finance_user)
    assert token.name == "Exact Online"
    assert token.expiry.date() == (timezone.now() + timedelta(days=30)).date()
    listing = client.get(reverse("tenants:tokens")).content.decode()
    assert "Exact Online" in listing
    assert key not in listing  # never shown again


def test_an_expiry_beyond_the_maximum_gets_a_clear_message(client, finance_user):
    client.force_login(finance_user)
    response = client.post(reverse("tenants:tokens"), {"name": "x", "expires_days": "9999"})
    assert response.status_code == 400
    assert "Ten hoogste 365 dagen" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(client, finance_user):
    token, key = create_api_token(user=finance_user, name="Oud")
    client.force_login(finance_user)
    client.post(reverse("tenants:tokens"), {"revoke": token.token_key})
    assert not ApiToken.objects.exists()
    assert _api(key).get(ORGS).status_code == 401


def test_nobody_revokes_someone_elses_token(client, finance_user, provider_finance):
    token, key = create_api_token(user=provider_finance)
    client.force_login(finance_user)
    client.post(reverse("tenants:tokens"), {"revoke": token.token_key})
    assert _api(key).get(ORGS).status_code == 200


@pytest.mark.parametrize("role_fixture", ["finance_user", "provider_finance", "provider_staff"])
def test_api_roles_reach_the_token_page(client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("tenants:tokens")).status_code == 200


def test_a_contract_manager_has_no_token_page(client, contract_manager):
    client.force_login(contract_manager)
    assert client.get(reverse("tenants:tokens")).status_code == 404


def test_the_token_page_keeps_its_query_count(client, finance_user, django_assert_max_num_queries):
    client.force_login(finance_user)
    create_api_token(user=finance_user)
    with django_assert_max_num_queries(10):
        client.get(reverse("tenants:tokens"))
    for i in range(20):
        create_api_token(user=finance_user, name=f"t{i}")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("tenants:tokens")).status_code == 200


def test_the_command_prints_a_working_key_once(finance_user):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", finance_user.username, "--expires-days", "7", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert _api(key).get(ORGS).status_code == 200
    assert ApiToken.objects.get().expiry.date() == (timezone.now() + timedelta(days=7)).date()
    assert "only once" in err.getvalue()


def test_the_command_names_a_missing_user_and_a_bad_expiry(finance_user):
    with pytest.raises(CommandError, match="No user named 'niemand'"):
        call_command("create_api_token", "niemand", stdout=StringIO())
    with pytest.raises(CommandError, match="1 tot 365 dagen"):
        call_command("create_api_token", finance_user.username, "--expires-days", "0", stdout=StringIO())
