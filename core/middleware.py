import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation


class PortalLocaleMiddleware:
    """Dutch unless the user chose English with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the portal speaks Dutch by
    default to everyone and English on request only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        translation.deactivate()
        return response


def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SessionTimeoutMiddleware.STARTED] = now
        request.session[SessionTimeoutMiddleware.SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request and, whatever happens,
    ``SESSION_ABSOLUTE_HOURS`` after the login. API calls with a token carry no session and pass."""

    STARTED = "portal_session_started"
    SEEN = "portal_session_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(self.STARTED)
            seen = session.get(self.SEEN)
            idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            absolute = settings.SESSION_ABSOLUTE_HOURS * 3600
            if started is None:
                session[self.STARTED] = now
            elif now - started > absolute or (seen is not None and now - seen > idle):
                logout(request)
                return redirect_to_login(request.get_full_path())
            # Write the session at most once a minute, not on every request.
            if seen is None or now - seen >= 60:
                session[self.SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """``Cache-Control: private, no-store`` on every response to a logged-in user (pages, exports,
    downloads: tenant data never lands in a shared or disk cache), and a Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.META.get("HTTP_AUTHORIZATION"):
            response.headers["Cache-Control"] = "private, no-store"
            response.headers.setdefault("Pragma", "no-cache")
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
