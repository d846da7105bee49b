"""A metric's trend line as a small PNG, for the mail: Gmail shows no SVG and strips data:
URIs, and Outlook shows inline SVG blank, so the mail carries pictures (see deliver/email.py).

Drawn like the page's SVG sparkline (render/sparkline.py): a quiet grey line with gaps for weeks
without data, a dashed target line when the target is in view, and a dot on the last value.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from weekly.i18n import _, ngettext
from weekly.model import Metric
from weekly.render.format import change_class, number
from weekly.render.sparkline import DOT_COLOURS, trend_scale

# PNG pixels per CSS pixel: sharp on high-density screens, displayed at width × height.
DENSITY = 2
# Drawn this much larger again, then downsampled: Pillow draws lines without anti-aliasing.
_SUPERSAMPLE = 3
_COLOURS = 32
_PAD = 3.0  # CSS px, room for the last value's dot
_Rgb = tuple[int, int, int]
_LINE, _TARGET = (89, 99, 110), (140, 149, 159)  # #59636e, #8c959f as on the page
_DOT: dict[str, _Rgb] = {
    name: (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16))
    for name, hex_ in DOT_COLOURS.items()
}


def trend_phrase(metric: Metric) -> str | None:
    """`12-week trend up from 11,020 to 12,557`; None with fewer than two weeks of data."""
    values = [p.value for p in metric.series]
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    first, last = (number(v, metric.unit, metric.decimals) for v in (known[0], known[-1]))
    words = {"num": len(values), "first": first, "last": last}
    if known[-1] > known[0]:
        phrase = _("%(num)d-week trend up from %(first)s to %(last)s") % words
    elif known[-1] < known[0]:
        phrase = _("%(num)d-week trend down from %(first)s to %(last)s") % words
    else:
        phrase = _("%(num)d-week trend flat from %(first)s to %(last)s") % words
    gaps = len(values) - len(known)
    if gaps:
        phrase += ngettext(", no data for %(num)d week", ", no data for %(num)d weeks", gaps)
    return phrase


def takeaway(metric: Metric) -> str | None:
    """The picture in words, for its alt text: `Weekly active payers: 12-week trend up from
    11,020 to 12,557; target 13,000`."""
    phrase = trend_phrase(metric)
    if phrase is None:
        return None
    text = f"{metric.label}{_(': ')}{phrase}"
    if metric.target is not None:
        target = number(metric.target, metric.unit, metric.decimals)
        text += _("; target %(value)s") % {"value": target}
    return text


def trend_png(metric: Metric, width: int, height: int) -> bytes | None:
    """The weekly series as a PNG of `width` × `height` CSS px (at DENSITY); None with fewer
    than two weeks of data, as the SVG sparkline draws nothing then."""
    values = [p.value for p in metric.series]
    scale = trend_scale(metric)  # the target joins it when near the data, as on the page
    if scale is None:
        return None
    low, high = scale
    target = metric.target
    span = (high - low) or 1.0
    px = DENSITY * _SUPERSAMPLE
    step = (width - 2 * _PAD) / max(len(values) - 1, 1)

    def at(i: int, v: float) -> tuple[float, float]:
        return (_PAD + i * step) * px, (height - _PAD - (v - low) / span * (height - 2 * _PAD)) * px

    image = Image.new("RGBA", (width * px, height * px), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    if target is not None and low <= target <= high:
        _dashed(draw, at(0, target)[1], width * px, (3 * px, 2 * px), _TARGET, round(0.8 * px))
    for run in _runs(values):
        points = [at(i, v) for i, v in run]
        if len(points) > 1:
            draw.line(points, fill=_LINE, width=round(1.4 * px), joint="curve")
        else:  # one week between two gaps: a dot, so it is not lost
            _dot(draw, points[0], 0.9 * px, _LINE)
    if values[-1] is not None:
        _dot(draw, at(len(values) - 1, values[-1]), 2.5 * px, _DOT[change_class(metric)])
    small = image.resize((width * DENSITY, height * DENSITY), Image.Resampling.LANCZOS)
    # 32 colours hold three colours and their anti-aliased edges: a third of the bytes.
    out = io.BytesIO()
    small.quantize(_COLOURS, method=Image.Quantize.FASTOCTREE).save(
        out, format="PNG", optimize=True
    )
    return out.getvalue()


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """The series split at weeks without data: each run is drawn as its own line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((i, v))
    return [run for run in runs if run]


def _dashed(
    draw: ImageDraw.ImageDraw, y: float, width: int, dash: tuple[int, int], fill: _Rgb, size: int
) -> None:
    on, off = dash
    for x in range(0, width, on + off):
        draw.line([(x, y), (min(x + on, width), y)], fill=fill, width=max(size, 1))


def _dot(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float, fill: _Rgb) -> None:
    x, y = centre
    draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill)
