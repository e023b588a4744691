"""Charts drawn on the server as SVG, for the PDF (no JavaScript there): grouped bars and a
line. Small on purpose: axes, gridlines, bars or a polyline, labels and a legend."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 680, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 70
PALETTE = ("#1f6fb2", "#2e9d57", "#e0a100", "#c0392b", "#7d3c98")
FONT = 'font-family="DejaVu Sans, sans-serif"'


@dataclass(frozen=True)
class Series:
    """A named list of values (None: no value, e.g. a share of nothing)."""

    name: str
    values: Sequence[float | int | None]


def _nice_max(value: float) -> float:
    """A round upper bound for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if value <= factor * step:
            return factor * step
    return 10 * step


def _number(value: float) -> str:
    return f"{value:g}"


def _frame(title: str, labels: Sequence[str], top: float, series: Sequence[Series]) -> list[str]:
    """Title, gridlines with their values, category labels (slanted) and the legend."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<text x="{WIDTH / 2}" y="16" text-anchor="middle" font-size="13" '
        f'font-weight="bold" {FONT}>{escape(title)}</text>'
    ]
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="#ccc" stroke-width="0.6"/>'
        )
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9" {FONT}>'
            f"{_number(top * i / 4)}</text>"
        )
    step = plot_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        x = LEFT + step * (i + 0.5)
        y = TOP + plot_h + 10
        text = escape(label if len(label) <= 28 else label[:27] + "…")
        parts.append(
            f'<text x="{x:.1f}" y="{y}" font-size="8.5" text-anchor="end" '
            f'transform="rotate(-30 {x:.1f} {y})" {FONT}>{text}</text>'
        )
    for i, one in enumerate(series):
        x = LEFT + i * 150
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 12}" width="10" height="8" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{HEIGHT - 4}" font-size="9" {FONT}>{escape(one.name)}</text>'
        )
    return parts


def _svg(parts: list[str]) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">{body}</svg>'
    )


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Grouped bars: one group per label, one bar per series."""
    highest = max((float(v) for s in series for v in s.values if v is not None), default=0.0)
    top = _nice_max(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, labels, top, series)
    step = plot_w / max(len(labels), 1)
    bar = step * 0.8 / max(len(series), 1)
    for s_index, one in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        for i, value in enumerate(one.values):
            if not value:
                continue
            height = plot_h * float(value) / top
            x = LEFT + step * i + step * 0.1 + bar * s_index
            y = TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                f'fill="{colour}"/>'
            )
    return _svg(parts)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[Series], *, top: float | None = None
) -> str:
    """Lines with a dot at each value; a None breaks the line."""
    highest = max((float(v) for s in series for v in s.values if v is not None), default=0.0)
    top = top or _nice_max(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = _frame(title, labels, top, series)
    step = plot_w / max(len(labels), 1)
    for s_index, one in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(one.values):
            if value is None:
                runs.append([])
                continue
            point = (LEFT + step * (i + 0.5), TOP + plot_h - plot_h * float(value) / top)
            runs[-1].append(point)
            parts.append(
                f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2.5" fill="{colour}"/>'
            )
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="1.8"/>'
                )
    return _svg(parts)


def data_uri(svg: str) -> str:
    """A data: URL of an SVG, for <img src> in the PDF template."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
