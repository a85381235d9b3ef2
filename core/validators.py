"""Validators every text input shares: forms, serializers and CSV imports refuse control characters.

A control character (a NUL, a vertical tab, an escape) is never part of a name, a reason or a
description; it only breaks what comes after (an XLSX export cannot even hold one). Tabs and line
breaks are allowed in multi-line text, never in a one-line field or a CSV cell.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# C0 controls and DEL; tab, line feed and carriage return are listed apart so multi-line text may keep them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_OR_LINE_BREAK = re.compile(r"[\x00-\x1f\x7f]")


def first_control_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """``(position, character)`` of the first control character in ``text`` (position from 1), or None."""
    match = (_CONTROL if multiline else _CONTROL_OR_LINE_BREAK).search(text)
    return (match.start() + 1, match.group()) if match else None


def control_character_message(position: int, character: str) -> str:
    return _("bevat een stuurteken (U+%(code)04X) op positie %(position)d") % {
        "code": ord(character),
        "position": position,
    }


@deconstructible
class NoControlCharacters:
    """Refuses control characters; ``multiline`` allows tabs and line breaks (a textarea)."""

    def __init__(self, *, multiline: bool = True):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        found = first_control_character(value, multiline=self.multiline)
        if found:
            raise ValidationError(
                _("De tekst %(reason)s; verwijder het.") % {"reason": control_character_message(*found)},
                code="control_character",
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


no_control_characters = NoControlCharacters()
