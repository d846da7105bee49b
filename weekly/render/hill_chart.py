"""A bet's place on the hill as a small inline SVG, with its takeaway as the accessible title.

The hill is half a sine wave: the left half is uphill (still figuring it out), the right
half downhill (executing). A faint ring marks where the last sent report had the dot; a
dot that has not moved for two weeks is red and ringed.
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from weekly.hill import side_words
from weekly.i18n import _
from weekly.model import Bet

# Colours as SVG attributes, not CSS classes: PDF and mail clients ignore page CSS inside SVG.
_HILL, _DOT, _WAS, _STUCK = "#8c959f", "#1f2328", "#8c959f", "#a33a00"


def hill_chart(bet: Bet, width: int = 46, height: int = 15) -> Markup:
    """The bet's dot on a small hill; empty when the bet has no position."""
    if bet.hill is None:
        return Markup("")
    pad = 3.0

    def point(position: int) -> tuple[float, float]:
        x = pad + position / 100 * (width - 2 * pad)
        y = height - 1.5 - math.sin(math.pi * position / 100) * (height - pad - 2)
        return round(x, 1), round(y, 1)

    curve = " ".join(f"{x},{y}" for x, y in (point(p) for p in range(0, 101, 5)))
    shapes = [
        f'<polyline points="{curve}" fill="none" stroke="{_HILL}" stroke-width="1"/>',
        f'<line x1="{width / 2}" x2="{width / 2}" y1="{pad - 1}" y2="{height - 1}" '
        f'stroke="{_HILL}" stroke-width="0.5" stroke-dasharray="1 1"/>',
    ]
    change = bet.change
    was = change.previous_hill if change else None
    if was is not None and was != bet.hill:
        wx, wy = point(was)
        shapes.append(
            f'<circle cx="{wx}" cy="{wy}" r="2" fill="#fff" stroke="{_WAS}" stroke-width="0.8"/>'
        )
    stuck = bool(change and change.hill_unmoved)
    x, y = point(bet.hill)
    if stuck:
        shapes.append(
            f'<circle cx="{x}" cy="{y}" r="3.6" fill="none" stroke="{_STUCK}" stroke-width="0.9"/>'
        )
    shapes.append(f'<circle cx="{x}" cy="{y}" r="2.4" fill="{_STUCK if stuck else _DOT}"/>')
    title = hill_text(bet)
    return Markup(
        f'<svg class="hill" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f"{''.join(shapes)}</svg>"
    )


def hill_text(bet: Bet) -> str:
    """`downhill 70 (was 40)`, `uphill 30, not moved for 2 weeks`: the dot in words."""
    if bet.hill is None:
        return ""
    text = f"{side_words(bet.hill)} {bet.hill}"
    change = bet.change
    if change and change.hill_unmoved:
        return text + _(", not moved for 2 weeks")
    if change and change.previous_hill is not None and change.previous_hill != bet.hill:
        return text + " " + _("(was %(was)d)") % {"was": change.previous_hill}
    return text
