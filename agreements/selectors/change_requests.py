"""Reads of change requests, scoped to the user."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.selectors import scoped
from tenants.types import User

from ..models import ChangeRequest


def change_requests_for(user: User) -> QuerySet[ChangeRequest]:
    return scoped(
        ChangeRequest.objects.select_related(
            "agreement", "agreement__customer", "service", "submitted_by", "decided_by"
        ),
        user,
        "agreement__customer",
    )


def open_change_requests_for(user: User) -> QuerySet[ChangeRequest]:
    return change_requests_for(user).filter(status=ChangeRequest.Status.SUBMITTED).order_by("submitted_at")
