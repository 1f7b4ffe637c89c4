"""The spend chart's geometry: bars of spent and unconfirmed credits per day or month, drawn as SVG by
the template (templates/prospecting/_spend_chart.html). No script and no library: the server knows the
figures, so it can place the bars.

Each chart is drawn twice, at two widths (`wide` for a screen, `narrow` for a phone), and CSS shows one:
an SVG scaled from one width to the other would make its labels unreadable at 375 px.
"""

import math
from decimal import Decimal

from prospecting.services.spend import CREDIT_LABELS, amount_text, credits_text

# width, height, font size, and which buckets get a label on the x axis
LAYOUTS = {
    "wide": {"width": 560, "height": 220, "font": 12, "days": (1, 5, 10, 15, 20, 25, 30), "months": 1},
    "narrow": {"width": 320, "height": 190, "font": 11, "days": (1, 8, 15, 22, 29), "months": 2},
}
MARGIN = {"left": 46, "right": 6, "top": 10, "bottom": 24}


def _ticks(peak):
    """Round figures for the y axis, 0 included, at most 4 steps, the last at or above the peak."""
    if peak <= 0:
        return [0.0, 1.0]
    rough = peak / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    return [round(step * n, 6) for n in range(math.ceil(peak / step - 1e-9) + 1)]


def _bucket_words(day, unit):
    return f"{day.day} {day:%b %Y}" if unit == "day" else f"{day:%B %Y}"


def _axis_label(day, unit, layout, index):
    if unit == "day":
        return str(day.day) if day.day in layout["days"] else ""
    return f"{day:%b}" if index % layout["months"] == 0 else ""


def _draw(points, unit, name, layout_name):
    layout = LAYOUTS[layout_name]
    width, height = layout["width"], layout["height"]
    plot_w = width - MARGIN["left"] - MARGIN["right"]
    plot_h = height - MARGIN["top"] - MARGIN["bottom"]
    # Negative days (an adjustment larger than the day's spend) draw no bar; the table has the figure.
    peak = max((max(float(spent), 0) + max(float(unsure), 0) for _, spent, unsure in points), default=0)
    ticks = _ticks(peak)
    top = ticks[-1]
    slot = plot_w / max(len(points), 1)
    bar = max(slot * 0.72, 1)
    bottom = MARGIN["top"] + plot_h

    def y(value):
        return bottom - plot_h * value / top

    bars = []
    for index, (day, spent, unsure) in enumerate(points):
        x = MARGIN["left"] + slot * index + (slot - bar) / 2
        spent_h = plot_h * max(float(spent), 0) / top
        unsure_h = plot_h * max(float(unsure), 0) / top
        words = f"{_bucket_words(day, unit)}: {credits_text(spent, name)} spent"
        if unsure:
            words += f", {amount_text(unsure)} unconfirmed"
        bars.append(
            {
                "x": round(x, 1),
                "width": round(bar, 1),
                "spent_y": round(bottom - spent_h, 1),
                "spent_h": round(spent_h, 1),
                "unsure_y": round(bottom - spent_h - unsure_h, 1),
                "unsure_h": round(unsure_h, 1),
                "words": words,
                "label": _axis_label(day, unit, layout, index),
                "label_x": round(MARGIN["left"] + slot * index + slot / 2, 1),
            }
        )
    return {
        "layout": layout_name,
        "width": width,
        "height": height,
        "font": layout["font"],
        "left": MARGIN["left"],
        "right": width - MARGIN["right"],
        "bottom": bottom,
        "label_y": bottom + layout["font"] + 4,
        "grid": [{"y": round(y(t), 1), "label": amount_text(Decimal(str(t)))} for t in ticks],
        "bars": bars,
    }


def build_chart(key, points, *, period, number):
    """One credit type's chart: its title, a description (the figures in words for screen readers),
    both drawings, and the rows of its table."""
    sandbox, credit_type = key
    label = CREDIT_LABELS.get(credit_type, credit_type)
    per = "day" if period.unit == "day" else "month"
    title = f"{label}{' (sandbox)' if sandbox else ''} per {per}, {period.label}"
    spent = sum((p[1] for p in points), Decimal(0))
    unsure = sum((p[2] for p in points), Decimal(0))
    busiest = max(points, key=lambda p: p[1] + p[2]) if points else None
    desc = f"Bar chart of {label.lower()} spent per {per}: {credits_text(spent, credit_type)} spent in all"
    if unsure:
        desc += f", and {amount_text(unsure)} unconfirmed (drawn hatched, on top)"
    if busiest and busiest[1] + busiest[2] > 0:
        most = amount_text(busiest[1] + busiest[2])
        desc += f". The most in one {per}: {most}, {_bucket_words(busiest[0], period.unit)}"
    desc += ". The same figures are in the table under the chart."
    return {
        "id": f"chart-{number}",
        "title": title,
        "desc": desc,
        "credit_type": credit_type,
        "sandbox": sandbox,
        "drawings": [_draw(points, period.unit, credit_type, name) for name in LAYOUTS],
        "rows": [
            {"when": _bucket_words(day, period.unit), "spent": s, "unconfirmed": u} for day, s, u in points
        ],
        "spent": spent,
        "unconfirmed": unsure,
        "has_unconfirmed": bool(unsure),
    }
