"""Small inline SVG charts for the HTML report: stacked line panels, a bar chart, formation diagrams.

The report draws three simple kinds of chart. matplotlib draws them too, but importing it and laying out the
figures costs about a second of CPU per report (measured with ``benchmarks/bench.py``: ``report_over_help``), more
than everything else the report computes; these few primitives write the same charts as plain SVG text in a few
milliseconds. Everything is drawn in pixels from an :class:`Axes` that maps data to the plot area; text is escaped;
nothing refers outside the file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import ArrayLike, NDArray

FONT = "font-family:sans-serif"


def nice_ticks(lo: float, hi: float, target: int = 5) -> NDArray[np.float64]:
    """Round tick values covering ``[lo, hi]``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return np.array([lo])
    raw = (hi - lo) / max(target, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return np.arange(first, hi + 1e-9 * step, step)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v) >= 100 or v == int(v) else f"{v:.3g}"


@dataclass(frozen=True)
class Axes:
    """A plot area ``(left, top, width, height)`` [px] showing data ``[x0, x1] x [y0, y1]``."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x1: float
    y0: float
    y1: float

    def px(self, x: ArrayLike) -> NDArray[np.float64]:
        return self.left + (np.asarray(x, dtype=float) - self.x0) / (self.x1 - self.x0) * self.width

    def py(self, y: ArrayLike) -> NDArray[np.float64]:
        return self.top + (self.y1 - np.asarray(y, dtype=float)) / (self.y1 - self.y0) * self.height

    def frame(self, xlabel: str | None, ylabel: str, x_ticks: bool = True) -> list[str]:
        """The frame, grid, tick labels and axis labels."""
        out = [
            f'<rect x="{self.left:.1f}" y="{self.top:.1f}" width="{self.width:.1f}" height="{self.height:.1f}" '
            'fill="none" stroke="#888" stroke-width="0.8"/>'
        ]
        for v in nice_ticks(self.y0, self.y1, 4):
            y = float(self.py(v))
            out.append(
                f'<line x1="{self.left:.1f}" y1="{y:.1f}" x2="{self.left + self.width:.1f}" y2="{y:.1f}" '
                'stroke="#eee" stroke-width="0.8"/>'
                f'<text x="{self.left - 4:.1f}" y="{y + 3:.1f}" font-size="9" text-anchor="end" style="{FONT}">'
                f"{_fmt(v)}</text>"
            )
        if x_ticks:
            for v in nice_ticks(self.x0, self.x1, 8):
                x = float(self.px(v))
                out.append(
                    f'<text x="{x:.1f}" y="{self.top + self.height + 11:.1f}" font-size="9" text-anchor="middle" '
                    f'style="{FONT}">{_fmt(v)}</text>'
                )
        cy = self.top + self.height / 2
        out.append(
            f'<text x="12" y="{cy:.1f}" font-size="9" text-anchor="middle" transform="rotate(-90 12 {cy:.1f})" '
            f'style="{FONT}">{escape(ylabel)}</text>'
        )
        if xlabel:
            out.append(
                f'<text x="{self.left + self.width / 2:.1f}" y="{self.top + self.height + 25:.1f}" font-size="10" '
                f'text-anchor="middle" style="{FONT}">{escape(xlabel)}</text>'
            )
        return out


def _svg(width: float, height: float, body: Sequence[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img"><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _polyline(ax: Axes, x: ArrayLike, y: ArrayLike, colour: str, max_points: int = 1500) -> str:
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xs.size > max_points:  # more points than pixels: keep every k-th and the last
        idx = np.unique(np.append(np.arange(0, xs.size, math.ceil(xs.size / max_points)), xs.size - 1))
        xs, ys = xs[idx], ys[idx]
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(ax.px(xs), ax.py(ys), strict=True))
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.6"/>'


def line_panels_svg(
    x: ArrayLike,
    panels: Sequence[tuple[str, ArrayLike, str, tuple[float, float] | None]],
    xlabel: str,
    vlines: ArrayLike = (),
    width: float = 760.0,
    panel_height: float = 110.0,
) -> str:
    """Panels stacked over a shared x axis: ``(label, y, colour, (ymin, ymax) or None)`` each, with vertical lines.

    Parameters
    ----------
    x : array
        Shared abscissa (e.g. race distance [m]).
    panels : sequence
        One line each: its y label (with unit), values, colour and optional y range.
    xlabel : str
        Label of the shared axis.
    vlines : array
        x values of thin vertical guide lines (lap lines).
    """
    xs = np.asarray(x, dtype=float)
    left, right, gap = 62.0, 12.0, 10.0
    body: list[str] = []
    top = 8.0
    for i, (label, y, colour, yrange) in enumerate(panels):
        ys = np.asarray(y, dtype=float)
        finite = ys[np.isfinite(ys)]
        lo, hi = yrange if yrange is not None else (float(finite.min()), float(finite.max()))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        pad = 0.0 if yrange is not None else 0.08 * (hi - lo)
        ax = Axes(left, top, width - left - right, panel_height, float(xs[0]), float(xs[-1]), lo - pad, hi + pad)
        last = i == len(panels) - 1
        for v in np.asarray(vlines, dtype=float):
            px = float(ax.px(v))
            body.append(
                f'<line x1="{px:.1f}" y1="{top:.1f}" x2="{px:.1f}" y2="{top + panel_height:.1f}" stroke="#ccc" '
                'stroke-width="0.8"/>'
            )
        body += ax.frame(xlabel if last else None, label, x_ticks=last)
        body.append(_polyline(ax, xs, np.where(np.isfinite(ys), ys, lo), colour))
        top += panel_height + gap
    height = top + 24.0
    return _svg(width, height, body, ", ".join(p[0] for p in panels) + f" against {xlabel}")


def bars_svg(
    labels: Sequence[str],
    bottoms: ArrayLike,
    heights: ArrayLike,
    colours: Sequence[str],
    notes: Sequence[str],
    ylabel: str,
    title: str,
    width: float = 760.0,
    height: float = 260.0,
) -> str:
    """Vertical bars from ``bottoms`` to ``bottoms + heights`` (a waterfall when chained), a note above each."""
    b = np.asarray(bottoms, dtype=float)
    h = np.asarray(heights, dtype=float)
    ends = np.concatenate([b, b + h])
    lo, hi = float(ends.min()), float(ends.max())
    pad = max(0.5, 0.15 * (hi - lo))
    n = len(labels)
    ax = Axes(62.0, 24.0, width - 74.0, height - 74.0, -0.5, n - 0.5, lo - pad, hi + pad)
    body = [
        f'<text x="{width / 2:.1f}" y="14" font-size="10" text-anchor="middle" style="{FONT}">{escape(title)}</text>'
    ]
    body += ax.frame(None, ylabel, x_ticks=False)
    bar_w = 0.6 * ax.width / n
    for i in range(n):
        y_top, y_bot = float(ax.py(max(b[i], b[i] + h[i]))), float(ax.py(min(b[i], b[i] + h[i])))
        y_bot = min(y_bot, ax.top + ax.height)
        xc = float(ax.px(i))
        bar_h = max(y_bot - y_top, 0.5)
        body.append(
            f'<rect x="{xc - bar_w / 2:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="{colours[i]}"/>'
        )
        if notes[i]:
            body.append(
                f'<text x="{xc:.1f}" y="{y_top - 3:.1f}" font-size="9" text-anchor="middle" style="{FONT}">'
                f"{escape(notes[i])}</text>"
            )
        for k, part in enumerate(labels[i].split("\n")):
            body.append(
                f'<text x="{xc:.1f}" y="{ax.top + ax.height + 12 + 11 * k:.1f}" font-size="9" text-anchor="middle" '
                f'style="{FONT}">{escape(part)}</text>'
            )
    return _svg(width, height, body, title)


def formation_panels_svg(
    panels: Sequence[tuple[str, Sequence[tuple[float, float, str]], str]],
    per_row: int = 4,
    panel: float = 190.0,
) -> str:
    """Formations from above: per panel a title, runners ``(lateral_m, ahead_m, label)`` and the athlete's label.

    The athlete is at the origin (orange), pacers in blue; +lateral is outward, +ahead up; the view spans
    -3..3 m across and -3..4.5 m along.
    """
    cols = min(len(panels), per_row)
    rows = -(-len(panels) // per_row)
    ph = panel * 1.25 + 30
    body: list[str] = []
    for k, (title, runners, athlete) in enumerate(panels):
        r, c = divmod(k, per_row)
        ax = Axes(38.0 + c * (panel + 40), 30.0 + r * ph, panel * 0.8, panel * 1.0, -3.0, 3.0, -3.0, 4.5)
        for t, line in enumerate(title.split("\n")):
            body.append(
                f'<text x="{ax.left + ax.width / 2:.1f}" y="{ax.top - 18 + 10 * t:.1f}" font-size="9" '
                f'text-anchor="middle" style="{FONT}">{escape(line)}</text>'
            )
        body += ax.frame("lateral [m] (+ outward)", "ahead [m]")
        y0 = float(ax.py(0.0))
        body.append(
            f'<line x1="{ax.left:.1f}" y1="{y0:.1f}" x2="{ax.left + ax.width:.1f}" y2="{y0:.1f}" stroke="#ddd"/>'
        )
        scale = ax.width / 6.0
        for lat, ahead, label in [*runners, (0.0, 0.0, athlete)]:
            x, y = float(ax.px(lat)), float(ax.py(ahead))
            colour = "#ff7a45" if label == athlete and lat == 0.0 and ahead == 0.0 else "#4aa3ff"
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{0.25 * scale:.1f}" fill="{colour}"/>')
            body.append(
                f'<text x="{x + 0.3 * scale:.1f}" y="{y - 2:.1f}" font-size="8" style="{FONT}">{escape(label)}</text>'
            )
    width = 38.0 + cols * (panel + 40)
    return _svg(width, 30.0 + rows * ph, body, "formations from above")
