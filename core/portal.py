"""What a portal app offers the portal as a whole: navigation items and dashboard panels.

An app's ``portal.py`` lists them (``NAV_ITEMS``, ``dashboard_panels(request)``); ``config.portal``
collects them from the apps named in ``settings.PORTAL_APPS``, so no app imports the wiring.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    #: the roles that see the item; ``None``: every role of the portal
    roles: frozenset[str] | None = None
    order: int = 50


@dataclass
class Panel:
    """A dashboard card: a template and its context."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 50
