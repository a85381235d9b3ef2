"""Cross-tenant access on every URL and endpoint, for every role.

Walks the URL resolver, so routes that later apps add are picked up without editing this file. For a
municipality's users another municipality's objects answer 404 and its data never appears in a page,
list or export; the owner's own roles and the provider's roles do reach them.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tenants.roles import Role

from .factories import OrganisationFactory, ProviderFactory, user_with_role
from .tenancy import DETAIL_ROUTES, POPULATORS, load_registrations

load_registrations()

# Routes that are about the session itself rather than tenant data.
SESSION_ROUTES = {"login", "logout", "set_language"}
# The user's own account (password, second factor, reset by e-mail): no tenant data, tested in
# tests/tenants/test_account_security.py. The API-token page stays in the walk (finance and provider only).
SESSION_ROUTES |= {
    "tenants:account",
    "tenants:password_change",
    "tenants:mfa_setup",
    "tenants:mfa_verify",
    "tenants:mfa_recovery_codes",
    "tenants:mfa_remove",
    "tenants:password_reset",
    "tenants:password_reset_done",
    "tenants:password_reset_confirm",
}
# Open data without login (the Woo tariff register): nothing of a tenant is on it.
PUBLIC_ROUTES = {"quality:open_register", "quality:open_register_csv", "quality:open_register_json"}
# What a council reader may open; every other page and endpoint answers it 404.
# The API root, like the schema and its docs, lists endpoints and no data.
COUNCIL_READER_ROUTES = {
    "dashboard",
    "quality:report_list",
    "budget:letter_list",
    "schema",
    "api-docs",
    "api:api-root",
} | PUBLIC_ROUTES
MARKER = "Bravo"


def _walk(patterns, namespace=None, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = ":".join(filter(None, [namespace, ns])) if ns else namespace
            yield from _walk(entry.url_patterns, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            pattern = entry.pattern
            has_params = bool(getattr(pattern, "converters", None)) or bool(pattern.regex.groups)
            yield name, prefix + str(pattern), has_params


def portal_routes():
    seen = {}
    for name, pattern, has_params in _walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name in SESSION_ROUTES or name in seen:
            continue
        seen[name] = (pattern, has_params)
    return seen


ROUTES = portal_routes()
PLAIN_ROUTES = sorted(n for n, (_p, has_params) in ROUTES.items() if not has_params)
PARAM_ROUTES = sorted(n for n, (_p, has_params) in ROUTES.items() if has_params)


@pytest.fixture
def world(db):
    """Leiden (provider and customer), two municipalities, a user for every role, and each app's data."""
    provider = ProviderFactory()
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name=f"Gemeente {MARKER}", slug=MARKER.lower(), cbs_code="9002")
    users = {
        "alfa.contract_manager": user_with_role(alfa, Role.CONTRACT_MANAGER),
        "alfa.finance": user_with_role(alfa, Role.FINANCE),
        "alfa.council_reader": user_with_role(alfa, Role.COUNCIL_READER),
        "bravo.contract_manager": user_with_role(bravo, Role.CONTRACT_MANAGER),
        "bravo.finance": user_with_role(bravo, Role.FINANCE),
        "bravo.council_reader": user_with_role(bravo, Role.COUNCIL_READER),
        "leiden.contract_manager": user_with_role(provider, Role.CONTRACT_MANAGER),
        "provider_staff": user_with_role(provider, Role.PROVIDER_STAFF),
        "provider_finance": user_with_role(provider, Role.PROVIDER_FINANCE),
    }
    for populate in POPULATORS:
        for org in (provider, alfa, bravo):
            populate(org)
    return {"provider": provider, "alfa": alfa, "bravo": bravo, "users": users}


def _request(client, method, url, data=None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data or {}, content_type="application/json")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith(("text/", "application/json", "application/problem")):
        return content.decode("utf-8", errors="replace")
    return ""


def test_every_parameterised_route_has_a_tenancy_entry():
    missing = [name for name in PARAM_ROUTES if name not in DETAIL_ROUTES]
    assert not missing, (
        "These routes take parameters but have no entry in a tests/<app>/tenancy.py, so their "
        f"cross-tenant access is unchecked: {missing}"
    )


