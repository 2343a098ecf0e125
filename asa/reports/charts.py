"""Charts as inline SVG, drawn on the server: bars, horizontal bars and a trend by month.

No JavaScript and no inline style (the CSP forbids both): shapes carry classes that
`asa/static/reports/reports.css` colours, plus SVG presentation attributes for geometry. Each
chart is an image with a `<title>` and `<desc>` for screen readers, and comes with the same
figures as rows for the table under it (people who would rather read than look, and printouts).

The charts take any objects with the query layer's shape: a bar has `.key`, `.label`, `.value`;
a month has `.label`, `.opened`, `.closed`.
"""

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from asa.lib.thai import display_digits

WIDTH = 520  # near the width a chart card gets, so text keeps its size
LABEL_LIMIT = 22  # characters of a horizontal bar's label before it is shortened


@dataclass(frozen=True)
class Chart:
    """An SVG image and the table of the same figures."""

    title: str
    svg: SafeString
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows


def plain_number(value) -> str:
    """A figure with thousands separated and at most one decimal, in Arabic digits."""
    if value is None:
        return "–"
    if isinstance(value, Decimal | float) and value != int(value):
        return f"{value:,.1f}"
    return f"{int(value):,}"


def number(value) -> str:
    """A figure as people read it, in the digits the current user prefers."""
    return display_digits(plain_number(value))


def nice_ceiling(value) -> int:
    """The top of the axis: 1, 2, 2.5 or 5 times a power of ten, at or above `value`."""
    value = float(value or 0)
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return max(1, math.ceil(step * magnitude))
    return math.ceil(value)  # pragma: no cover (the loop always returns)


def shorten(text: str, limit: int = LABEL_LIMIT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticks(top: int) -> list[float]:
    """Gridlines at whole numbers (these are counts): 4 or 5 equal steps, or every unit."""
    if top <= 5:
        return [float(index) for index in range(top + 1)]
    count = next((count for count in (4, 5, 3) if top % count == 0), 4)
    return [top * index / count for index in range(count + 1)]


def _frame(*, title: str, description: str, height: int, body: str, css: str) -> SafeString:
    return format_html(
        '<svg class="chart {}" viewBox="0 0 {} {}" role="img" aria-labelledby="{} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title><desc id="{}">{}</desc>'
        "{}</svg>",
        css,
        WIDTH,
        height,
        _id(title, "t"),
        _id(title, "d"),
        _id(title, "t"),
        title,
        _id(title, "d"),
        description,
        mark_safe(body),  # noqa: S308 (built from format_html pieces below)
    )


def _id(title: str, suffix: str) -> str:
    # Ids unique per chart title on a page, stable between renders (tests compare pages).
    return f"chart-{zlib.crc32(title.encode()):08x}-{suffix}"


def _describe(bars: Sequence) -> str:
    return ", ".join(f"{bar.label} {number(bar.value)}" for bar in bars)


def bar_chart(bars: Sequence, *, title: str, label_header: str, value_header: str) -> Chart:
    """Vertical bars, one per item (e.g. centers opened per fiscal year)."""
    rows = [(str(bar.label), number(bar.value)) for bar in bars]
    if not bars:
        return Chart(title=title, svg=SafeString(""), headers=(label_header, value_header))
    top = nice_ceiling(max(bar.value for bar in bars))
    left, right, upper, lower = 48, 12, 16, 40
    height = 240
    plot_height = height - upper - lower
    plot_width = WIDTH - left - right
    slot = plot_width / len(bars)
    bar_width = max(4.0, min(56.0, slot * 0.6))
    parts = []
    for tick in _ticks(top):
        y = upper + plot_height - plot_height * tick / top
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH - right,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 6,
                f"{y + 4:.1f}",
                number(tick if tick != int(tick) else int(tick)),
            )
        )
    for index, bar in enumerate(bars):
        bar_height = plot_height * float(bar.value) / top
        x = left + slot * index + (slot - bar_width) / 2
        y = upper + plot_height - bar_height
        parts.append(
            format_html(
                '<g class="bar-item"><title>{}: {}</title>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>'
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                bar.label,
                number(bar.value),
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{bar_height:.1f}",
                f"{x + bar_width / 2:.1f}",
                f"{y - 4:.1f}",
                number(bar.value),
                f"{x + bar_width / 2:.1f}",
                height - lower + 18,
                display_digits(shorten(bar.label, 12)),
            )
        )
    svg = _frame(
        title=title,
        description=_describe(bars),
        height=height,
        body="".join(parts),
        css="chart-bars",
    )
    return Chart(title=title, svg=svg, headers=(label_header, value_header), rows=rows)


