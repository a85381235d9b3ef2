"""Cross-tenant registry of the billing pages (the API's entries live in tenancy_api.py)."""

from billing.models import Invoice
from tenants.roles import PROVIDER_ROLES, Role
from tests.tenancy import detail_route, populator

from .factories import BillingRunFactory, invoice_for

STAFF = {Role.PROVIDER_STAFF}


@populator
def invoices(org):
    invoice_for(org, purpose=Invoice.Purpose.PERIODIC)


@detail_route("billing:invoice_detail")
def invoice_detail(org):
    return {"pk": invoice_for(org).pk}


@detail_route("billing:invoice_pdf")
def invoice_pdf(org):
    return {"pk": invoice_for(org).pk}


@detail_route("billing:invoice_issue", roles=(), provider_roles=STAFF, method="post", ok_statuses=(302,))
def invoice_issue(org):
    return {"pk": invoice_for(org, status=Invoice.Status.DRAFT).pk}


@detail_route("billing:invoice_paid", roles=(), provider_roles=STAFF, method="post", ok_statuses=(302,))
def invoice_paid(org):
    return {"pk": invoice_for(org).pk}


@detail_route(
    "billing:invoice_credit",
    roles=(),
    provider_roles=STAFF,
    method="post",
    ok_statuses=(302,),
    data={"reason": "Correctie"},
)
def invoice_credit(org):
    return {"pk": invoice_for(org).pk}


# Billing runs belong to the provider: no customer role may open them, whoever's invoices they made.
@detail_route("billing:run_detail", roles=(), provider_roles=PROVIDER_ROLES)
def run_detail(org):
    run = BillingRunFactory()
    invoice = invoice_for(org, status=Invoice.Status.DRAFT)
    Invoice.objects.filter(pk=invoice.pk).update(billing_run=run)
    return {"pk": run.pk}


@detail_route("billing:run_progress", roles=(), provider_roles=PROVIDER_ROLES)
def run_progress(org):
    return {"pk": BillingRunFactory().pk}


@detail_route("billing:run_issue", roles=(), provider_roles=STAFF, method="post", ok_statuses=(302,))
def run_issue(org):
    run = BillingRunFactory()
    invoice = invoice_for(org, status=Invoice.Status.DRAFT)
    Invoice.objects.filter(pk=invoice.pk).update(billing_run=run)
    return {"pk": run.pk}


@detail_route("billing:run_retry", roles=(), provider_roles=STAFF, method="post", ok_statuses=(302,))
def run_retry(org):
    from billing.models import BillingRun

    return {"pk": BillingRunFactory(status=BillingRun.Status.FAILED).pk}
