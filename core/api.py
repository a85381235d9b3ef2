"""The export mixin every list endpoint uses (pagination and schema live beside it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .exports import DATE, DATETIME, DECIMAL, MONEY, Column, csv_response, xlsx_response


def exception_handler(exc, context):
    """DRF's handler, except that a 404 never names a model ("No Invoice matches the given query."):
    every missing or foreign object answers the same translated "Niet gevonden.", revealing nothing.

    A service's ``django.core.exceptions.ValidationError`` answers 400 with its messages, per field
    (``__all__`` as ``non_field_errors``), so no view converts it by hand."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = _as_api_error(exc)
    return drf_exception_handler(exc, context)


def _as_api_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        )
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class ExportListMixin:
    """A list endpoint that answers JSON (paginated), ``?format=csv`` (streamed) and ``?format=xlsx``.

    The view declares ``export_columns`` (stable header names) and ``export_filename``. Exports apply the
    same scoping and filters as the JSON list: they start from ``filter_queryset(get_queryset())``.
    """

    export_columns: Sequence[Column] = ()
    export_filename = "export"
    # A heavy list answers its JSON pages from the export columns read as values (as the CSV does),
    # not through the serializer: the columns are then the serializer's fields, named and formatted alike.
    list_from_columns = False

    def list(self, request, *args, **kwargs):
        export_format = request.query_params.get("format")
        if export_format in ("csv", "xlsx") and self.export_columns:
            queryset = self.filter_queryset(self.get_queryset())
            if export_format == "csv":
                return csv_response(queryset, self.export_columns, self.export_filename)
            return xlsx_response(queryset, self.export_columns, self.export_filename)
        if self.list_from_columns and export_format in (None, "", "json"):
            return self._list_values()
        return super().list(request, *args, **kwargs)

    def _list_values(self):
        columns = self.export_columns
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values_list(*[c.source for c in columns]))
        names = [c.name for c in columns]
        formats = [_JSON_FORMATS.get(c.kind) for c in columns]
        results = [
            {
                name: value if value is None or fmt is None else fmt(value)
                for name, fmt, value in zip(names, formats, row, strict=True)
            }
            for row in page
        ]
        return self.get_paginated_response(results)


# What DRF's fields give: decimals as text with the field's places (the database's scale), dates ISO.
_JSON_FORMATS = {
    MONEY: lambda value: f"{value:.2f}",
    DECIMAL: lambda value: f"{value:f}",
    DATE: lambda value: value.isoformat(),
    DATETIME: lambda value: value.isoformat().replace("+00:00", "Z"),
}
