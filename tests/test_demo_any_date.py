"""The demo is credible on any date: ``seed_demo`` with the clock on 1 January and on 1 December of a
later year builds its years from today, and every portal page opens for every demo role. In English
the pages show no Dutch stored texts and English number formats."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from agreements.models import Agreement, AgreementLine, ChangeRequest
from agreements.selectors import year_costs
from billing.models import Invoice
from budget.models import BudgetLetter
from quality.models import QuarterlyReport
from services.models import Tariff
from transition.models import SupplierContract, TransitionRun

from .test_cross_tenant import PLAIN_ROUTES

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROLES = [
    "cm.leiderdorp",
    "fin.leiderdorp",
    "raad.leiderdorp",
    "cm.leiden",
    "provider.staff",
    "provider.finance",
]
# Machine pages and exports: checked elsewhere, and slow to render for every role.
SKIPPED = {"schema", "api-docs", "quality:open_register_csv", "quality:open_register_json"}
PAGES = [name for name in PLAIN_ROUTES if not name.startswith("api:") and name not in SKIPPED]
# Stored Dutch texts that must not reach an English reader.
DUTCH = [
    "Verlenging:",
    "Afname bij de start",
    "Afname voor",
    "Dienstverleningsovereenkomst",
    "Indexatie",
    "Uitgevoerd:",
    "Wijzigingsverzoek ",
    "De tarieven van",
    "Bedragen exclusief btw",
    "Dezelfde prijs",
    "Ontvangst bevestigd",
    "Concept begrotingsbrief",
    "Transitie Servicepunt71",
    "Toestemming gegeven",
]
DUTCH_AMOUNT = re.compile(r"€ -?\d{1,3}(\.\d{3})+,\d{2}|€ -?\d+,\d{2}\b")
ENGLISH_AMOUNT = re.compile(r"€ -?\d{1,3}(,\d{3})*\.\d{2}\b")


def _seed(on: datetime) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _history_count() -> int:
    return sum(
        model.history.count()  # type: ignore[attr-defined]
        for model in (
            Tariff,
            Agreement,
            AgreementLine,
            ChangeRequest,
            Invoice,
            SupplierContract,
            BudgetLetter,
        )
    )


def _detail_urls(user) -> list[str]:
    """One page of each kind of the user's own demo objects (or any, for Leiden's roles)."""
    urls = []
    agreement = Agreement.objects.filter(status=Agreement.Status.ACTIVE).order_by("pk")
    org = user.memberships.first().organisation if hasattr(user, "memberships") else None
    if org is not None and org.kind != "provider":
        agreement = agreement.filter(customer=org)
    agreement = agreement.first()
    if agreement is not None:
        urls += [
            reverse("agreements:detail", args=[agreement.pk]),
            reverse("agreements:history", args=[agreement.pk]),
            reverse("budget:what_if", args=[agreement.pk]),
        ]
        invoice = Invoice.objects.filter(customer=agreement.customer).exclude(status="draft").first()
        if invoice is not None:
            urls.append(reverse("billing:invoice_detail", args=[invoice.pk]))
        letter = BudgetLetter.objects.filter(customer=agreement.customer).exclude(status="draft").first()
        if letter is not None:
            urls.append(reverse("budget:letter_detail", args=[letter.pk]))
        report = QuarterlyReport.objects.filter(customer=agreement.customer).first()
        if report is not None:
            urls.append(reverse("quality:report_detail", args=[report.pk]))
        request = ChangeRequest.objects.filter(agreement=agreement).first()
        if request is not None:
            urls.append(reverse("agreements:change-request-detail", args=[request.pk]))
    run = TransitionRun.objects.filter(status="executed").first()
    if run is not None:
        urls.append(reverse("transition:report"))
    tariff = Tariff.objects.order_by("-year").first()
    urls += [
        reverse("services:detail", args=[tariff.service.code]),
        reverse("history-tarief", args=[tariff.pk]),
    ]
    return urls


def _open_every_page(client) -> dict[str, dict[str, str]]:
    pages: dict[str, dict[str, str]] = {}
    users = get_user_model().objects.filter(username__in=ROLES).prefetch_related("memberships__organisation")
    assert {u.username for u in users} == set(ROLES)
    for user in users:
        client.force_login(user)
        pages[user.username] = {}
        for url in [reverse(name) for name in PAGES] + _detail_urls(user):
            response = client.get(url)
            assert response.status_code < 500, f"{url} as {user.username}: {response.status_code}"
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages[user.username][url] = response.content.decode()
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize(
    "on",
    [datetime(2027, 1, 1, 9, 0, tzinfo=AMSTERDAM), datetime(2027, 12, 1, 9, 0, tzinfo=AMSTERDAM)],
    ids=["1-january", "1-december"],
)
def test_seed_demo_on_any_date_opens_every_page_for_every_role(client, on):
    with time_machine.travel(on, tick=False):
        _seed(on)
        years = set(Tariff.objects.values_list("year", flat=True))
        next_year = on.year + 1
        # Tariffs up to this year, and next year's once the indexation date (1 October) has passed.
        assert years == set(range(2023, next_year + 1 if on.month >= 10 else next_year))
        # Contracts in proportion to the agreements' revenue: a third to a half of it.
        revenue = sum(
            year_costs(agreement=a, year=2023).total for a in Agreement.objects.filter(start_date__year=2023)
        )
        contracts = sum(SupplierContract.objects.values_list("annual_value", flat=True), Decimal(0))
        assert revenue / 3 <= contracts <= revenue / 2
        statuses = dict.fromkeys(SupplierContract.Novation.values, 0)
        for status in SupplierContract.objects.values_list("novation_status", flat=True):
            statuses[status] += 1
        assert statuses["given"] > 90
        assert statuses["refused"] > 0
        assert statuses["pending"] > 0
        # History on the business dates, renewals as the system, requests submitted before they apply.
        assert Tariff.history.filter(year=2025, history_date__year=2024).exists()
        assert not AgreementLine.history.filter(
            history_change_reason__startswith="§renewal", history_user__isnull=False
        ).exists()
        for request in ChangeRequest.objects.all():
            assert request.submitted_at.date() < request.effective_from
            assert request.submitted_at <= on
        assert all(line.volume == line.volume.to_integral_value() for line in AgreementLine.objects.all())
        if on.month == 12:
            agreement = Agreement.objects.get(customer__slug="leiderdorp", status=Agreement.Status.ACTIVE)
            assert year_costs(agreement=agreement, year=next_year).total > 0
            assert BudgetLetter.objects.filter(year=next_year, net_total__gt=0).exists()

        pages = _open_every_page(client)
        assert pages["cm.leiderdorp"], "no page opened for the contract manager"
        if on.month == 12:
            client.force_login(get_user_model().objects.get(username="provider.finance"))
            budget = client.get(f"{reverse('budget:realisation')}?year={next_year}")
            assert budget.status_code == 200

        # Idempotent: a second run changes nothing and writes no history.
        before = _history_count()
        _seed(on)
        assert _history_count() == before


@pytest.mark.django_db
def test_the_demo_in_english_shows_no_dutch_stored_texts_and_english_numbers(client):
    on = datetime(2027, 12, 1, 9, 0, tzinfo=AMSTERDAM)
    with time_machine.travel(on, tick=False):
        _seed(on)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for username in ("cm.leiderdorp", "provider.staff"):
            user = get_user_model().objects.get(username=username)
            client.force_login(user)
            for url in _detail_urls(user) + [reverse("dashboard"), reverse("billing:run_list")]:
                page = client.get(url).content.decode()
                body = page.split("<main", 1)[-1]
                for word in DUTCH:
                    assert word not in body, f"{url} as {username} shows the Dutch '{word}' in English"
                assert not DUTCH_AMOUNT.search(body), (
                    f"{url} shows a Dutch amount: {DUTCH_AMOUNT.search(body)[0]}"
                )
        agreement = Agreement.objects.get(customer__slug="leiderdorp", status=Agreement.Status.ACTIVE)
        client.force_login(get_user_model().objects.get(username="cm.leiderdorp"))
        page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
        assert ENGLISH_AMOUNT.search(page)
        assert "Service agreement" in page
