"""Every read of the budget app that reaches a user, scoped to that user; and budget against realisation.

One module per concern; this package is the one import path for all of them (``selectors.letters_for``):

- ``letters``: the letters, lines and alerts a user sees, the last issued version, deadlines, volume
  margins, a letter's subtotals;
- ``realisation``: budget against realisation per customer, domain and quarter, and the yearly history.

``<things>_for(user)`` is scoped to the user; the reads that name a customer instead (``current_letter``,
``deadline_of``, ``margins_of``, ``agreement_in_year``) serve the services, the tasks and the demo.
"""

from .letters import (
    ISSUED,
    TAAKVELD_NAMES,
    Subtotal,
    agreement_in_year,
    alerts_for,
    current_letter,
    customers_for,
    deadline_of,
    default_deadline,
    last_issued_letters,
    letter_history_sources,
    letter_lines_for,
    letters_for,
    margins_of,
    subtotals,
    taakveld_label,
)
from .realisation import (
    QUARTERS,
    DomainRealisation,
    Figures,
    Realisation,
    realisation_of,
    realisations,
    realisations_for,
    yearly_history,
)

__all__ = [
    "ISSUED",
    "QUARTERS",
    "TAAKVELD_NAMES",
    "DomainRealisation",
    "Figures",
    "Realisation",
    "Subtotal",
    "agreement_in_year",
    "alerts_for",
    "current_letter",
    "customers_for",
    "deadline_of",
    "default_deadline",
    "last_issued_letters",
    "letter_history_sources",
    "letter_lines_for",
    "letters_for",
    "margins_of",
    "realisation_of",
    "realisations",
    "realisations_for",
    "subtotals",
    "taakveld_label",
    "yearly_history",
]
