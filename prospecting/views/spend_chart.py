"""The spend chart's geometry: bars of spent and unconfirmed credits per day or month, drawn as SVG by
the template (templates/prospecting/_spend_chart.html). No script and no library: the server knows the
figures, so it can place the bars.

Each chart is drawn twice, at two widths (`wide` for a screen, `narrow` for a phone), and CSS shows one:
an SVG scaled from one width to the other would make its labels unreadable at 375 px.
"""

import math
from decimal import Decimal

from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

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


def _draw(points, unit, credit_type, layout_name, *, ident, title, desc):
    """One drawing as SVG markup. Built here rather than in a template loop: a month's bars in a dozen
    charts are thousands of elements, and the template engine took most of the page's time drawing them."""
    layout = LAYOUTS[layout_name]
    width, height, font = layout["width"], layout["height"], layout["font"]
    left, right = MARGIN["left"], width - MARGIN["right"]
    plot_h = height - MARGIN["top"] - MARGIN["bottom"]
    bottom = MARGIN["top"] + plot_h
    # Negative days (an adjustment larger than the day's spend) draw no bar; the table has the figure.
    peak = max((max(float(spent), 0) + max(float(unsure), 0) for _, spent, unsure in points), default=0)
    ticks = _ticks(peak)
    top = ticks[-1]
    slot = (right - left) / max(len(points), 1)
    bar = max(slot * 0.72, 1)
    me = f"{ident}-{layout_name}"
    parts = [
        f'<svg class="chart-svg chart-{layout_name}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{me}-title {me}-desc" font-size="{font}">',
        f'<title id="{me}-title">{escape(title)}</title><desc id="{me}-desc">{escape(desc)}</desc>',
        f'<defs><pattern id="{me}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/>'
        '<rect width="2.5" height="6" class="hatch-line"/></pattern></defs>',
    ]
    for tick in ticks:
        y = bottom - plot_h * tick / top
        parts.append(
            f'<line class="grid-line" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{y:.1f}" dy="0.35em" text-anchor="end">'
            f"{amount_text(Decimal(str(tick)))}</text>"
        )
    for index, (day, spent, unsure) in enumerate(points):
        x = left + slot * index + (slot - bar) / 2
        spent_h = plot_h * max(float(spent), 0) / top
        unsure_h = plot_h * max(float(unsure), 0) / top
        words = f"{_bucket_words(day, unit)}: {credits_text(spent, credit_type)} spent"
        if unsure:
            words += f", {amount_text(unsure)} unconfirmed"
        parts.append("<g>")
        if spent_h:
            parts.append(
                f'<rect class="bar-spent" x="{x:.1f}" y="{bottom - spent_h:.1f}" width="{bar:.1f}" '
                f'height="{spent_h:.1f}"/>'
            )
        if unsure_h:
            parts.append(
                f'<rect class="bar-unconfirmed" fill="url(#{me}-hatch)" x="{x:.1f}" '
                f'y="{bottom - spent_h - unsure_h:.1f}" width="{bar:.1f}" height="{unsure_h:.1f}"/>'
            )
        # A transparent full-height target, so the day's figures show on hover even where no bar is.
        parts.append(
            f'<rect class="bar-hit" x="{x:.1f}" y="0" width="{bar:.1f}" height="{bottom}">'
            f"<title>{escape(words)}</title></rect>"
        )
        label = _axis_label(day, unit, layout, index)
        if label:
            parts.append(
                f'<text class="axis" x="{left + slot * index + slot / 2:.1f}" y="{bottom + font + 4}" '
                f'text-anchor="middle">{label}</text>'
            )
        parts.append("</g>")
    parts.append(f'<line class="base-line" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/></svg>')
    # Safe: every text in it is escaped above; the rest is numbers and our own words.
    return mark_safe("".join(parts))  # noqa: S308


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
    ident = f"chart-{number}"
    return {
        "id": ident,
        "title": title,
        "desc": desc,
        "credit_type": credit_type,
        "sandbox": sandbox,
        "drawings": [
            _draw(points, period.unit, credit_type, name, ident=ident, title=title, desc=desc)
            for name in LAYOUTS
        ],
        # The table's rows, made here for the same reason as the drawings.
        "rows": format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td></tr>',
            ((_bucket_words(day, period.unit), amount_text(s), amount_text(u)) for day, s, u in points),
        ),
        "buckets": len(points),
        "spent": spent,
        "unconfirmed": unsure,
        "has_unconfirmed": bool(unsure),
    }
