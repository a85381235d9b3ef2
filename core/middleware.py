from django.conf import settings
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
