"""Demo agreements for ``seed_demo``: one active, signed agreement per municipality from 2023-01-01.

Lines for every demo year (2023 up to this year, and next year once its tariffs are set:
``services.demo.demo_years``) hold the basic package and a selection of optional services, with volumes
from the catalogue's ``typical_volume`` for the municipality's size, drifting a little per year. Each
year's lines are recorded in the history on the day they were agreed (the signing in December 2022 for
2023, 1 November of the year before for later years). A few change requests in every state show the
workflow, dated relative to today: decided ones last year, open ones for the next quarter, each
submitted before it takes effect. Idempotent: an existing agreement keeps its lines (the
transition later sets the 2023 volumes to Servicepunt71's), missing lines are added, and each demo request
exists once.
"""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from core.periods import Period
from core.texts import Reason
from services.demo import as_aware, demo_years, typical_volume
from services.models import Service
from tenants.models import Organisation

from .models import Agreement, AgreementLine, ChangeRequest
from .services.agreements import create_agreement, next_agreement_number
from .services.change_requests import (
    approve_change_request,
    reject_change_request,
    submit_change_request,
    withdraw_change_request,
)
from .services.lines import set_line_volumes

START = date(2023, 1, 1)
INHABITANTS = {"leiden": 125_000, "leiderdorp": 28_000, "oegstgeest": 26_000, "zoeterwoude": 9_000}
# Share of the optional services each municipality takes (Leiden, the largest, takes nearly all).
OPTIONAL_SHARE = {"leiden": 90, "leiderdorp": 70, "oegstgeest": 65, "zoeterwoude": 50}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _stable(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _volume(service: Service, slug: str, year: int) -> Decimal:
    """The typical volume, drifting between -2% and +4% a year, rounded like a contract manager would."""
    base = typical_volume(service, INHABITANTS[slug])
    drift = Decimal(100)
    for y in range(START.year + 1, year + 1):
        drift += Decimal(_stable(slug, service.code, y) % 7 - 2)
    value = base * drift / Decimal(100)
    # Whole units (workstations, employees, invoices); tens from a thousand.
    step = Decimal(10) if value >= 1000 else Decimal(1)
    return max((value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step, Decimal(1))


def _whole(volume: Decimal) -> Decimal:
    """A countable unit is taken whole; at least one."""
    return max(volume.to_integral_value(rounding=ROUND_HALF_UP), Decimal(1))


def _services_in(year: int) -> list[Service]:
    return list(
        Service.objects.filter(active_from__lte=date(year, 12, 31))
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=date(year, 1, 1)))
        .order_by("code")
    )


def _takes(service: Service, slug: str) -> bool:
    return service.is_basic or _stable("optional", slug, service.code) % 100 < OPTIONAL_SHARE[slug]


