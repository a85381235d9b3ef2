"""Wires the apps into one portal: navigation, dashboard panels, page URLs and API routes.

Each portal app may offer, by name:
- ``<app>/urls.py``: its pages (with ``app_name``), included at the site root;
- ``<app>/api.py`` with ``register(router)``: its API routes under ``/api/v1/``;
- ``<app>/portal.py`` with ``NAV_ITEMS`` (a list of :class:`NavItem`) and/or ``dashboard_panels(request)``
  returning a list of :class:`Panel`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings

from core.portal import NavItem, Panel

__all__ = ["NavItem", "Panel", "dashboard_panels", "nav_items", "portal_modules"]


def portal_modules(name: str) -> list:
    return [
        import_module(f"{app}.{name}")
        for app in settings.PORTAL_APPS
        if find_spec(app) is not None and find_spec(f"{app}.{name}") is not None
    ]


def nav_items() -> list[NavItem]:
    items = [item for module in portal_modules("portal") for item in getattr(module, "NAV_ITEMS", [])]
    return sorted(items, key=lambda item: item.order)


def dashboard_panels(request) -> list[Panel]:
    panels = []
    for module in portal_modules("portal"):
        if hasattr(module, "dashboard_panels"):
            panels.extend(module.dashboard_panels(request))
    return sorted(panels, key=lambda panel: panel.order)


def page_panels(request, page: str, **context) -> list[Panel]:
    """Panels that other apps add to a page: ``<app>/portal.py`` may offer ``<page>_panels(request,
    **context)``. A lower app's page (the agreement page) thus shows a higher app's part without
    importing it."""
    panels = []
    for module in portal_modules("portal"):
        offer = getattr(module, f"{page}_panels", None)
        if offer is not None:
            panels.extend(offer(request, **context))
    return sorted(panels, key=lambda panel: panel.order)
