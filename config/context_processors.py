from django.urls import reverse

from tenants.roles import ALL_ROLES
from tenants.selectors import has_any_role, primary_membership

from .portal import nav_items


def portal(request) -> dict:
    """The header's organisation and role, and the navigation the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_membership": None, "portal_nav": []}
    nav = [
        {"label": item.label, "url": reverse(item.url_name), "current": False}
        for item in nav_items()
        if has_any_role(user, ALL_ROLES if item.roles is None else item.roles)
    ]
    # The item whose URL is the longest prefix of the path is the current one (only one is).
    matches = [
        entry for entry in nav if request.path == entry["url"] or request.path.startswith(entry["url"])
    ]
    if matches:
        max(matches, key=lambda entry: len(entry["url"]))["current"] = True
    return {"portal_membership": primary_membership(user), "portal_nav": nav}
