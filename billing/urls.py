from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("facturen/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("facturen/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("facturen/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path("facturen/<int:pk>/verzenden/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("facturen/<int:pk>/betaald/", views.InvoicePaidView.as_view(), name="invoice_paid"),
    path("facturen/<int:pk>/crediteren/", views.InvoiceCreditView.as_view(), name="invoice_credit"),
    path("facturatie/", views.BillingRunListView.as_view(), name="run_list"),
    path("facturatie/<int:pk>/", views.BillingRunDetailView.as_view(), name="run_detail"),
    path("facturatie/<int:pk>/voortgang/", views.BillingRunProgressView.as_view(), name="run_progress"),
    path("facturatie/<int:pk>/verzenden/", views.BillingRunIssueView.as_view(), name="run_issue"),
    path("facturatie/<int:pk>/opnieuw/", views.BillingRunRetryView.as_view(), name="run_retry"),
    path("prijsgelijkheid/", views.PriceEqualityView.as_view(), name="price_equality"),
]
