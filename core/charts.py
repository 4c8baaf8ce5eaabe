"""Line charts drawn on the server as SVG geometry: no JavaScript, nothing from a CDN.

One geometry for every chart: categories (quarters, months) spaced evenly along x, values
scaled between 0 and a top value along y. ``share_chart`` draws shares of a maximum (the
village's scores); ``count_chart`` draws counts (the dashboard's monthly trend). Templates draw
the returned ``LineChart``; ``rows`` is the same data as a table for screen readers and print.
"""

from dataclasses import dataclass, field

# Eight distinguishable colours (Okabe–Ito plus two darker tones), readable on white.
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#6a3d9a",
           "#8c6d31"]
TOTAL_COLOR = "#a4161a"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    width: float
    points: list[Point]
    values: list = field(default_factory=list)  # the figures, None where there is none

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    categories: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [(category, [s.values[i] for s in self.series])
                for i, category in enumerate(self.categories)]


@dataclass(frozen=True)
class Line:
    label: str
    values: list
    emphasised: bool = False
    color: str = ""                             # else the next of the palette


def line_chart(categories: list[str], lines: list[Line], *, top_value: float,
               ticks: list[float], tick_label, point_label, short_labels=None,
               width: int = 640, height: int = 240) -> LineChart:
    """The chart of ``lines`` over ``categories``, y from 0 to ``top_value`` (values beyond it
    are drawn at the edge). An emphasised line (a total) is drawn thicker in its own colour."""
    left, top, right, bottom = 44, 12, width - 32, height - 28
    span = max(len(categories) - 1, 1)

    def x_of(index: int) -> float:
        if len(categories) == 1:
            return (left + right) / 2
        return left + (right - left) * index / span

    def y_of(value: float) -> float:
        share = value / top_value if top_value else 0.0
        return bottom - (bottom - top) * max(0.0, min(1.0, share))

    series, colour = [], 0
    for line in lines:
        points = [Point(x_of(i), y_of(v), point_label(v)) for i, v in enumerate(line.values)
                  if v is not None]
        if line.emphasised:
            color, stroke = line.color or TOTAL_COLOR, 3.0
        elif line.color:
            color, stroke = line.color, 2.0
        else:
            color, stroke = PALETTE[colour % len(PALETTE)], 1.5
            colour += 1
        series.append(Series(line.label, color, stroke, points, values=list(line.values)))
    return LineChart(
        width=width, height=height, left=left, top=top, right=right, bottom=bottom,
        series=series, categories=list(categories),
        x_labels=[(x_of(i), label) for i, label in enumerate(short_labels or categories)],
        y_ticks=[(y_of(value), tick_label(value)) for value in ticks])


def share_chart(quarters: list[str], lines: list[tuple[str, list[float | None], bool]], *,
                width: int = 640, height: int = 240) -> LineChart:
    """Lines of shares (0..1) over quarters; ``lines`` are (label, values, is_total)."""
    return line_chart(quarters, [Line(label, values, emphasised=total)
                                 for label, values, total in lines],
                      top_value=1.0, ticks=[0, 0.25, 0.5, 0.75, 1.0],
                      tick_label=lambda share: f"{share:.0%}",
                      point_label=lambda share: f"{share:.0%}", width=width, height=height)


def count_chart(categories: list[str], lines: list[Line], *, short_labels=None,
                width: int = 640, height: int = 220) -> LineChart:
    """Lines of counts over categories, y from 0 to the largest count (at least 1)."""
    peak = max([1, *(v for line in lines for v in line.values if v is not None)])
    return line_chart(categories, lines, top_value=peak, ticks=sorted({0, peak // 2, peak}),
                      tick_label=str, point_label=str, short_labels=short_labels,
                      width=width, height=height)
