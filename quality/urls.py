from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("kwaliteit/", views.ScorecardView.as_view(), name="scorecard"),
    path("kwaliteit/jaar/", views.ScorecardView.as_view(yearly=True), name="scorecard_year"),
    path(
        "kwaliteit/gemeente/<slug:customer>/<str:code>/", views.ServiceQualityView.as_view(), name="service"
    ),
    path("kwaliteit/metingen/", views.MeasurementUploadView.as_view(), name="upload"),
    path(
        "kwaliteit/toelichting/<slug:customer>/<str:service>/<int:year>/<int:quarter>/<str:kpi>/",
        views.BreachNoteView.as_view(),
        name="breach_note",
    ),
    path("rapportages/", views.ReportListView.as_view(), name="report_list"),
    path("rapportages/maken/", views.GenerateReportsView.as_view(), name="report_generate"),
    path("rapportages/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("rapportages/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report_pdf"),
    path("open/tarieven/", views.OpenRegisterView.as_view(), name="open_register"),
    path("open/tarieven.csv", views.open_register_csv, name="open_register_csv"),
    path("open/tarieven.json", views.open_register_json, name="open_register_json"),
]
