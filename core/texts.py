"""Texts the portal stores and shows later: a code with parameters, rendered in the reader's language.

A history reason, an agreement's default title or a run's message is written once and read by Dutch and
English readers for years. Storing the sentence would freeze it in the writer's language, so the portal
stores a stable key and its parameters (``Text("renewal", year=2025)`` is stored as
``§renewal{"year":2025}``) and renders it through gettext when it is shown (``render``, the template
filter ``stored``). Free text a person typed is stored and shown as typed; a proper name that has two
languages is a parameter ``{"nl": ..., "en": ...}``; an amount ``{"eur": "1234.50"}``, a number
``{"num": "3.1"}``: both shown the active language's way.

The messages live here, in one registry, so an old key keeps rendering whichever app wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

PREFIX = "§"

#: key -> Dutch message (the msgid; gettext gives the English).
MESSAGES: dict[str, str] = {
    # agreements
    "agreement_title": gettext_noop("Dienstverleningsovereenkomst %(customer)s"),
    "renewal": gettext_noop("Verlenging: afname van %(year)s overgenomen"),
    "change_request": gettext_noop("Wijzigingsverzoek %(pk)s per %(date)s"),
    "initial_volumes": gettext_noop("Afname bij de start"),
    "yearly_volumes": gettext_noop("Afname voor %(year)s afgesproken"),
    # services
    "indexation": gettext_noop("Indexatie %(from)s → %(to)s met %(percent)s%%"),
    "tariff_locked": gettext_noop("gebruikt op een verzonden factuur"),
    # billing
    "credited_by_provider": gettext_noop("Gecrediteerd door de bedrijfsvoering."),
    "no_active_agreements": gettext_noop("Geen actieve overeenkomsten met regels voor %(period)s."),
    # budget
    "budget_draft": gettext_noop("Concept begrotingsbrief %(year)s"),
    "budget_computed": gettext_noop("Bedragen berekend"),
    "budget_issued": gettext_noop("Verzonden"),
    "budget_acknowledged": gettext_noop("Ontvangst bevestigd"),
    "budget_draft_deleted": gettext_noop("Concept verwijderd"),
    "budget_margin_admin": gettext_noop("Volumemarge in de admin"),
    "budget_volumes": gettext_noop(
        "De afname per dienst is de afname die op 31 december %(current)s geldt, met de goedgekeurde "
        "wijzigingen die in %(year)s ingaan."
    ),
    "budget_renewed": gettext_noop("De overeenkomst wordt verlengd: de afname van %(source)s loopt door."),
    "budget_provisional": gettext_noop(
        "De tarieven van %(year)s zijn nog niet vastgesteld. Alle bedragen zijn voorlopig: de "
        "tarieven van %(before)s verhoogd met een voorlopige indexatie van %(percent)s%%."
    ),
    "budget_tariffs_set": gettext_noop("De tarieven zijn de vastgestelde tarieven van %(year)s."),
    "budget_scenarios": gettext_noop(
        "Het lage en het hoge scenario rekenen met een andere afname: %(spread)s ten opzichte van de "
        "verwachte afname, per domein of per dienst vastgesteld door de opdrachtnemer."
    ),
    "budget_internal": gettext_noop("Voor Leiden zelf is dit een interne verrekening: zonder btw."),
    "budget_vat": gettext_noop("Bedragen exclusief btw, met de btw per btw-categorie van de dienst."),
    "budget_same_price": gettext_noop(
        "Dezelfde prijs: de prijzen per eenheid in deze brief staan in de begrotingsbrief van elke "
        "gemeente, voor elke gemeente gelijk."
    ),
    # quality
    "measurement_api": gettext_noop("Meting via de API"),
    "measurement_import": gettext_noop("Import %(file)s"),
    "measurements_demo": gettext_noop("Metingen"),
    "breach_note": gettext_noop("Toelichting op een afwijking"),
    # transition
    "transition": gettext_noop("Transitie Servicepunt71"),
    "transition_pending": gettext_noop("In behandeling"),
    "transition_executed": gettext_noop(
        "Uitgevoerd: %(staff)d medewerkers, %(contracts)d contracten, %(lines)d regels."
    ),
}


class Text:
    """A stored text: ``key`` in ``MESSAGES`` and its parameters (JSON: numbers, strings, or the typed
    values the module docstring names). ``str()`` renders it in the active language; ``encode()`` gives
    what is stored."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any):
        if key not in MESSAGES:
            raise KeyError(f"Unknown text key {key!r}; add it to core.texts.MESSAGES.")
        self.key = key
        self.params = {name: _jsonable(value) for name, value in params.items()}

    def encode(self, limit: int | None = None) -> str:
        """``§key{params}``; with ``limit``, long string parameters are shortened to fit."""
        encoded = _encode(self.key, self.params)
        if limit is None or len(encoded) <= limit:
            return encoded
        params = dict(self.params)
        for name, value in sorted(params.items(), key=lambda item: -len(json.dumps(item[1]))):
            if isinstance(value, str):
                room = max(0, len(value) - (len(encoded) - limit) - 1)
                params[name] = value[:room] + "…"
                encoded = _encode(self.key, params)
                if len(encoded) <= limit:
                    return encoded
        return _encode(self.key, {})[:limit]

    def __str__(self) -> str:
        return _render(self.key, self.params)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.encode())


