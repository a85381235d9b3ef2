"""After the transition: the few changes an employee's record takes (the transfer itself is fixed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import save_with_history
from tenants.types import User

from ..models import TRANSFER_FIELDS, Employee


@transaction.atomic
def update_employee(*, employee: Employee, by: User | None = None, **changes: Any) -> Employee:
    """Change an employee's department (the rest of a transferred employee is the transfer's record)."""
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    locked = [name for name in changes if name in TRANSFER_FIELDS]
    if employee.is_transferred and any(changes[name] != getattr(employee, name) for name in locked):
        raise ValidationError(
            _("Functie, schaal en fte van een overgegane medewerker liggen vast met de transitie.")
        )
    allowed = {"department", *TRANSFER_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("Deze gegevens kunnen hier niet worden gewijzigd: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    for name, value in changes.items():
        setattr(employee, name, value)
    return save_with_history(employee, by=by)
