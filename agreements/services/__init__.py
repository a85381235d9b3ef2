"""Every write of agreements, their lines and change requests: the transaction, the locks, the rules.

One module per concern: ``agreements`` (lifecycle, signing), ``lines`` (lines and volumes, renewal into
a year), ``change_requests`` and ``notifications`` (e-mail, run from tasks). Import from those modules;
the names below stay here for billing, which calls them while it bills a period.
"""

from .lines import ensure_lines_for_year, lock_agreement, record_billed_period

__all__ = ["ensure_lines_for_year", "lock_agreement", "record_billed_period"]
