"""Template tags that let a page show what higher apps add to it, without the page's app importing them.

``{% page_panels "agreement" agreement=agreement as panels %}`` asks every portal app's ``portal.py`` for
``agreement_panels(request, agreement=...)`` (see ``config.portal.page_panels``).
"""

from django import template

from config.portal import page_panels as collect_page_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def page_panels(context, page: str, **kwargs) -> list:
    return collect_page_panels(context["request"], page, **kwargs)
