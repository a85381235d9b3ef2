from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import history, views
from .portal import portal_modules

router = DefaultRouter()
router.include_format_suffixes = False
for module in portal_modules("api"):
    if hasattr(module, "register"):
        module.register(router)

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("inloggen/", views.PortalLoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((router.urls + history.api_urls(), "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
urlpatterns += [path("", include(module)) for module in portal_modules("urls")]
urlpatterns += history.page_urls()
# Uploaded files (signed agreements, transition files) are never served from /media/, not even in debug
# mode: only through the apps' own views, which check who asks.

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
