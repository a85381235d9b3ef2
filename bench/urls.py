"""The page benchmark's URLs: the portal's, plus the floor, a logged-in view that does nothing else.

The floor reads the session and the user (what every logged-in page pays) and answers a few bytes, so a
page's time divided by the floor's is what the page itself costs, on the same process and connection.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


@login_required
def floor(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [path("__bench__/floor/", floor, name="bench-floor"), *portal_urlpatterns]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
