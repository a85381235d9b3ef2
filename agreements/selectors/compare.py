"""Two years of an agreement side by side: per domain, per line, with the difference."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.money import to_cents
from services.models import Service

from .costs import CostLine, YearCosts


@dataclass
class ComparedLine:
    service: Service
    current: CostLine | None
    previous: CostLine | None

    @property
    def delta(self) -> Decimal | None:
        """This year's amount minus the previous year's (a line missing in a year counts as nothing)."""
        now = self.current.amount if self.current else Decimal("0.00")
        before = self.previous.amount if self.previous else Decimal("0.00")
        if now is None or before is None:
            return None
        return to_cents(now - before)


@dataclass
class ComparedDomain:
    domain: object
    lines: list[ComparedLine]

    def _sum(self, side: str) -> Decimal:
        return to_cents(
            sum(
                (getattr(c, side).amount for c in self.lines if getattr(c, side) and getattr(c, side).amount),
                Decimal(0),
            )
        )

    @property
    def current_total(self) -> Decimal:
        return self._sum("current")

    @property
    def previous_total(self) -> Decimal:
        return self._sum("previous")

    @property
    def delta(self) -> Decimal:
        return to_cents(self.current_total - self.previous_total)


def compare_years(current: YearCosts, previous: YearCosts | None) -> list[ComparedDomain]:
    """The lines of ``current`` beside those of ``previous``, grouped per domain in catalogue order."""
    now = {c.service.pk: c for c in current.lines}
    before = {c.service.pk: c for c in previous.lines} if previous else {}
    services = {
        **{c.service.pk: c.service for c in before.values()},
        **{c.service.pk: c.service for c in now.values()},
    }
    domains: dict[int, ComparedDomain] = {}
    for service in sorted(services.values(), key=lambda s: (s.domain.order, s.domain.name, s.code)):
        group = domains.setdefault(service.domain_id, ComparedDomain(service.domain, []))
        group.lines.append(ComparedLine(service, now.get(service.pk), before.get(service.pk)))
    return list(domains.values())
