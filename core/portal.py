"""What a portal app offers the portal as a whole: navigation items and dashboard panels.

An app's ``portal.py`` lists them (``NAV_ITEMS``, ``dashboard_panels(request)``); ``config.portal``
collects them from the apps named in ``settings.PORTAL_APPS``, so no app imports the wiring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Audited:
    """A model whose history readers may open at ``/historie/<key>/<pk>/`` (and the API's
    ``/api/v1/history/<key>/<pk>/``).

    ``objects_for(user)`` is the app's scoped selector: an object outside it answers 404. ``sources(obj)``
    lists the history to show (``core.audit.Source``): the object's own and, where it has them, its
    parts' (an agreement's lines, a service's tariffs). ``title(obj)`` names the object on the page.
    """

    key: str
    model: type
    objects_for: Callable[[Any], Any]
    sources: Callable[[Any], list]
    title: Callable[[Any], str] = str
    back_url: Callable[[Any], str] | None = None
