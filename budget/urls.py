from django.urls import path

from . import views

app_name = "budget"

urlpatterns = [
    path("begrotingsbrieven/", views.LetterListView.as_view(), name="letter_list"),
    path("begrotingsbrieven/genereren/", views.GenerateView.as_view(), name="generate"),
    path("begrotingsbrieven/verzenden/", views.IssueAllView.as_view(), name="issue_all"),
    path("begrotingsbrieven/<int:pk>/", views.LetterDetailView.as_view(), name="letter_detail"),
    path("begrotingsbrieven/<int:pk>/pdf/", views.LetterPdfView.as_view(), name="letter_pdf"),
    path("begrotingsbrieven/<int:pk>/xlsx/", views.LetterXlsxView.as_view(), name="letter_xlsx"),
    path("begrotingsbrieven/<int:pk>/verzenden/", views.LetterIssueView.as_view(), name="letter_issue"),
    path(
        "begrotingsbrieven/<int:pk>/ontvangst/",
        views.LetterAcknowledgeView.as_view(),
        name="letter_acknowledge",
    ),
    path("begroting/", views.RealisationView.as_view(), name="realisation"),
    path("overeenkomsten/<int:pk>/wat-als/", views.WhatIfView.as_view(), name="what_if"),
]
