"""The trend chart of a KPI as plain geometry for an SVG template: rendered on the server, readable
without JavaScript. Months below the norm get a different marker shape, not only another colour."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    value: Decimal
    below_norm: bool


@dataclass
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    polyline: str
    norm_y: float | None
    ticks: list[tuple[float, Decimal]]
    months: list[tuple[float, str]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def _nice_range(values: list[Decimal]) -> tuple[Decimal, Decimal]:
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    margin = (high - low) / 10
    return low - margin, high + margin


def trend_chart(trend, *, month_labels: list[str]) -> Chart | None:
    """Geometry of the monthly values of one KPI over a year, with the norm as a line."""
    measured = [(i, v) for i, (_m, v) in enumerate(trend.months) if v is not None]
    if not measured:
        return None
    scale_values = [v for _i, v in measured] + ([trend.norm] if trend.norm is not None else [])
    low, high = _nice_range(scale_values)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return round(LEFT + plot_w * (index + 0.5) / 12, 1)

    def y_of(value: Decimal) -> float:
        return round(TOP + plot_h * float((high - value) / (high - low)), 1)

    points = [
        ChartPoint(
            x=x_of(i),
            y=y_of(v),
            label=month_labels[i],
            value=v,
            below_norm=trend.norm is not None and v < trend.norm,
        )
        for i, v in measured
    ]
    step = (high - low) / 4
    ticks = [(y_of(low + step * n), (low + step * n).quantize(Decimal("0.1"))) for n in range(5)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        norm_y=y_of(trend.norm) if trend.norm is not None else None,
        ticks=ticks,
        months=[(x_of(i), label) for i, label in enumerate(month_labels)],
    )
