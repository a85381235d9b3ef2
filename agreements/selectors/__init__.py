"""Every read of agreements, their lines and change requests that reaches a user, scoped to that user.

One module per concern; this package is the one import path for all of them (``selectors.agreements_for``):

- ``agreements``: the agreements a user sees, the one in force for a customer on a date, signing;
- ``change_requests``: the requests a user sees, the open queue, what a change would cost;
- ``volumes``: the volumes taken on a date, the line history, the basic package, billing periods;
- ``costs``: what a year of an agreement costs, and next year's forecast;
- ``history``: what the readable history of an agreement or a change request shows.
"""

from .agreements import (
    IN_FORCE,
    agreement_in_force,
    agreement_lines_for,
    agreements_for,
    calendar_of,
    current_agreement_for,
    in_force_in_year,
    in_force_on,
    is_in_force_in_year,
    own_agreement_for,
    runs_on,
    signing_side,
)
from .change_requests import (
    ChangeEffect,
    change_effect,
    change_effects,
    change_requests_for,
    open_change_requests_for,
    open_requests_taking_effect_by,
)
from .compare import ComparedDomain, ComparedLine, compare_years
from .costs import (
    ChosenYears,
    CostLine,
    Forecast,
    YearCosts,
    chosen_year_costs,
    costs_per_year,
    forecast_next_year,
    year_costs,
)
from .history import agreement_history_sources, change_request_history_sources
from .volumes import (
    basic_services_for_year,
    billing_periods,
    is_offered_in,
    line_changes_for,
    line_volumes_in_year,
    missing_basic_services,
    offered_in_year,
    volumes_on,
)

__all__ = [
    "ChangeEffect",
    "change_effect",
    "change_effects",
    "open_requests_taking_effect_by",
    "ComparedDomain",
    "ComparedLine",
    "chosen_year_costs",
    "compare_years",
    "IN_FORCE",
    "ChosenYears",
    "CostLine",
    "Forecast",
    "YearCosts",
    "agreement_history_sources",
    "agreement_in_force",
    "agreement_lines_for",
    "agreements_for",
    "basic_services_for_year",
    "billing_periods",
    "calendar_of",
    "change_request_history_sources",
    "change_requests_for",
    "costs_per_year",
    "current_agreement_for",
    "forecast_next_year",
    "in_force_in_year",
    "in_force_on",
    "is_in_force_in_year",
    "is_offered_in",
    "line_changes_for",
    "line_volumes_in_year",
    "missing_basic_services",
    "offered_in_year",
    "open_change_requests_for",
    "own_agreement_for",
    "runs_on",
    "signing_side",
    "volumes_on",
    "year_costs",
]