@pytest.mark.parametrize("name", PLAIN_ROUTES)
def test_plain_route_shows_a_municipality_nothing_of_another(world, client, name):
    url = reverse(name)
    for key in ("alfa.contract_manager", "alfa.finance", "alfa.council_reader"):
        client.force_login(world["users"][key])
        urls = [url]
        if name.startswith("api:") and name.endswith("-list"):
            urls += [f"{url}?format=csv", f"{url}?format=json&page_size=1000"]
        for target in urls:
            response = client.get(target)
            assert response.status_code < 500, f"{target} as {key}: {response.status_code}"
            assert MARKER not in _body(response), f"{target} shows {MARKER}'s data to {key}"


@pytest.mark.parametrize("name", PLAIN_ROUTES)
def test_plain_route_needs_a_login(db, client, name):
    url = reverse(name)
    if name in {"schema", "api-docs"}:
        pytest.skip("the API description is public documentation, without data")
    if name in PUBLIC_ROUTES:
        pytest.skip("open data without login; tests/quality checks that it holds nothing of a tenant")
    response = client.get(url)
    assert response.status_code in (302, 401, 403), f"{url} answers {response.status_code} without login"
    if response.status_code == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PARAM_ROUTES)
def test_another_tenants_object_answers_404(world, client, name):
    case = DETAIL_ROUTES.get(name)
    if case is None:
        pytest.fail(f"{name} has no tenancy entry (see tests/tenancy.py)")
    url = reverse(name, kwargs=case.make(world["bravo"]))
    if case.shared:
        pytest.skip("shared data (the catalogue) belongs to no tenant; every role reaches it")
    for key in ("alfa.contract_manager", "alfa.finance", "alfa.council_reader", "leiden.contract_manager"):
        client.force_login(world["users"][key])
        response = _request(client, case.method, url, case.data)
        assert response.status_code == 404, f"{case.method.upper()} {url} as {key}: {response.status_code}"
        assert MARKER not in _body(response)


@pytest.mark.parametrize("name", PARAM_ROUTES)
def test_owner_and_provider_roles_reach_the_object(world, client, name):
    case = DETAIL_ROUTES.get(name)
    if case is None:
        pytest.fail(f"{name} has no tenancy entry (see tests/tenancy.py)")
    users = world["users"]
    if case.shared:
        for key, user in users.items():
            client.force_login(user)
            response = _request(
                client, case.method, reverse(name, kwargs=case.make(world["bravo"])), case.data
            )
            if key.endswith("council_reader") and "council_reader" not in case.roles:
                assert response.status_code == 404, f"{name} as {key}: {response.status_code}"
                continue
            assert response.status_code in case.ok_statuses, f"{name} as {key}: {response.status_code}"
            assert MARKER not in _body(response) or key.startswith("bravo"), f"{name} shows {MARKER} to {key}"
        return
    allowed = [f"bravo.{role}" for role in sorted(case.roles)] + sorted(case.provider_roles)
    denied = [f"bravo.{r}" for r in ("contract_manager", "finance", "council_reader") if r not in case.roles]
    denied += [r for r in ("provider_staff", "provider_finance") if r not in case.provider_roles]
    for key in allowed:
        url = reverse(name, kwargs=case.make(world["bravo"]))
        client.force_login(users[key])
        response = _request(client, case.method, url, case.data)
        assert response.status_code in case.ok_statuses, f"{url} as {key}: {response.status_code}"
    for key in denied:
        url = reverse(name, kwargs=case.make(world["bravo"]))
        client.force_login(users[key])
        response = _request(client, case.method, url, case.data)
        assert response.status_code == 404, f"{url} as {key} (no such role here): {response.status_code}"


@pytest.mark.parametrize("name", PLAIN_ROUTES)
def test_a_council_reader_gets_404_everywhere_but_its_reports(world, client, name):
    client.force_login(world["users"]["alfa.council_reader"])
    response = client.get(reverse(name))
    if name in COUNCIL_READER_ROUTES:
        assert response.status_code == 200, f"{name}: {response.status_code}"
    else:
        assert response.status_code == 404, f"{name} answers a council reader {response.status_code}"


def test_the_walk_sees_the_routes_of_every_app():
    names = set(ROUTES)
    assert "dashboard" in names
    assert "api:organisation-list" in names
    assert any(re.match(r"api:organisation-detail", n) for n in names)