def horizontal_bars(bars: Sequence, *, title: str, label_header: str, value_header: str) -> Chart:
    """One bar per row with its label on the left: for categories with long Thai names."""
    rows = [(str(bar.label), number(bar.value)) for bar in bars]
    if not bars:
        return Chart(title=title, svg=SafeString(""), headers=(label_header, value_header))
    top = max(float(bar.value) for bar in bars) or 1.0
    label_width, right, row_height, upper = 190, 52, 28, 8
    plot_width = WIDTH - label_width - right
    height = upper * 2 + row_height * len(bars)
    parts = []
    for index, bar in enumerate(bars):
        y = upper + row_height * index
        bar_width = plot_width * float(bar.value) / top
        parts.append(
            format_html(
                '<g class="bar-item"><title>{}: {}</title>'
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="value" x="{}" y="{}">{}</text></g>',
                bar.label,
                number(bar.value),
                label_width - 8,
                f"{y + row_height * 0.62:.1f}",
                shorten(bar.label),
                label_width,
                f"{y + 4:.1f}",
                f"{max(bar_width, 1.0):.1f}",
                row_height - 8,
                f"{label_width + bar_width + 6:.1f}",
                f"{y + row_height * 0.62:.1f}",
                number(bar.value),
            )
        )
    svg = _frame(
        title=title,
        description=_describe(bars),
        height=height,
        body="".join(parts),
        css="chart-hbars",
    )
    return Chart(title=title, svg=svg, headers=(label_header, value_header), rows=rows)


def trend_chart(
    months: Sequence,
    *,
    title: str,
    month_header: str,
    series: Sequence[tuple[str, str]],
) -> Chart:
    """Lines by month, one per series: `series` is (attribute, Thai name), e.g. opened, closed."""
    headers = (month_header, *(name for _attribute, name in series))
    rows = [
        (str(month.label), *(number(getattr(month, attribute)) for attribute, _ in series))
        for month in months
    ]
    if not months:
        return Chart(title=title, svg=SafeString(""), headers=headers)
    top = nice_ceiling(
        max(float(getattr(month, attribute) or 0) for month in months for attribute, _ in series)
    )
    left, right, upper, lower = 48, 16, 28, 40
    height = 260
    plot_height = height - upper - lower
    plot_width = WIDTH - left - right
    step = plot_width / max(1, len(months) - 1) if len(months) > 1 else 0
    parts = []
    for tick in _ticks(top):
        y = upper + plot_height - plot_height * tick / top
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                WIDTH - right,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 6,
                f"{y + 4:.1f}",
                number(tick if tick != int(tick) else int(tick)),
            )
        )
    # Month labels: every one when they fit, else every second or third.
    every = 1 if len(months) <= 6 else math.ceil(len(months) / 6)

    def x_of(index: int) -> float:
        return left + (step * index if len(months) > 1 else plot_width / 2)

    for index, month in enumerate(months):
        if index % every == 0:
            parts.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                    f"{x_of(index):.1f}",
                    height - lower + 18,
                    display_digits(str(month.label)),
                )
            )
    for number_of_series, (attribute, name) in enumerate(series):
        points = []
        for index, month in enumerate(months):
            value = float(getattr(month, attribute) or 0)
            points.append((x_of(index), upper + plot_height - plot_height * value / top))
        parts.append(
            format_html(
                '<polyline class="line series-{}" points="{}"/>',
                number_of_series,
                " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
            )
        )
        parts.append(
            format_html_join(
                "",
                '<circle class="dot series-{}" cx="{}" cy="{}" r="3.5"><title>{} {}: {}</title>'
                "</circle>",
                (
                    (
                        number_of_series,
                        f"{x:.1f}",
                        f"{y:.1f}",
                        name,
                        month.label,
                        number(getattr(month, attribute)),
                    )
                    for (x, y), month in zip(points, months, strict=True)
                ),
            )
        )
        # The legend, top left, one entry per series.
        legend_x = left + number_of_series * 140
        parts.append(
            format_html(
                '<rect class="swatch series-{}" x="{}" y="6" width="14" height="14"/>'
                '<text class="legend" x="{}" y="18">{}</text>',
                number_of_series,
                legend_x,
                legend_x + 20,
                name,
            )
        )
    description = "; ".join(
        f"{month.label}: "
        + ", ".join(f"{name} {number(getattr(month, attribute))}" for attribute, name in series)
        for month in months
    )
    svg = _frame(
        title=title,
        description=description,
        height=height,
        body="".join(parts),
        css="chart-trend",
    )
    return Chart(title=title, svg=svg, headers=headers, rows=rows)
