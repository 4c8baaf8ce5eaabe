"""Line charts drawn on the server as SVG geometry: no JavaScript, nothing from a CDN."""

from dataclasses import dataclass

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


def share_chart(quarters: list[str], lines: list[tuple[str, list[float | None], bool]], *,
                width: int = 640, height: int = 240) -> LineChart:
    """Lines of shares (0..1) over quarters; ``lines`` are (label, values, is_total)."""
    left, top, right, bottom = 44, 12, width - 32, height - 28
    span = max(len(quarters) - 1, 1)

    def x_of(index: int) -> float:
        if len(quarters) == 1:
            return (left + right) / 2
        return left + (right - left) * index / span

    def y_of(share: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(1.0, share))

    series, colour = [], 0
    for label, values, is_total in lines:
        points = [Point(x_of(i), y_of(v), f"{v:.0%}") for i, v in enumerate(values)
                  if v is not None]
        if is_total:
            series.append(Series(label, TOTAL_COLOR, 3.0, points))
        else:
            series.append(Series(label, PALETTE[colour % len(PALETTE)], 1.5, points))
            colour += 1
    return LineChart(
        width=width, height=height, left=left, top=top, right=right, bottom=bottom,
        series=series, x_labels=[(x_of(i), q) for i, q in enumerate(quarters)],
        y_ticks=[(y_of(share), f"{share:.0%}") for share in (0, 0.25, 0.5, 0.75, 1.0)])
