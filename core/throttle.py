"""A per-address limit on failed logins (a cache counter per address and window).

django-axes locks an account by user name, wherever the guesses come from; this limit is its
complement: one address cannot try many accounts. ``LOGIN_THROTTLE_LIMIT`` failures per
``LOGIN_THROTTLE_WINDOW_MINUTES`` window; the address comes from ``core.clientip``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from .clientip import client_ip


def _key(request) -> str:
    window = settings.LOGIN_THROTTLE_WINDOW_MINUTES * 60
    return f"login-failures:{client_ip(request)}:{int(time.time() // window)}"


def address_is_throttled(request) -> bool:
    return int(cache.get(_key(request), 0)) >= settings.LOGIN_THROTTLE_LIMIT


def record_failed_login(request) -> None:
    key = _key(request)
    timeout = settings.LOGIN_THROTTLE_WINDOW_MINUTES * 60
    if cache.add(key, 1, timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
