from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("catalogus/", views.CatalogueView.as_view(), name="catalogue"),
    # The catalogue is shared by every tenant: a service page is open to every portal role.
    path("catalogus/<str:code>/", views.ServiceDetailView.as_view(), name="detail"),
]
