"""One way to keep the audit trail: who changed a record, and why.

django-simple-history writes a history row on every ``save()`` and ``delete()``; these helpers say who
and why before that happens, so no service sets ``_history_user`` or ``_change_reason`` by hand, and bulk
writes keep their history too. ``.update()`` on an audited model writes no history: use
``update_with_history`` instead.

A reason is best a ``core.texts.Text`` (``Reason("renewal", year=2025)``): the history then stores a
key and parameters, and ``core.audit`` shows it in the reader's language. Free text stays as given.
``when=`` dates the history row at the moment the change happened in the business (demo data, imports
of past events) instead of now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.texts import Reason, Text, store

__all__ = [
    "Reason",
    "Text",
    "create_many",
    "delete_with_history",
    "record",
    "save_with_history",
    "update_many",
    "update_with_history",
]

M = TypeVar("M", bound=models.Model)

#: ``history_change_reason`` is a CharField(max_length=100) on every history table.
REASON_LENGTH = 100


def _reason(reason: Any) -> str:
    return store(reason or "", REASON_LENGTH)


def record(obj: M, *, by: Any = None, reason: Any = "", when: datetime | None = None) -> M:
    """Mark ``obj`` so that its next ``save()`` or ``delete()`` records ``by``, ``reason`` and ``when``.

    ``by`` may be ``None`` (a system action: the history row then names no user, or the request's user
    when the history middleware knows one). ``when`` (aware) dates the row; default now. Returns
    ``obj`` so a call can wrap the object inline.
    """
    if by is not None and getattr(by, "is_authenticated", False):
        obj._history_user = by  # type: ignore[attr-defined]
    if reason:
        obj._change_reason = _reason(reason)  # type: ignore[attr-defined]
    if when is not None:
        obj._history_date = when  # type: ignore[attr-defined]
    return obj


def save_with_history(
    obj: M, *, by: Any = None, reason: Any = "", when: datetime | None = None, **save_kwargs
) -> M:
    """``record`` and ``save`` in one call."""
    record(obj, by=by, reason=reason, when=when)
    obj.save(**save_kwargs)
    return obj


def delete_with_history(
    obj: models.Model, *, by: Any = None, reason: Any = "", when: datetime | None = None
) -> None:
    record(obj, by=by, reason=reason, when=when)
    obj.delete()


def _user(by: Any):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def create_many(
    objects: Sequence[M],
    model: type[M],
    *,
    by: Any = None,
    reason: Any = "",
    when: datetime | None = None,
    batch_size: int = 500,
) -> list[M]:
    """Insert ``objects`` in batches, each with its history row (who, why, when: default now)."""
    return bulk_create_with_history(
        list(objects),
        model,
        batch_size=batch_size,
        default_user=_user(by),
        default_change_reason=_reason(reason),
        default_date=when,
    )


def update_many(
    objects: Sequence[M],
    model: type[M],
    fields: Iterable[str],
    *,
    by: Any = None,
    reason: Any = "",
    when: datetime | None = None,
    batch_size: int = 500,
) -> int:
    """Update ``fields`` of ``objects`` in batches, each with its history row (who, why, when)."""
    objects = list(objects)
    if not objects:
        return 0
    bulk_update_with_history(
        objects,
        model,
        list(fields),
        batch_size=batch_size,
        default_user=_user(by),
        default_change_reason=_reason(reason),
        default_date=when,
    )
    return len(objects)


def update_with_history(queryset: models.QuerySet, *, by: Any = None, reason: Any = "", **values) -> int:
    """``queryset.update(**values)`` that keeps the history: the rows are loaded, changed and written back
    in bulk with a history row each. Use it on audited models instead of ``.update()``."""
    objects = list(queryset)
    for obj in objects:
        for name, value in values.items():
            setattr(obj, name, value)
    return update_many(objects, queryset.model, values.keys(), by=by, reason=reason)
