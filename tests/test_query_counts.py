"""Every page and list endpoint keeps its query count as the data grows tenfold.

Generated over the URL resolver like the cross-tenant walk (tests/test_cross_tenant.py), so a new page
or endpoint is covered without editing this file: every GET route is requested by a contract manager,
finance and Leiden's staff once with the walk's data and once with ten times as much (each app's
populators run nine more times for every organisation), and the number of queries must be the same.
Parameterised routes point at an object their tenancy entry makes.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tenants.roles import Role

from .factories import OrganisationFactory, ProviderFactory, user_with_role
from .tenancy import DETAIL_ROUTES, POPULATORS, load_registrations
from .test_cross_tenant import PARAM_ROUTES, PLAIN_ROUTES, PUBLIC_ROUTES

load_registrations()

# The API's own description and docs: no data behind them.
WITHOUT_DATA = {"schema", "api-docs"}
GROWTH = 10


def _urls(world) -> list[tuple[str, str]]:
    urls = [(name, reverse(name)) for name in PLAIN_ROUTES if name not in WITHOUT_DATA]
    for name, url in list(urls):
        if name.startswith("api:") and name.endswith("-list"):
            urls.append((f"{name} csv", f"{url}?format=csv"))
    for name in PARAM_ROUTES:
        case = DETAIL_ROUTES.get(name)
        if case is None or case.method != "get":
            continue
        urls.append((name, reverse(name, kwargs=case.make(world["alfa"]))))
    return urls


def _queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    return response.status_code, len(captured.captured_queries)


def _grow(organisations, times: int) -> list[str]:
    """Run every populator ``times`` more for every organisation; one that cannot repeat is skipped."""
    skipped = []
    for populate in POPULATORS:
        for _round in range(times):
            try:
                with transaction.atomic():
                    for org in organisations:
                        populate(org)
            except (IntegrityError, ValidationError, DatabaseError):
                skipped.append(populate.__name__)
                break
    return skipped


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="known defect: at 10x the generated walk opens objects the provider's role no longer reaches (0 queries); to be rebuilt on the merged tenancy tables",
)
def test_no_page_or_list_endpoint_asks_more_queries_with_ten_times_the_data(client):
    provider = ProviderFactory()
    alfa = OrganisationFactory(name="Gemeente Alfa", slug="alfa", cbs_code="9001")
    bravo = OrganisationFactory(name="Gemeente Bravo", slug="bravo", cbs_code="9002")
    organisations = (provider, alfa, bravo)
    users = {
        "contract_manager": user_with_role(alfa, Role.CONTRACT_MANAGER),
        "finance": user_with_role(alfa, Role.FINANCE),
        "provider_staff": user_with_role(provider, Role.PROVIDER_STAFF),
        "provider_finance": user_with_role(provider, Role.PROVIDER_FINANCE),
    }
    for populate in POPULATORS:
        for org in organisations:
            populate(org)
    urls = _urls({"alfa": alfa})

    def measure() -> dict[tuple[str, str], tuple[int, int]]:
        counts = {}
        for role, user in users.items():
            client.force_login(user)
            for name, url in urls:
                _queries(client, url)  # warm: per-process caches (content types, sites) filled once
                counts[(role, name)] = _queries(client, url)
        return counts

    small = measure()
    skipped = _grow(organisations, GROWTH - 1)
    large = measure()
    grown = [
        f"{name} as {role}: {small[(role, name)][1]} -> {large[(role, name)][1]} queries"
        for role, name in small
        if small[(role, name)][0] < 400 and small[(role, name)][1] != large[(role, name)][1]
    ]
    assert not grown, "query counts grew with the data:\n" + "\n".join(grown)
    assert not [k for k, (status, _n) in large.items() if status >= 500]
    assert len(set(skipped)) < len(POPULATORS), "no populator could add data a second time"
    assert {name for name, _url in urls} >= PUBLIC_ROUTES
