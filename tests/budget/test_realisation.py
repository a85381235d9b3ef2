"""Budget against realisation, the alert, the pages with their charts, PDF, XLSX, the what-if and the API."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from billing.models import Invoice
from billing.services.issuing import issue_drafts
from billing.services.runs import run_billing
from budget.models import BudgetAlert
from budget.selectors import realisation_of
from budget.services import check_budget_overruns, generate_budget_letters, issue_budget_letter
from core.periods import Period
from tests.services.factories import ServiceFactory, TariffFactory

pytestmark = pytest.mark.django_db


def _bill(*periods):
    for period in periods:
        run = run_billing(period=Period.parse(period))
        issue_drafts(invoices=Invoice.objects.filter(billing_run=run).select_related("customer"))


def _budget(world, year=2026):
    return {
        letter.customer.slug: issue_budget_letter(letter=letter)
        for letter in generate_budget_letters(year=year).letters
    }


def test_forecast_is_invoiced_plus_the_remaining_periods_and_equals_the_budget_when_nothing_changed(world):
    letters = _budget(world)
    _bill("2026-Q1", "2026-Q2", "2026-Q3")
    r = realisation_of(customer=world.alfa, year=2026)
    assert r.total.budget == letters["alfa"].net_total == Decimal("128951.60")
    assert r.total.invoiced == Decimal("96713.70")  # three quarters of 32.237,90
    assert r.total.forecast == r.total.budget
    assert r.total.deviation == 0
    assert r.quarters[4].invoiced == 0
    assert r.quarters[4].forecast == Decimal("32237.90")
    assert {d.domain.code: d.year.budget for d in r.domains} == {
        "ict": Decimal("105000.00"),
        "hrm": Decimal("23951.60"),
    }


def test_a_change_after_the_letter_shows_as_a_deviation_in_euros_and_percent(world, staff):
    from agreements.services.lines import set_line_volumes

    _budget(world)
    _bill("2026-Q1", "2026-Q2", "2026-Q3")
    set_line_volumes(
        agreement=world.agreements["alfa"],
        year=2026,
        volumes={world.services["ICT-01"]: Decimal(200)},
        effective_from=date(2026, 10, 1),
        reason="Meer werkplekken",
    )
    r = realisation_of(customer=world.alfa, year=2026)
    # Q4 at 200 workstations instead of 100: 100 x 1.050,00 / 4 = 26.250,00 more.
    assert r.total.deviation == Decimal("26250.00")
    assert r.total.deviation_percent == Decimal("20.36")
    assert r.exceeds(Decimal(5))
    assert r.is_over_budget
    assert check_budget_overruns(today=date(2026, 12, 1), notify=False) == 1
    assert check_budget_overruns(today=date(2026, 12, 2)) == 0  # once per quarter
    alert = BudgetAlert.objects.get()
    assert (alert.customer, alert.year, alert.quarter) == (world.alfa, 2026, 4)


def test_without_a_letter_there_is_no_budget_and_no_alert(world):
    r = realisation_of(customer=world.alfa, year=2026)
    assert r.total.budget is None
    assert r.total.deviation is None
    assert not r.exceeds(Decimal(0))
    assert check_budget_overruns(today=date(2026, 12, 1)) == 0


# --- Pages ---------------------------------------------------------------------------------------


def test_the_letter_page_shows_lines_totals_scenarios_and_the_same_price_statement(client, world, manager):
    letter = _budget(world)["alfa"]
    client.force_login(manager)
    page = client.get(reverse("budget:letter_detail", args=[letter.pk])).content.decode()
    assert "€ 128.951,60" in page
    assert "€ 5.601,60" in page
    assert "€ 1.050,00" in page
    assert "Dezelfde prijs voor iedere gemeente" in page
    assert "0.5 Treasury" in page
    assert "€ 122.504,02" in page
    assert "€ 135.399,18" in page
    # The chart's text alternative states the figures.
    assert '<desc id="letter-' in page
    assert "verwacht € 105.000,00" in page
    assert "Ontvangst bevestigen" in page
    response = client.post(reverse("budget:letter_acknowledge", args=[letter.pk]))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.acknowledged_by == manager


def test_a_draft_is_the_providers_work_in_progress(client, world, manager, staff):
    draft = next(x for x in generate_budget_letters(year=2026).letters if x.customer == world.alfa)
    client.force_login(manager)
    assert client.get(reverse("budget:letter_detail", args=[draft.pk])).status_code == 404
    client.force_login(staff)
    page = client.get(reverse("budget:letter_detail", args=[draft.pk])).content.decode()
    assert "Verzenden" in page


def test_provider_staff_generate_review_and_issue_all_four_in_the_portal(client, world, staff):
    client.force_login(staff)
    response = client.post(reverse("budget:generate"), {"year": "2027", "provisional_percent": "3,0"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "4 concepten voor 2027 klaargezet" in page
    assert "voorlopig" in page
    response = client.post(reverse("budget:issue_all"), {"year": "2027"}, follow=True)
    assert "4 begrotingsbrieven verzonden" in response.content.decode()
    assert len(mail.outbox) == 0 or all("Begrotingsbrief 2027" in m.subject for m in mail.outbox)


def test_the_pdf_reads_back_with_the_figures_and_the_provisional_mark(client, world, finance, tmp_path):
    letters = generate_budget_letters(year=2027, provisional_percent="3.0").letters
    letter = issue_budget_letter(letter=next(x for x in letters if x.customer == world.alfa))
    client.force_login(finance)
    response = client.get(reverse("budget:letter_pdf", args=[letter.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "brief.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Begrotingsbrief 2027" in text
    assert "VOORLOPIG" in text
    assert letter.number in text
    assert "Dezelfde prijs voor iedere gemeente" in text
    assert "€ 108.150,00" in text


def test_the_xlsx_holds_every_line_and_the_totals(client, world, finance, tmp_path):
    letter = _budget(world)["alfa"]
    client.force_login(finance)
    response = client.get(reverse("budget:letter_xlsx", args=[letter.pk]))
    path = tmp_path / "brief.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("service", "service_name", "domain")
    assert {r[0] for r in rows[1:4]} == {"ICT-01", "HRM-01", "FIN-02"}
    assert any(r[1] == "Totaal exclusief btw" and Decimal(str(r[7])) == Decimal("128951.60") for r in rows)


def test_the_realisation_page_and_dashboard_show_charts_with_their_figures(client, world, manager):
    _budget(world)
    _bill("2026-Q1")
    client.force_login(manager)
    page = client.get(reverse("budget:realisation")).content.decode()
    assert "Gemeente Bravo" not in page
    assert "€ 128.951,60" in page
    assert "Q1: begroting € 32.237,90, prognose € 32.237,90, gefactureerd € 32.237,90" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert 'role="img"' in dashboard
    assert "2026: begroting € 128.951,60" in dashboard
    assert '<script src="http' not in dashboard
    assert "fonts.googleapis" not in dashboard


def test_the_agreement_page_shows_the_chosen_year_beside_the_previous_with_deltas(client, world, manager):
    client.force_login(manager)
    page = client.get(reverse("agreements:detail", args=[world.agreements["alfa"].pk])).content.decode()
    assert "2026 naast 2025" in page
    assert "Subtotaal ICT" in page
    # ICT-01: 100 x (1.050,00 - 1.000,00) = 5.000,00 more than in 2025.
    assert "€ 5.000,00" in page
    assert 'data-testid="what-if-link"' in page
    page = client.get(
        reverse("agreements:detail", args=[world.agreements["alfa"].pk]) + "?jaar=2025"
    ).content.decode()
    assert "lines-2025" in page
    assert "2026 naast 2025" not in page


def test_what_if_shows_the_effect_and_turns_into_a_prefilled_change_request(client, world, manager):
    _budget(world)
    client.force_login(manager)
    url = reverse("budget:what_if", args=[world.agreements["alfa"].pk])
    page = client.get(url, {"afname_ICT-01": "1.100", "per": "2027-01-01"}).content.decode()
    # 2027 (no tariffs yet: priced at 2026's): 1.100 instead of 100 workstations = +1.050.000,00.
    assert "€ 1.050.000,00" in page
    assert "Wijzigingsverzoek voor ICT-01" in page
    link = re.search(r'href="(/overeenkomsten/\d+/wijzigingsverzoek/\?[^"]+)"', page)[1].replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert 'value="1100"' in form
    assert 'value="2027-01-01"' in form
    page = client.get(url, {"afname_ICT-01": "veel"}).content.decode()
    assert "vul een getal in" in page


@pytest.mark.parametrize("extra", [1, 12])
def test_list_pages_and_endpoints_keep_their_query_count(
    client, world, manager, staff, django_assert_max_num_queries, extra
):
    for i in range(extra):
        service = ServiceFactory(code=f"QRY-{i:02d}", domain=world.services["HRM-01"].domain)
        for year in (2025, 2026):
            TariffFactory(service=service, year=year, unit_price=Decimal("10.00"))
        from agreements.services.lines import set_line_volumes

        set_line_volumes(agreement=world.agreements["alfa"], year=2026, volumes={service: Decimal(i + 1)})
    for _ in range(2 if extra > 1 else 1):
        _budget(world)
    _bill("2026-Q1")
    for user in (manager, staff):
        client.force_login(user)
        for url in (
            reverse("budget:letter_list"),
            reverse("budget:realisation"),
            reverse("api:budget-letter-list"),
            reverse("api:budget-letter-list") + "?format=csv",
            reverse("api:budget-realisation-list") + "?year=2026",
        ):
            with django_assert_max_num_queries(60):
                response = client.get(url)
                assert response.status_code == 200, url
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)


# --- API -----------------------------------------------------------------------------------------


def test_the_api_lists_letters_with_lines_and_money_as_strings(client, world, finance):
    letters = _budget(world)
    client.force_login(finance)
    data = client.get(reverse("api:budget-letter-list")).json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["customer"] == "alfa"
    assert row["expected_total"] == "128951.60"
    assert row["status"] == "issued"
    assert row["low_total"] == "122504.02"
    assert row["is_provisional"] is False
    assert row["version"] == 1
    assert {line["service"]: line["unit_price"] for line in row["lines"]}["ICT-01"] == "1050.00"
    assert client.get(reverse("api:budget-letter-detail", args=[letters["bravo"].pk])).status_code == 404
    csv_text = b"".join(
        client.get(reverse("api:budget-letter-list") + "?format=csv").streaming_content
    ).decode()
    assert csv_text.splitlines()[0].startswith("id,number,customer,year,version,status,is_provisional")
    assert "bravo" not in csv_text
    pdf = client.get(reverse("api:budget-letter-pdf", args=[letters["alfa"].pk]))
    assert pdf.status_code == 200
    assert pdf.content[:4] == b"%PDF"


def test_the_realisation_api_per_customer_and_domain(client, world, finance, staff):
    _budget(world)
    _bill("2026-Q1")
    client.force_login(finance)
    data = client.get(reverse("api:budget-realisation-list") + "?year=2026").json()
    rows = {(r["customer"], r["domain"]): r for r in data["results"]}
    assert {c for c, _d in rows} == {"alfa"}
    assert rows[("alfa", "total")]["budget"] == "128951.60"
    assert rows[("alfa", "total")]["deviation"] == "0.00"
    assert rows[("alfa", "ict")]["invoiced"] == "26250.00"
    assert client.get(reverse("api:budget-realisation-list") + "?year=abc").status_code == 400
    client.force_login(staff)
    data = client.get(reverse("api:budget-realisation-list") + "?year=2026&format=csv")
    text = b"".join(data.streaming_content).decode()
    assert text.splitlines()[0] == "customer,year,domain,budget,invoiced,forecast,deviation,deviation_percent"
    assert "bravo,2026,total" in text
