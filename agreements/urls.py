from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("overeenkomsten/", views.AgreementListView.as_view(), name="list"),
    path("overeenkomsten/mijn/", views.MyAgreementView.as_view(), name="mine"),
    path("overeenkomsten/<int:pk>/", views.AgreementDetailView.as_view(), name="detail"),
    path("overeenkomsten/<int:pk>/historie/", views.LineHistoryView.as_view(), name="history"),
    path("overeenkomsten/<int:pk>/ondertekenen/", views.SignAgreementView.as_view(), name="sign"),
    path("overeenkomsten/<int:pk>/document/", views.SignedDocumentView.as_view(), name="document"),
    path(
        "overeenkomsten/<int:pk>/wijzigingsverzoek/",
        views.ChangeRequestCreateView.as_view(),
        name="change-request-create",
    ),
    path("wijzigingsverzoeken/", views.ChangeRequestListView.as_view(), name="change-requests"),
    path("wijzigingsverzoeken/wachtrij/", views.QueueView.as_view(), name="queue"),
    path(
        "wijzigingsverzoeken/<int:pk>/", views.ChangeRequestDetailView.as_view(), name="change-request-detail"
    ),
    path("wijzigingsverzoeken/<int:pk>/besluit/", views.DecideView.as_view(), name="change-request-decide"),
    path(
        "wijzigingsverzoeken/<int:pk>/intrekken/",
        views.WithdrawView.as_view(),
        name="change-request-withdraw",
    ),
]
