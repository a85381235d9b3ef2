from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("catalogus/", views.CatalogueView.as_view(), name="catalogue"),
    # The code is a query parameter: the catalogue is shared by every tenant, so a service page is not
    # a tenant's object (see docs/services.md).
    path("catalogus/dienst/", views.ServiceDetailView.as_view(), name="detail"),
]
