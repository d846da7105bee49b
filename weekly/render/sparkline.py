"""A small, quiet trend line as inline SVG, with its takeaway as the accessible title."""

from __future__ import annotations

from markupsafe import Markup, escape

from weekly.model import Metric
from weekly.render.format import change_class, number

# Colours as SVG attributes, not CSS classes: PDF and mail clients ignore page CSS inside SVG.
_LINE, _TARGET = "#59636e", "#8c959f"
# The page's colour-blind-safe pair: blue for good, vermilion for bad.
DOT_COLOURS = {"good": "#0b5cad", "bad": "#a33a00", "flat": "#59636e"}


def trend_scale(metric: Metric) -> tuple[float, float] | None:
    """The low and high a trend line spans: its values, and the target when it is near
    them; None with fewer than two weeks of data (no line is drawn then)."""
    known = [p.value for p in metric.series if p.value is not None]
    if len(known) < 2:
        return None
    low, high = min(known), max(known)
    if metric.target is not None and low <= metric.target * 1.5 and metric.target >= low * 0.5:
        low, high = min(low, metric.target), max(high, metric.target)
    return low, high


def sparkline(metric: Metric, width: int = 120, height: int = 28) -> Markup:
    """The metric's weekly series as a line; weeks without data leave a gap."""
    values = [p.value for p in metric.series]
    known = [v for v in values if v is not None]
    scale = trend_scale(metric)
    if scale is None:
        return Markup("")
    low, high = scale
    span = (high - low) or 1.0
    pad = 3.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    segments: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(f"{round(pad + i * step, 1)},{y(v)}")
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{_LINE}" stroke-width="1.4" '
        'stroke-linejoin="round"/>'
        for s in segments
        if len(s) > 1
    )
    target = ""
    if metric.target is not None and low <= metric.target <= high:
        ty = y(metric.target)
        target = (
            f'<line x1="0" x2="{width}" y1="{ty}" y2="{ty}" stroke="{_TARGET}" '
            'stroke-width="0.8" stroke-dasharray="3 2"/>'
        )
    last = ""
    if values[-1] is not None:
        last = (
            f'<circle cx="{round(pad + (len(values) - 1) * step, 1)}" cy="{y(values[-1])}" '
            f'r="2.5" fill="{DOT_COLOURS[change_class(metric)]}"/>'
        )
    first_value = next(v for v in values if v is not None)
    title = (
        f"{metric.label}: {len(values)}-week trend from {number(first_value, metric.unit)} "
        f"to {number(known[-1], metric.unit)}"
    )
    return Markup(
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f"{target}{lines}{last}</svg>"
    )
