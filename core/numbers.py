"""Reading numbers that people type and that files carry: one parser, two rules.

**Typed by a person** (every portal form and the admin): Dutch habits. A comma is the decimal separator;
a dot separates thousands and is only read as such in whole groups of three digits::

    11.500 -> 11500     1.234,56 -> 1234.56     11,5 -> 11.5     120 -> 120     1.234.567 -> 1234567

Anything else is refused with a message saying how to write it, in particular a single dot followed by
other than exactly three digits (``1.5``, ``1.23``, ``1.2345``): is that one and a half or a typing
error for 1.500? Nobody can tell, so we ask. No spaces, exponents or other signs than a leading ``-``.

**In a CSV file** (``core.csvinput``): files from other systems often write a decimal point, so the
design's rule "decimals ``0,8`` or ``0.8``" holds there. A comma is the decimal separator (with dots
in groups of three before it, as above); without a comma a single dot is a decimal point
(``0.8``, ``12.5``, ``0.8889``), several dots in groups of three are thousands (``1.234.567``). The one
form both readings fit, a single dot with exactly three digits after one to three digits that are not
just ``0`` (``1.500``, ``12.125``), is refused: 1500 or 1,5? ``0.889`` is a decimal point.

The API stays machine-style (DRF's own decimal field: a decimal point, no grouping).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_SIGN = r"[-+]?"
_GROUPED = r"\d{1,3}(?:\.\d{3})+"
_TYPED = re.compile(rf"^({_SIGN})(\d+|{_GROUPED})(?:,(\d+))?$")
_CSV_COMMA = re.compile(rf"^({_SIGN})(\d*|{_GROUPED}),(\d+)$")
_CSV_POINT = re.compile(rf"^({_SIGN})(\d*)\.(\d+)$")
_CSV_PLAIN = re.compile(rf"^({_SIGN})(\d+|{_GROUPED})$")
_AMBIGUOUS = re.compile(r"^[-+]?(\d{1,3})\.(\d{3})$")


class NumberError(ValueError):
    """A number that cannot be read; ``str()`` is the message for the person who wrote it."""


def _decimal(sign: str, whole: str, fraction: str | None) -> Decimal:
    text = f"{'-' if sign == '-' else ''}{whole.replace('.', '') or '0'}"
    if fraction:
        text += f".{fraction}"
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the patterns admit only digits
        raise NumberError(text) from exc


def parse_typed_decimal(raw: str) -> Decimal:
    """A number typed by a person, the Dutch way (see the module). Raises :class:`NumberError`."""
    text = (raw or "").strip()
    if match := _TYPED.match(text):
        return _decimal(match[1], match[2], match[3])
    if re.fullmatch(r"[-+]?\d+\.\d+", text):
        whole, _dot, fraction = text.lstrip("+-").partition(".")
        raise NumberError(
            _(
                "'%(value)s' is niet eenduidig: een punt scheidt duizendtallen (11.500). "
                "Bedoelt u %(comma)s? Schrijf dan een komma."
            )
            % {"value": text, "comma": f"{whole},{fraction}"}
        )
    raise NumberError(
        _("'%(value)s' is geen getal. Schrijf bijvoorbeeld 11.500, 1.234,56 of 11,5.") % {"value": text}
    )


def parse_csv_decimal(raw: str) -> Decimal | None:
    """A number from a CSV file (see the module); None when it is no number or is ambiguous."""
    text = (raw or "").strip()
    if is_ambiguous_in_csv(text):
        return None
    for pattern in (_CSV_COMMA, _CSV_POINT):
        if match := pattern.match(text):
            if not match[2] and not match[3]:
                return None
            return _decimal(match[1], match[2], match[3])
    if match := _CSV_PLAIN.match(text):
        return _decimal(match[1], match[2], None)
    return None


def is_ambiguous_in_csv(raw: str) -> bool:
    """``1.500``: a thousands dot or a decimal point? (``0.500`` is not ambiguous.)"""
    match = _AMBIGUOUS.match((raw or "").strip())
    return bool(match) and match[1] != "0"
