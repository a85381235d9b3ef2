"""E-mail of the agreements app: change-request submissions and decisions, notice-deadline reminders.

These run in tasks (``agreements.tasks``), never inside a request: a service enqueues the task once its
transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.models import Membership, Organisation
from tenants.roles import Role

from ..calendar import agreement_calendar
from ..models import Agreement, ChangeRequest, NoticeReminder


def _emails_of(*, organisation_ids: Iterable[int] | QuerySet, role: str) -> list[str]:
    user_ids = Membership.objects.filter(organisation_id__in=organisation_ids, role=role).values("user_id")
    return sorted(
        set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def send_change_request_mail(*, request_id: int, event: str) -> int:
    """E-mail on submission (to Leiden's staff, copy to the submitter) and on decision (to the customer's
    contract managers and the submitter). Runs in a task after the commit; returns the number of recipients."""
    request = (
        ChangeRequest.objects.select_related("agreement", "agreement__customer", "service", "submitted_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    customer = request.agreement.customer
    submitter = [request.submitted_by.email] if request.submitted_by.email else []
    if event == "submitted":
        provider_ids = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values("pk")
        recipients = _emails_of(organisation_ids=provider_ids, role=Role.PROVIDER_STAFF)
        subject = _("Nieuw wijzigingsverzoek van %(customer)s") % {"customer": customer.name}
    else:
        recipients = _emails_of(organisation_ids=[customer.pk], role=Role.CONTRACT_MANAGER)
        subject = _("Besluit over uw wijzigingsverzoek: %(status)s") % {
            "status": request.get_status_display().lower()
        }
    recipients = sorted(set(recipients) | set(submitter))
    if not recipients:
        return 0
    body = render_to_string(f"agreements/email/change_request_{event}.txt", {"request": request})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)


# --- Notice deadlines -----------------------------------------------------------------------------


def send_notice_reminders(*, today: date | None = None, lead_days: int | None = None) -> int:
    """E-mail the contract managers of every agreement whose notice deadline lies within the lead time,
    once per deadline. Safe to run twice a day: the second run finds every reminder recorded."""
    today = today or timezone.localdate()
    lead_days = settings.NOTICE_LEAD_DAYS if lead_days is None else lead_days
    sent = 0
    candidates = Agreement.objects.filter(status=Agreement.Status.ACTIVE, end_date__isnull=True).values_list(
        "pk", flat=True
    )
    for agreement_id in candidates:
        sent += _remind_of_notice_deadline(agreement_id=agreement_id, today=today, lead_days=lead_days)
    return sent


@transaction.atomic
def _remind_of_notice_deadline(*, agreement_id: int, today: date, lead_days: int) -> int:
    agreement = Agreement.objects.select_for_update().select_related("customer").get(pk=agreement_id)
    calendar = agreement_calendar(agreement, today=today)
    deadline = calendar.notice_deadline
    if deadline is None or (deadline - today).days > lead_days:
        return 0
    if NoticeReminder.objects.filter(agreement=agreement, deadline=deadline).exists():
        return 0
    recipients = _emails_of(organisation_ids=[agreement.customer_id], role=Role.CONTRACT_MANAGER)
    NoticeReminder.objects.create(agreement=agreement, deadline=deadline, recipients=", ".join(recipients))
    if recipients:
        subject = _("Uiterste opzegdatum %(date)s voor %(number)s") % {
            "date": deadline.strftime("%d-%m-%Y"),
            "number": agreement.number,
        }
        body = render_to_string(
            "agreements/email/notice_deadline.txt",
            {"agreement": agreement, "calendar": calendar, "days_left": (deadline - today).days},
        )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return 1