def _signed_pdf(agreement: Agreement) -> bytes:
    """A one-page PDF standing in for the scanned, signed agreement."""
    text = f"Dienstverleningsovereenkomst {agreement.number} - {agreement.customer.name} (voorbeeld)"
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _agreement_for(customer: Organisation, provider: Organisation, users: dict) -> tuple[Agreement, bool]:
    existing = (
        Agreement.objects.filter(customer=customer, provider=provider, start_date=START)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    agreement = create_agreement(
        customer=customer,
        provider=provider,
        start_date=START,
        number=next_agreement_number(customer=customer, start_date=START),
        status=Agreement.Status.ACTIVE,
        by=users.get("provider.staff"),
        customer_signed_by=users.get(f"cm.{customer.slug}"),
        customer_signed_at=datetime(2022, 12, 12, 10, 30, tzinfo=AMSTERDAM),
        provider_signed_by=users.get("provider.staff"),
        provider_signed_at=datetime(2022, 12, 15, 14, 0, tzinfo=AMSTERDAM),
        notice_period_months=6,
        first_term_months=24,
        renewal_months=12,
    )
    agreement.signed_document.save(f"{agreement.number}.pdf", ContentFile(_signed_pdf(agreement)), save=True)
    return agreement, True


def _seed_lines(agreement: Agreement, slug: str, by, years: tuple[int, ...]) -> int:
    added = 0
    for year in years:
        present = set(
            AgreementLine.objects.filter(agreement=agreement, year=year).values_list("service_id", flat=True)
        )
        wanted = {
            s: _volume(s, slug, year) for s in _services_in(year) if _takes(s, slug) and s.pk not in present
        }
        if wanted:
            if year == START.year:
                reason, when = Reason("initial_volumes"), datetime(2022, 12, 15, 14, 0, tzinfo=AMSTERDAM)
            else:
                reason, when = Reason("yearly_volumes", year=year), as_aware(date(year - 1, 11, 1))
            set_line_volumes(agreement=agreement, year=year, volumes=wanted, by=by, reason=reason, when=when)
            added += len(wanted)
    return added


def _request(
    agreement,
    *,
    kind,
    service,
    effective_from,
    volume,
    motivation,
    by,
    submitted,
    decide=None,
    decided_by=None,
    decided=None,
):
    """One demo request, once: found again by its agreement and motivation. ``submitted`` and
    ``decided`` (aware datetimes, not after now) date it; it takes effect after it was submitted."""
    if ChangeRequest.objects.filter(agreement=agreement, motivation=motivation).exists():
        return 0
    now = timezone.now()
    submitted = min(submitted, now)
    request = submit_change_request(
        agreement=agreement,
        kind=kind,
        service=service,
        volume=volume,
        effective_from=effective_from,
        motivation=motivation,
        by=by,
        notify=False,
        at=submitted,
    )
    decided = min(max(decided or now, submitted + timedelta(hours=1)), now)
    if decide == "approve":
        approve_change_request(
            request=request,
            by=decided_by,
            reason="Past binnen de capaciteit; akkoord.",
            notify=False,
            at=decided,
        )
    elif decide == "reject":
        reject_change_request(
            request=request,
            by=decided_by,
            reason="Niet mogelijk in dit kwartaal; dien het verzoek opnieuw in voor het volgende jaar.",
            notify=False,
            at=decided,
        )
    elif decide == "withdraw":
        withdraw_change_request(request=request, by=by, reason="Toch niet nodig: het project is uitgesteld.")
    return 1


def _seed_requests(agreement: Agreement, users: dict, today: date) -> int:
    slug = agreement.customer.slug
    cm, staff = users.get(f"cm.{slug}"), users.get("provider.staff")
    if cm is None or staff is None:
        return 0
    year = today.year
    last_year = max(year - 1, START.year)
    # The next period start: open requests take effect then (after they were submitted, before now).
    upcoming = Period.containing(today, granularity=settings.BILLING_PERIOD).next().start
    lines_now = list(
        AgreementLine.objects.filter(agreement=agreement, year=year, service__is_basic=False)
        .select_related("service")
        .order_by("service__code")
    )
    taken = {line.service_id for line in AgreementLine.objects.filter(agreement=agreement, year=year)}
    not_taken = [s for s in _services_in(year) if s.pk not in taken and not s.is_basic]
    count = 0
    plans = []
    if len(lines_now) >= 3:
        first, second, third = lines_now[0], lines_now[1], lines_now[2]
        earlier = dict(
            AgreementLine.objects.filter(agreement=agreement, year=last_year).values_list(
                "service_id", "volume"
            )
        )

        def changed(line, factor: str, *, plus: int = 0) -> Decimal:
            """A whole new volume from the line's volume in ``last_year``, never equal to it."""
            current = earlier.get(line.service_id, line.volume)
            volume = _whole(current * Decimal(factor)) + plus
            return volume if volume != current else current + 1

        plans += [
            {
                "kind": ChangeRequest.Kind.CHANGE_VOLUME,
                "service": first.service,
                "effective_from": date(last_year, 1, 1),
                "volume": changed(first, "1.1", plus=1),
                "motivation": "Meer medewerkers door de groei van het sociaal domein.",
                "submitted": as_aware(date(last_year - 1, 10, 14), 10),
                "decided": as_aware(date(last_year - 1, 10, 28), 15),
                "decide": "approve",
            },
            {
                "kind": ChangeRequest.Kind.CHANGE_VOLUME,
                "service": second.service,
                "effective_from": date(last_year, 4, 1),
                "volume": changed(second, "0.5"),
                "motivation": "Halveren na de eigen aanbesteding.",
                "submitted": as_aware(date(last_year, 2, 10), 11),
                "decided": as_aware(date(last_year, 2, 24), 16),
                "decide": "reject",
            },
            {
                "kind": ChangeRequest.Kind.CHANGE_VOLUME,
                "service": third.service,
                "effective_from": upcoming,
                "volume": third.volume + 5,
                "motivation": "Extra afname voor het nieuwe project dienstverlening.",
                "submitted": as_aware(today - timedelta(days=9), 10),
            },
        ]
    if len(lines_now) >= 4:
        plans.append(
            {
                "kind": ChangeRequest.Kind.DROP,
                "service": lines_now[3].service,
                "effective_from": upcoming,
                "volume": None,
                "motivation": "Deze dienst vullen we voortaan zelf in.",
                "submitted": as_aware(today - timedelta(days=6), 14),
            }
        )
    if not_taken:
        plans.append(
            {
                "kind": ChangeRequest.Kind.ADD,
                "service": not_taken[0],
                "effective_from": upcoming,
                "volume": max(typical_volume(not_taken[0], INHABITANTS[slug]), Decimal(1)),
                "motivation": "Nieuwe behoefte vanuit het college.",
                "submitted": as_aware(today - timedelta(days=30), 9),
                "decided": as_aware(today - timedelta(days=16), 11),
                "decide": {"leiden": "approve", "oegstgeest": "approve", "zoeterwoude": "withdraw"}.get(
                    slug, "reject"
                ),
            }
        )
    for plan in plans:
        decide = plan.pop("decide", None)
        count += _request(agreement, by=cm, decide=decide, decided_by=staff, **plan)
    return count


def seed(*, password: str, log=print) -> None:
    provider = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).order_by("pk").first()
    if provider is None:
        log("agreements: no provider organisation, nothing seeded")
        return
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["provider.staff", *(f"cm.{slug}" for slug in INHABITANTS)]
        )
    }
    today = timezone.localdate()
    years = demo_years(today)
    created = lines = requests = 0
    for customer in Organisation.objects.filter(slug__in=list(INHABITANTS)).order_by("name"):
        agreement, is_new = _agreement_for(customer, provider, users)
        created += is_new
        lines += _seed_lines(agreement, customer.slug, users.get("provider.staff"), years)
        requests += _seed_requests(agreement, users, today)
    log(f"agreements: {created} agreements created, {lines} lines added, {requests} change requests added")
