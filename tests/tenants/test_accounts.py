import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory


def test_login_page_speaks_dutch(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Inloggen" in content
    assert "Gebruikersnaam" in content
    assert 'lang="nl"' in content


def test_english_on_request_through_the_language_switch(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/inloggen/"})
    content = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in content
    assert "Log in" in content


def test_a_browser_asking_for_english_still_gets_dutch_by_default(client, db):
    content = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert 'lang="nl"' in content


def test_wrong_password_gives_a_dutch_error(client, contract_manager):
    response = client.post(reverse("login"), {"username": contract_manager.username, "password": "fout"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()


def test_login_with_the_right_password_reaches_the_dashboard(client, contract_manager):
    response = client.post(
        reverse("login"),
        {"username": contract_manager.username, "password": "geheim-wachtwoord-123"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Gemeente Alfa" in response.content.decode()


def test_repeated_failures_lock_the_account(client, contract_manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": contract_manager.username, "password": "fout"})
    response = client.post(
        reverse("login"), {"username": contract_manager.username, "password": "geheim-wachtwoord-123"}
    )
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()
    assert AccessAttempt.objects.filter(username=contract_manager.username).exists()


@pytest.mark.parametrize("role_fixture", ["contract_manager", "finance_user", "provider_finance"])
def test_only_provider_staff_reach_the_admin(client, request, role_fixture, provider_staff):
    user = request.getfixturevalue(role_fixture)
    user.is_staff = True  # even a wrongly flagged customer-side account stays out
    user.save()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_provider_staff_open_the_admin(client, provider_staff):
    client.force_login(provider_staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Organisaties" in response.content.decode()


def test_a_user_without_a_role_is_told_so_on_the_dashboard(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("dashboard"))
    assert "nog geen rol" in response.content.decode()


def test_unknown_page_answers_the_friendly_404(client, contract_manager):
    client.force_login(contract_manager)
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_logout_ends_the_session(client, contract_manager):
    client.force_login(contract_manager)
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_only_the_most_specific_menu_item_is_current(client, provider_staff):
    client.force_login(provider_staff)
    nav = client.get("/wijzigingsverzoeken/wachtrij/").context["portal_nav"]
    current = [item["url"] for item in nav if item["current"]]
    assert current == ["/wijzigingsverzoeken/wachtrij/"]  # not also "Wijzigingsverzoeken" above it
    assert "/wijzigingsverzoeken/" in [item["url"] for item in nav]
