"""The audit trail read back for people: who changed what, when, from what to what, and why.

Works on any model that keeps django-simple-history; the apps say which of their models are audited
and who may read them (``core.portal.Audited``), ``config.history`` serves one page and one endpoint for
all of them. Reading costs a fixed number of queries however long the history is: one per history table
and one per kind of related object named in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from core.texts import render

_SKIPPED = {"id", "history_id", "history_date", "history_user", "history_type", "history_change_reason"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    subject: str
    action: str
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """History records of one model to show: ``filter`` selects the records (e.g. ``{"id": 5}`` or
    ``{"agreement_id": 5}``), ``subject`` names a record for the reader (``"tarief 2024"``)."""

    model: type[models.Model]
    filter: dict
    subject: Callable[[models.Model], str]


def tracked_fields(model: type[models.Model], *, skip: Iterable[str] = ()) -> list[models.Field]:
    """The fields of ``model`` a reader cares about: not the keys, not the English copies."""
    skipped = _SKIPPED | set(skip)
    history_model = model.history.model  # type: ignore[attr-defined]
    stored = {f.name for f in history_model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name in stored and f.name not in skipped and not f.name.endswith("_en") and not f.primary_key
    ]


def _display(record: models.Model, model_field: models.Field, related: dict) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "–"
    if model_field.is_relation:
        return related.get((model_field.related_model, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    if model_field.get_internal_type() == "FileField":
        return str(value).rsplit("/", 1)[-1]
    return str(value)


def _related_names(records: Sequence[models.Model], fields: Sequence[models.Field]) -> dict:
    """Names of the objects that foreign keys in ``records`` point to: one query per related model."""
    wanted: dict[type[models.Model], set] = {}
    for model_field in fields:
        if model_field.is_relation and model_field.related_model is not None:
            ids = {getattr(r, model_field.attname) for r in records} - {None}
            if ids:
                wanted.setdefault(model_field.related_model, set()).update(ids)
    names = {}
    for related_model, ids in wanted.items():
        for pk, obj in related_model._default_manager.in_bulk(list(ids)).items():
            names[(related_model, pk)] = str(obj)
    return names


def _who(user) -> str:
    if user is None:
        return _("systeem")
    return user.get_full_name() or user.get_username()


def _entries(records: list, fields, subject, related: dict) -> list[HistoryEntry]:
    """Entries of one object's history records (oldest first): what changed, from and to."""
    actions = {"+": _("aangemaakt"), "~": _("gewijzigd"), "-": _("verwijderd")}
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[Change] = []
        if previous is not None:
            for model_field in fields:
                old = _display(previous, model_field, related)
                new = _display(record, model_field, related)
                if old != new:
                    changes.append(Change(str(model_field.verbose_name), old, new))
        elif record.history_type == "+":
            for model_field in fields:
                new = _display(record, model_field, related)
                if new != "–":
                    changes.append(Change(str(model_field.verbose_name), "–", new))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_who(record.history_user),
                subject=subject(record),
                action=actions.get(record.history_type, record.history_type),
                reason=render(record.history_change_reason or ""),
                changes=changes,
            )
        )
        previous = record
    return entries


def history_entries(sources: Iterable[Source], *, limit: int | None = 200) -> list[HistoryEntry]:
    """Readable entries from ``sources``, newest first; at most ``limit``."""
    entries: list[HistoryEntry] = []
    for source in sources:
        fields = tracked_fields(source.model)
        records = list(
            source.model.history.filter(**source.filter)  # type: ignore[attr-defined]
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        related = _related_names(records, fields)
        by_object: dict[int, list] = {}
        for record in records:
            by_object.setdefault(record.id, []).append(record)
        for object_records in by_object.values():
            entries.extend(_entries(object_records, fields, source.subject, related))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries if limit is None else entries[:limit]
