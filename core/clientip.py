"""The client's address, for login throttling and lockout records.

Without a proxy it is ``REMOTE_ADDR``. Behind the TLS proxy (``DJANGO_BEHIND_TLS_PROXY``) every request
comes from the proxy, so the address is taken from ``X-Forwarded-For`` instead: its last entry, the one
the proxy itself appended. Entries before it come from the client and could be anything.
"""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if entries:
            return entries[-1]
    return remote
