"""Bar charts drawn on the server as SVG (``templates/budget/charts/bar_chart.svg``).

The geometry is computed here, the template only draws it, so the same chart appears in the browser and
in the PDF (WeasyPrint renders inline SVG). Each chart carries a text alternative that states every
figure, and each series has its own fill pattern and a legend in words, so colour never carries the
meaning alone. Colours have at least 4.5:1 contrast against white.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import format_eur

# Series styles: fill colour, pattern id (None: solid). Named by what they show, not by colour.
STYLES = {
    "budget": ("#1d4f91", None),
    "forecast": ("#a3152b", "hatch"),
    "invoiced": ("#3d3d3d", "dots"),
    "cost": ("#3d3d3d", None),
    "provisional": ("#1d4f91", "hatch"),
}


@dataclass
class Series:
    key: str
    label: str
    values: list[Decimal | None]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    pattern: str | None
    title: str


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Chart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    horizontal: bool
    bars: list[Bar] = field(default_factory=list)
    categories: list[Tick] = field(default_factory=list)
    grid: list[Tick] = field(default_factory=list)
    legend: list[tuple] = field(default_factory=list)
    plot_left: float = 0
    plot_right: float = 0
    plot_top: float = 0
    plot_bottom: float = 0
    series: list[Series] = field(default_factory=list)
    category_names: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """The figures as table rows: category, then one value per series."""
        return [(name, [s.values[i] for s in self.series]) for i, name in enumerate(self.category_names)]


def axis_label(amount: Decimal) -> str:
    """Short Dutch axis label: ``€ 1,2 mln`` from a million, else ``€ 350.000``."""
    if abs(amount) >= 1_000_000:
        millions = (Decimal(amount) / Decimal(1_000_000)).quantize(Decimal("0.1"))
        return f"€ {str(millions).replace('.', ',')} mln"
    return format_eur(Decimal(amount)).rsplit(",", 1)[0]


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = magnitude * Decimal(str(step))
        if candidate >= value:
            return candidate
    return magnitude * 10


def _describe(title: str, categories: list[str], series: list[Series]) -> str:
    parts = []
    for i, category in enumerate(categories):
        figures = [f"{s.label.lower()} {format_eur(s.values[i])}" for s in series if s.values[i] is not None]
        parts.append(f"{category}: {', '.join(figures) if figures else '–'}")
    return f"{title}. " + "; ".join(parts) + "."


def bar_chart(
    *, chart_id: str, title: str, categories: list[str], series: list[Series], horizontal: bool = False
) -> Chart:
    """A grouped bar chart: one group per category, one bar per series."""
    values = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(values, default=Decimal(0)))
    legend = [
        (s.label, *STYLES.get(s.key, STYLES["cost"]), i * 200, i * 200 + 20) for i, s in enumerate(series)
    ]
    chart = _bar_chart(chart_id, title, categories, series, horizontal, top, legend)
    chart.series, chart.category_names = series, categories
    return chart


def _bar_chart(chart_id, title, categories, series, horizontal, top, legend) -> Chart:
    if horizontal:
        width, left, right = 640, 200, 600
        group = 14 * len(series) + 14
        plot_top = 44
        height = int(plot_top + group * len(categories) + 36)
        chart = Chart(
            chart_id, title, _describe(title, categories, series), width, height, True, legend=legend
        )
        chart.plot_left, chart.plot_right, chart.plot_top = left, right, plot_top
        chart.plot_bottom = plot_top + group * len(categories)
        for i, category in enumerate(categories):
            y0 = plot_top + i * group + 7
            chart.categories.append(Tick(y0 + 7 * len(series), category))
            for j, s in enumerate(series):
                value = s.values[i]
                if value is None:
                    continue
                fill, pattern = STYLES.get(s.key, STYLES["cost"])
                length = float(max(Decimal(value), Decimal(0)) / top) * (right - left)
                chart.bars.append(
                    Bar(
                        left,
                        y0 + j * 14,
                        length,
                        12,
                        fill,
                        pattern,
                        f"{category}, {s.label}: {format_eur(value)}",
                    )
                )
        for k in range(5):
            amount = top * k / 4
            chart.grid.append(Tick(left + (right - left) * k / 4, axis_label(amount)))
        return chart
    width, height = 640, 300
    left, right, plot_top, bottom = 96, 630, 44, 260
    chart = Chart(chart_id, title, _describe(title, categories, series), width, height, False, legend=legend)
    chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom = left, right, plot_top, bottom
    slot = (right - left) / max(len(categories), 1)
    bar_width = min(28.0, (slot - 12) / max(len(series), 1))
    for i, category in enumerate(categories):
        start = left + i * slot + (slot - bar_width * len(series)) / 2
        chart.categories.append(Tick(left + i * slot + slot / 2, category))
        for j, s in enumerate(series):
            value = s.values[i]
            if value is None:
                continue
            fill, pattern = STYLES.get(s.key, STYLES["cost"])
            length = float(max(Decimal(value), Decimal(0)) / top) * (bottom - plot_top)
            chart.bars.append(
                Bar(
                    start + j * bar_width,
                    bottom - length,
                    bar_width - 2,
                    length,
                    fill,
                    pattern,
                    f"{category}, {s.label}: {format_eur(value)}",
                )
            )
    for k in range(5):
        amount = top * k / 4
        chart.grid.append(Tick(bottom - (bottom - plot_top) * k / 4, axis_label(amount)))
    return chart


# --- The portal's three charts -------------------------------------------------------------------------


def cost_per_year_chart(history: list[dict], *, chart_id: str = "per-year") -> Chart:
    """Past years invoiced, this year's forecast, and each year's budget (from ``yearly_history``)."""
    from django.utils.translation import gettext as _

    categories = [str(row["year"]) for row in history]
    return bar_chart(
        chart_id=chart_id,
        title=_("Kosten per jaar: gefactureerd, prognose en begroting"),
        categories=categories,
        series=[
            Series("budget", _("Begroting"), [row["budget"] for row in history]),
            Series(
                "forecast",
                _("Gefactureerd of prognose"),
                [row["cost"] for row in history],
            ),
        ],
    )


def domain_chart(realisation, *, chart_id: str = "per-domain") -> Chart:
    from django.utils.translation import gettext as _

    rows = realisation.domains
    return bar_chart(
        chart_id=chart_id,
        title=_("Kosten per domein in %(year)s") % {"year": realisation.year},
        categories=[row.domain.display_name for row in rows],
        series=[
            Series("budget", _("Begroting"), [row.year.budget for row in rows]),
            Series("forecast", _("Prognose"), [row.year.forecast for row in rows]),
        ],
        horizontal=True,
    )


def quarter_chart(realisation, *, chart_id: str = "per-quarter") -> Chart:
    from django.utils.translation import gettext as _

    quarters = realisation.quarters
    return bar_chart(
        chart_id=chart_id,
        title=_("Begroting, prognose en gefactureerd per kwartaal %(year)s") % {"year": realisation.year},
        categories=[f"Q{q}" for q in quarters],
        series=[
            Series("budget", _("Begroting"), [f.budget for f in quarters.values()]),
            Series("forecast", _("Prognose"), [f.forecast for f in quarters.values()]),
            Series("invoiced", _("Gefactureerd"), [f.invoiced for f in quarters.values()]),
        ],
    )
