"""Billing periods as a small value object: parsing and the fraction of the year in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .years import is_valid_year

_QUARTER = re.compile(r"^\s*(\d{4})-[Qq]([1-4])\s*$")
_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """A quarter (``2024-Q1``), a month (``2024-03``) or a whole year (``2024``)."""

    year: int
    quarter: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if not is_valid_year(self.year):
            raise ValueError(f"Year {self.year} is outside 2000-2100.")
        if self.quarter is not None and self.month is not None:
            raise ValueError("A period is a quarter or a month, not both.")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"Quarter {self.quarter} is not 1-4.")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"Month {self.month} is not 1-12.")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``2024-Q1``, ``2024-03`` or ``2024``; a clear ValueError names what is wrong."""
        if match := _QUARTER.match(text or ""):
            return cls(year=int(match[1]), quarter=int(match[2]))
        if match := _MONTH.match(text or ""):
            return cls(year=int(match[1]), month=int(match[2]))
        if match := _YEAR.match(text or ""):
            return cls(year=int(match[1]))
        raise ValueError(f"'{text}' is not a period; use 2024-Q1 for a quarter or 2024-03 for a month.")

    @classmethod
    def containing(cls, day: date, *, granularity: str = "quarter") -> Period:
        if granularity == "month":
            return cls(year=day.year, month=day.month)
        if granularity == "year":
            return cls(year=day.year)
        return cls(year=day.year, quarter=(day.month - 1) // 3 + 1)

    @property
    def kind(self) -> str:
        if self.quarter is not None:
            return "quarter"
        if self.month is not None:
            return "month"
        return "year"

    @property
    def start(self) -> date:
        if self.quarter is not None:
            return date(self.year, 3 * (self.quarter - 1) + 1, 1)
        if self.month is not None:
            return date(self.year, self.month, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        if self.quarter is not None:
            last_month = 3 * self.quarter
        elif self.month is not None:
            last_month = self.month
        else:
            last_month = 12
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def fraction_of_year(self) -> Decimal:
        """Quarters are 1/4 and months 1/12 of the annual tariff, whatever their number of days."""
        if self.quarter is not None:
            return Decimal(1) / Decimal(4)
        if self.month is not None:
            return Decimal(1) / Decimal(12)
        return Decimal(1)

    def next(self) -> Period:
        if self.quarter is not None:
            return (
                Period(self.year + 1, quarter=1) if self.quarter == 4 else Period(self.year, self.quarter + 1)
            )
        if self.month is not None:
            return (
                Period(self.year + 1, month=1)
                if self.month == 12
                else Period(self.year, month=self.month + 1)
            )
        return Period(self.year + 1)

    def __str__(self) -> str:
        if self.quarter is not None:
            return f"{self.year}-Q{self.quarter}"
        if self.month is not None:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}"
