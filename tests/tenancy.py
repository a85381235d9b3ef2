"""The registry behind the cross-tenant walk (tests/test_cross_tenant.py).

The walk lists every route from the URL resolver. Routes without parameters are checked as they are.
A route with parameters needs an entry here saying how to make an object owned by a given
organisation; a new parameterised route without an entry fails the walk, so nobody adds an unchecked
URL. Each app registers its entries and its data in ``tests/<app>/tenancy*.py``:

    from tests.tenancy import detail_route, populator

    @populator
    def agreements(org):                 # data every tenant has, so list pages have rows to leak
        AgreementFactory(customer=org)

    @detail_route("agreements:detail", roles={"contract_manager", "finance"})
    def agreement(org):                   # kwargs for the URL, pointing at an object of ``org``
        return {"pk": AgreementFactory(customer=org).pk}

Tenant data should carry the organisation's name or slug where it has text, so a leak is visible:
the walk asserts that pages and exports shown to one municipality never contain the other's marker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from tenants.roles import CUSTOMER_ROLES, PROVIDER_ROLES

POPULATORS: list[Callable] = []
DETAIL_ROUTES: dict[str, RouteCase] = {}


@dataclass
class RouteCase:
    name: str
    make: Callable  # (organisation) -> URL kwargs for an object owned by that organisation
    roles: frozenset[str] = field(default_factory=frozenset)  # customer roles that may open their own
    provider_roles: frozenset[str] = field(default_factory=frozenset)  # provider roles that may open it
    method: str = "get"
    ok_statuses: tuple[int, ...] = (200,)
    data: dict | None = None
    shared: bool = False  # data of no tenant (the catalogue): every role reaches it, nobody gets 404


def populator(fn: Callable) -> Callable:
    POPULATORS.append(fn)
    return fn


def detail_route(
    name: str,
    *,
    roles=CUSTOMER_ROLES,
    provider_roles=PROVIDER_ROLES,
    method: str = "get",
    ok_statuses: tuple[int, ...] = (200,),
    data: dict | None = None,
    shared: bool = False,
):
    def register(fn: Callable) -> Callable:
        DETAIL_ROUTES[name] = RouteCase(
            name=name,
            make=fn,
            roles=frozenset(roles),
            provider_roles=frozenset(provider_roles),
            method=method,
            ok_statuses=ok_statuses,
            data=data,
            shared=shared,
        )
        return fn

    return register


def load_registrations() -> None:
    """Import every ``tests/<app>/tenancy*.py`` so their entries are registered."""
    for path in sorted(Path(__file__).parent.glob("*/tenancy*.py")):
        import_module(f"tests.{path.parent.name}.{path.stem}")


def api_token_for(user, *, name: str = "test", expires_days: int | None = None) -> str:
    """A fresh API token key for ``user`` (django-rest-knox: only its hash is stored)."""
    from tenants.accounts import create_api_token

    return create_api_token(user=user, name=name, expires_days=expires_days)[1]
