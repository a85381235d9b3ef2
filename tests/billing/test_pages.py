import pytest
from django.urls import reverse

from billing.models import BillingRun, Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from core.periods import Period
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import billing_world, invoice_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    return {i.customer.slug: i for i in Invoice.objects.select_related("customer")}


def test_a_contract_manager_sees_only_its_own_invoices(client, issued, world):
    client.force_login(user_with_role(world.alfa, Role.CONTRACT_MANAGER))
    body = client.get(reverse("billing:invoice_list")).content.decode()
    assert issued["alfa"].number in body
    assert issued["bravo"].number not in body


def test_finance_downloads_its_own_invoice_as_pdf(client, issued, world):
    client.force_login(user_with_role(world.alfa, Role.FINANCE))
    response = client.get(reverse("billing:invoice_pdf", kwargs={"pk": issued["alfa"].pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert issued["alfa"].number in response["Content-Disposition"]


def test_the_detail_page_offers_the_pdf_and_shows_the_lines(client, issued, world):
    client.force_login(user_with_role(world.alfa, Role.CONTRACT_MANAGER))
    body = client.get(reverse("billing:invoice_detail", kwargs={"pk": issued["alfa"].pk})).content.decode()
    assert reverse("billing:invoice_pdf", kwargs={"pk": issued["alfa"].pk}) in body
    assert "€ 3.086,25" in body


def test_provider_staff_start_a_run_and_issue_its_drafts(
    client, world, provider_staff, django_capture_on_commit_callbacks, monkeypatch
):
    from config.celery import app

    # The task itself runs on a real worker in test_tasks.py; here it runs in process.
    monkeypatch.setattr(
        app, "send_task", lambda name, kwargs=None, **options: app.tasks[name].apply(kwargs=kwargs)
    )
    client.force_login(provider_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("billing:run_list"), {"period": "2024-Q1"})
    run = BillingRun.objects.get()
    assert response.status_code == 302
    assert run.status == BillingRun.Status.DONE
    progress = client.get(reverse("billing:run_progress", kwargs={"pk": run.pk})).content.decode()
    assert "3 van 3" in progress
    client.post(reverse("billing:run_issue", kwargs={"pk": run.pk}))
    assert not Invoice.objects.filter(status=Invoice.Status.DRAFT).exists()


def test_starting_a_run_with_a_bad_period_shows_the_error_next_to_the_field(client, world, provider_staff):
    client.force_login(provider_staff)
    response = client.post(reverse("billing:run_list"), {"period": "2024-Q5"})
    assert response.status_code == 400
    assert "is geen periode" in response.content.decode()
    assert not BillingRun.objects.exists()


def test_provider_finance_may_see_runs_but_not_start_one(client, world, provider_finance):
    client.force_login(provider_finance)
    assert client.get(reverse("billing:run_list")).status_code == 200
    assert client.post(reverse("billing:run_list"), {"period": "2024-Q1"}).status_code == 404


def test_the_price_equality_page_shows_a_red_verdict_on_a_deviation(client, issued, world, provider_finance):
    from billing.models import InvoiceLine

    client.force_login(provider_finance)
    assert (
        "Gelijk: in 2024" in client.get(reverse("billing:price_equality"), {"year": "2024"}).content.decode()
    )
    InvoiceLine.objects.filter(invoice__customer=world.bravo, service__code="ICT-01").update(unit_price=1)
    body = client.get(reverse("billing:price_equality"), {"year": "2024"}).content.decode()
    assert "utrecht-alert--error" in body
    assert "Afwijking" in body


def test_the_dashboard_shows_this_years_invoiced_amount_against_the_yearly_total(client, settings):
    from django.utils import timezone

    year = timezone.localdate().year
    world = billing_world(year=year)
    run = run_billing(period=Period(year, quarter=1))
    issue_drafts(invoices=run.invoices.select_related("customer"))
    client.force_login(user_with_role(world.alfa, Role.CONTRACT_MANAGER))
    body = client.get(reverse("dashboard")).content.decode()
    # Alfa: 10 x (1234.50 + 99.99 + 250.00) a year = 15.844,90, of which a quarter is invoiced.
    assert "€ 3.961,23" in body
    assert "€ 15.844,90" in body
    assert "25%" in body


def _grow(customers, count):
    for customer in customers:
        for _ in range(count):
            invoice_for(customer)


@pytest.mark.parametrize("name", ["billing:invoice_list", "billing:run_list", "billing:price_equality"])
def test_list_pages_use_the_same_number_of_queries_for_little_and_much_data(
    client, provider_staff, django_assert_max_num_queries, name
):
    client.force_login(provider_staff)
    customers = billing_world().customers
    _grow(customers, 1)
    for number in range(3):
        BillingRun.objects.create(period=f"2024-0{number + 1}")
    with django_assert_max_num_queries(14):
        assert client.get(reverse(name)).status_code == 200
    _grow(customers, 15)
    for number in range(30):
        BillingRun.objects.create(period="2024-Q1", message=str(number))
    with django_assert_max_num_queries(14):
        assert client.get(reverse(name)).status_code == 200


def test_a_customers_invoice_list_uses_the_same_number_of_queries_for_little_and_much_data(
    client, django_assert_max_num_queries
):
    world = billing_world()
    client.force_login(user_with_role(world.alfa, Role.FINANCE))
    invoice_for(world.alfa)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("billing:invoice_list")).status_code == 200
    for _ in range(40):
        invoice_for(world.alfa)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("billing:invoice_list")).status_code == 200


def test_provider_staff_credit_one_line_from_the_invoice_page(client, issued, world, provider_staff):
    client.force_login(provider_staff)
    original = issued["alfa"]
    line = original.lines.get(service__code="ICT-01")
    response = client.post(
        reverse("billing:invoice_credit", kwargs={"pk": original.pk}),
        {"lines": [str(line.pk)], "reason": "Te veel"},
    )
    note = Invoice.objects.get(credited_invoice=original)
    assert response.status_code == 302
    assert response.url == reverse("billing:invoice_detail", kwargs={"pk": note.pk})
    assert note.net_total == -line.net_amount
    assert note.note == "Te veel"


def test_a_draft_is_not_shown_to_the_customer_until_it_is_issued(client, db):
    from billing.models import Invoice
    from tenants.roles import Role
    from tests.billing.factories import InvoiceFactory
    from tests.factories import OrganisationFactory, ProviderFactory, user_with_role

    ProviderFactory()
    org = OrganisationFactory(name="Gemeente Alfa", slug="alfa")
    draft = InvoiceFactory(customer=org, status=Invoice.Status.DRAFT, note="concept-alfa")
    client.force_login(user_with_role(org, Role.CONTRACT_MANAGER))
    assert client.get(f"/facturen/{draft.pk}/").status_code == 404
    assert draft.pk not in [i.pk for i in client.get("/facturen/").context["invoices"]]
