from django.urls import reverse

from tenants.selectors import has_any_role, primary_membership

from .portal import nav_items


def portal(request) -> dict:
    """The header's organisation and role, and the navigation the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_membership": None, "portal_nav": []}
    current = request.path
    nav = []
    for item in nav_items():
        if has_any_role(user, item.roles):
            url = reverse(item.url_name)
            nav.append(
                {
                    "label": item.label,
                    "url": url,
                    "current": current == url or (url != "/" and current.startswith(url)),
                }
            )
    return {"portal_membership": primary_membership(user), "portal_nav": nav}
