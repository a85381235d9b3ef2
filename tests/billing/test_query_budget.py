"""Billing's query budget: draft and issue together cost a fixed number of queries per invoice, whatever
the number of lines and customers (object permissions granted in bulk, the year's tariffs read once)."""

import pytest

from billing.models import Invoice
from billing.services.runs import run_billing
from core.periods import Period

from .factories import billing_world

# Draft (plan, lock, invoice, history, lines, grants) and issue (recalculation, number, history,
# billed period) of one invoice, and the run's own bookkeeping per invoice.
QUERIES_PER_INVOICE = 36


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="known defect: the run's heartbeats add queries per invoice; 470 against a budget of 432 for 12 customers",
)
@pytest.mark.parametrize(("customers", "services"), [(12, 3), (12, 30)])
def test_a_billing_run_stays_within_its_query_budget_per_invoice(
    customers, services, django_assert_max_num_queries
):
    world = billing_world(extra_customers=customers - 3, services=services)
    with django_assert_max_num_queries(QUERIES_PER_INVOICE * len(world.customers)):
        run = run_billing(period=Period.parse("2024-Q1"), issue=True)
    assert run.status == run.Status.DONE, run.message
    assert Invoice.objects.filter(status=Invoice.Status.ISSUED).count() == len(world.customers)
