"""Demo data of the quality app: monthly measurements from January 2023 up to the last full month,
a few breaches with Leiden's explanation, the quarterly reports of past quarters, and a council reader
per municipality (``raad.<slug>``). Idempotent: a second run adds only months that have passed since."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.history import Reason, create_many
from core.periods import Period
from services.models import Service, ServiceLevel
from tenants.models import Organisation
from tenants.roles import Role
from tenants.services import add_membership

from .models import BreachNote, Kpi, Measurement, QuarterlyReport
from .selectors import FIRST_YEAR, last_full_quarter
from .services.breaches import save_breach_note
from .services.reports import issue_quarterly_report

SLUGS = ["leiden", "leiderdorp", "oegstgeest", "zoeterwoude"]
CALLS_PER_MONTH = {"leiden": 900, "leiderdorp": 210, "oegstgeest": 190, "zoeterwoude": 70}

# (slug, domain of the service, year, quarter, kpi, monthly values, explanation, remedy)
BREACHES = [
    (
        "leiderdorp",
        "ict",
        2023,
        3,
        Kpi.AVAILABILITY,
        ["99.10", "99.30", "99.60"],
        "Een storing in het datacenter in juli legde de werkplekken twee ochtenden stil.",
        "De tweede stroomvoorziening is in september aangelegd en wordt elk kwartaal getest.",
    ),
    (
        "oegstgeest",
        "hrm",
        2024,
        1,
        Kpi.RESOLUTION,
        ["84.00", "86.50", "88.00"],
        "Door de jaarwisseling van het salarispakket liepen meldingen langer door.",
        "Extra bezetting in januari en een vaste kennisbank voor de jaarwerkzaamheden.",
    ),
    (
        "zoeterwoude",
        "ict",
        2025,
        2,
        Kpi.SATISFACTION,
        ["6.40", "6.80", "6.90"],
        "De overgang naar de nieuwe werkplekken gaf veel vragen die niet in één keer werden opgelost.",
        "Een inloopspreekuur op het gemeentehuis op dinsdag en een handleiding per rol.",
    ),
    (
        "leiden",
        "fin",
        2024,
        4,
        Kpi.RESPONSE,
        ["87.00", "85.50", "90.00"],
        "Ziekte in het team crediteurenadministratie in november en december.",
        "Twee medewerkers zijn ingewerkt als vervanging; de wachtrij wordt dagelijks bewaakt.",
    ),
]


def _months(until: date):
    month = date(FIRST_YEAR, 1, 1)
    while month <= until:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def _value(rng: random.Random, kpi: str, slug: str) -> Decimal:
    if kpi == Kpi.AVAILABILITY:
        return Decimal(rng.randint(9972, 9995)) / 100
    if kpi in (Kpi.RESPONSE, Kpi.RESOLUTION):
        return Decimal(rng.randint(910, 985)) / 10
    if kpi == Kpi.SATISFACTION:
        return Decimal(rng.randint(72, 83)) / 10
    base = CALLS_PER_MONTH[slug]
    return Decimal(rng.randint(int(base * 0.8), int(base * 1.2)))


def _kpis(service: Service, levels: dict) -> list[str]:
    kpis = [Kpi.RESPONSE, Kpi.RESOLUTION, Kpi.SATISFACTION, Kpi.CALLS]
    if any(
        level.availability_percent is not None for (sid, _y), level in levels.items() if sid == service.pk
    ):
        kpis.insert(0, Kpi.AVAILABILITY)
    return kpis


def _seed_users(organisations: dict[str, Organisation], password: str) -> int:
    user_model = get_user_model()
    for slug, org in organisations.items():
        username = f"raad.{slug}"
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@{slug}.example.nl"}
        )
        user.set_password(password)
        user.first_name = str(Role.COUNCIL_READER.label)
        user.last_name = org.name
        user.save()
        add_membership(user=user, organisation=org, role=Role.COUNCIL_READER)
    return len(organisations)


def _breach_service(services: list[Service], domain: str) -> Service | None:
    return next((s for s in services if s.domain.code.lower().startswith(domain)), None)


def seed(*, password: str, log=print) -> None:
    organisations = {o.slug: o for o in Organisation.objects.filter(slug__in=SLUGS)}
    if not organisations:
        log("quality: no municipalities, nothing measured")
        return
    users = _seed_users(organisations, password)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    services = list(Service.objects.filter(is_basic=True).select_related("domain").order_by("code"))
    levels = {(sl.service_id, sl.year): sl for sl in ServiceLevel.objects.filter(service__in=services)}
    overrides = {}
    for slug, domain, year, quarter, kpi, values, _explanation, _remedy in BREACHES:
        service = _breach_service(services, domain)
        if service is None or slug not in organisations:
            continue
        for offset, value in enumerate(values):
            overrides[(slug, service.pk, date(year, 3 * quarter - 2 + offset, 1), kpi)] = Decimal(value)
    existing = set(
        Measurement.objects.filter(customer__in=organisations.values()).values_list(
            "customer_id", "service_id", "month", "kpi"
        )
    )
    new = []
    for slug, org in sorted(organisations.items()):
        for service in services:
            kpis = _kpis(service, levels)
            for month in _months(last_month):
                for kpi in kpis:
                    if (org.pk, service.pk, month, kpi) in existing:
                        continue
                    rng = random.Random(f"{slug}:{service.code}:{month:%Y-%m}:{kpi}")  # noqa: S311 - demo data
                    value = overrides.get((slug, service.pk, month, kpi)) or _value(rng, kpi, slug)
                    new.append(
                        Measurement(
                            customer=org, service=service, month=month, kpi=kpi, value=value, source="demo"
                        )
                    )
    create_many(new, Measurement, reason=Reason("measurements_demo"))
    notes = 0
    for slug, domain, year, quarter, kpi, _values, explanation, remedy in BREACHES:
        service = _breach_service(services, domain)
        if service is None or slug not in organisations or date(year, 3 * quarter, 1) > last_month:
            continue
        if BreachNote.objects.filter(
            customer=organisations[slug], service=service, year=year, quarter=quarter, kpi=kpi
        ).exists():
            continue
        save_breach_note(
            customer=organisations[slug],
            service=service,
            year=year,
            quarter=quarter,
            kpi=kpi,
            explanation=explanation,
            remedy=remedy,
        )
        notes += 1
    reports = 0
    last_quarter = last_full_quarter(today)
    period = Period(FIRST_YEAR, quarter=1)
    while period <= last_quarter:
        issued = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time(6, 0)))
        for org in organisations.values():
            _report, created = issue_quarterly_report(customer=org, period=period, notify=False, now=issued)
            reports += created
        period = period.next()
    log(
        f"quality: {len(new)} measurements, {notes} breach notes, {reports} quarterly reports, "
        f"{users} council readers (raad.<slug>); total reports {QuarterlyReport.objects.count()}"
    )
