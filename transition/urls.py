from django.urls import path

from . import views

app_name = "transition"

urlpatterns = [
    path("transitie/", views.ReportView.as_view(), name="report"),
    path("transitie/medewerkers/", views.EmployeeListView.as_view(), name="employees"),
    path("transitie/medewerkers/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee"),
    path("transitie/contracten/", views.ContractListView.as_view(), name="contracts"),
]