#: A history reason is a stored text.
Reason = Text


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"num": str(value)}
    if isinstance(value, (int, str)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return str(value)


def _encode(key: str, params: dict) -> str:
    if not params:
        return f"{PREFIX}{key}"
    return PREFIX + key + json.dumps(params, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def eur(amount: Decimal | int | str) -> dict:
    """An amount parameter, shown as ``€ 1.234,56`` or ``€ 1,234.56``."""
    return {"eur": str(amount)}


def both(nl: str, en: str = "") -> dict:
    """A proper name in both languages (English falls back to Dutch)."""
    return {"nl": nl, "en": en or nl}


def _value(value: Any) -> Any:
    from core.money import format_decimal_nl, format_eur

    if not isinstance(value, dict):
        return value
    try:
        if "eur" in value:
            return format_eur(Decimal(value["eur"]))
        if "num" in value:
            return format_decimal_nl(Decimal(value["num"]))
    except (InvalidOperation, ValueError):
        return next(iter(value.values()), "")
    language = (get_language() or "nl")[:2]
    return value.get(language) or value.get("nl") or next(iter(value.values()), "")


def _render(key: str, params: dict) -> str:
    message = _(MESSAGES[key])
    if not params:
        return message.replace("%%", "%")
    values = {name: _value(value) for name, value in params.items()}
    try:
        return message % values
    except (KeyError, TypeError, ValueError):
        return _(MESSAGES[key])


def decode(stored: str) -> tuple[str, dict] | None:
    """``(key, params)`` of a stored text, or None when ``stored`` is plain text."""
    if not stored or not stored.startswith(PREFIX):
        return None
    body = stored[len(PREFIX) :]
    key, brace, rest = body.partition("{")
    if key not in MESSAGES:
        return None
    if not brace:
        return key, {}
    try:
        params = json.loads(brace + rest)
    except ValueError:
        return key, {}
    return key, params if isinstance(params, dict) else {}


def render(stored: Any) -> str:
    """What a reader sees of a stored value: a coded text in the active language, anything else as is
    (free text typed by a person, text stored before codes existed). Each line of a multi-line value is
    rendered on its own."""
    if stored is None:
        return ""
    if isinstance(stored, Text):
        return str(stored)
    stored = str(stored)
    if PREFIX not in stored:
        return stored
    if "\n" in stored:
        return "\n".join(render(line) for line in stored.split("\n"))
    decoded = decode(stored)
    if decoded is None:
        return stored
    return _render(*decoded)


def store(value: Any, limit: int | None = None) -> str:
    """What to store for ``value``: a ``Text`` encoded, anything else as its string (``limit`` cuts)."""
    if isinstance(value, Text):
        return value.encode(limit)
    text = str(value or "")
    return text[:limit] if limit is not None else text
