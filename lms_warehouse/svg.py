"""Small inline-SVG charts in plain Python: no JavaScript library, no network, the same bytes every run."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

PALETTE = ("#3b6fb6", "#e07b39", "#4f9d69", "#c4455a", "#8a6bbf", "#b8a03a", "#3aa6b8", "#7f7f7f")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>' + "".join(body) + "</svg>"
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    body = []
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        body.append(f'<rect x="{x:.1f}" y="{y + 16 * i:.1f}" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{x + 14:.1f}" y="{y + 16 * i + 9:.1f}">{escape(name)}</text>')
    return body


def bar_rows(rows: Sequence[tuple[str, float]], label: str, width: int = 760, value_suffix: str = "") -> str:
    """Horizontal bars, one row per (label, value), in the given order."""
    label_width, row_height, top = 230, 20, 8
    plot = width - label_width - 80
    largest = max((value for _, value in rows), default=0) or 1
    body = []
    for i, (name, value) in enumerate(rows):
        y = top + i * row_height
        length = plot * value / largest
        body.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(name)}</text>')
        body.append(f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{row_height - 5}" '
                    f'fill="{PALETTE[0]}"><title>{escape(name)}: {_number(value)}{value_suffix}</title></rect>')
        body.append(f'<text x="{label_width + length + 4:.1f}" y="{y + 13}">{_number(value)}{value_suffix}</text>')
    return _svg(width, top * 2 + row_height * len(rows), body, label)


def stacked_bar_rows(rows: Sequence[tuple[str, Sequence[float]]], series: Sequence[str], label: str,
                     width: int = 760) -> str:
    """Horizontal stacked bars: each row's values (one per series) laid end to end, scaled to the largest total."""
    label_width, row_height, top = 230, 20, 8
    plot = width - label_width - 150
    largest = max((sum(values) for _, values in rows), default=0) or 1
    body = []
    for i, (name, values) in enumerate(rows):
        y = top + i * row_height
        x = float(label_width)
        body.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end">{escape(name)}</text>')
        for j, value in enumerate(values):
            length = plot * value / largest
            if length > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{length:.1f}" height="{row_height - 5}" '
                            f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)} · {escape(series[j])}: '
                            f'{_number(value)}</title></rect>')
            x += length
    body += _legend(series, width - 140, top)
    height = max(top * 2 + row_height * len(rows), top * 2 + 16 * len(series))
    return _svg(width, height, body, label)


def columns(categories: Sequence[str], series: dict[str, Sequence[float]], label: str, width: int = 760,
            height: int = 260, x_title: str = "", y_title: str = "") -> str:
    """Vertical bars per category, the series stacked; category labels thinned out to stay readable."""
    left, right, top, bottom = 56, 150 if len(series) > 1 else 16, 10, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    largest = max(totals, default=0) or 1
    step = plot_w / max(len(categories), 1)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
            f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{_number(largest)}</text>',
            f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>']
    every = max(1, len(categories) // 10)
    for i, category in enumerate(categories):
        base = top + plot_h
        for j, values in enumerate(series.values()):
            bar = plot_h * values[i] / largest
            if bar > 0:
                base -= bar
                body.append(f'<rect x="{left + i * step + 1:.1f}" y="{base:.1f}" width="{max(step - 2, 1):.1f}" '
                            f'height="{bar:.1f}" fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(category)} · '
                            f'{escape(list(series)[j])}: {_number(values[i])}</title></rect>')
        if i % every == 0:
            body.append(f'<text x="{left + i * step + step / 2:.1f}" y="{top + plot_h + 14}" '
                        f'text-anchor="middle">{escape(category)}</text>')
    if x_title:
        body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(x_title)}</text>')
    if y_title:
        body.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                    f'text-anchor="middle">{escape(y_title)}</text>')
    if len(series) > 1:
        body += _legend(list(series), width - right + 10, top)
    return _svg(width, height, body, label)


def line(points: Sequence[tuple[float, float]], label: str, width: int = 760, height: int = 240,
         x_title: str = "", y_title: str = "") -> str:
    """One line through (x, y) points, sorted by x, with dots on the points."""
    left, right, top, bottom = 56, 16, 10, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x_min, x_max = min(xs, default=0), max(xs, default=1)
    y_max = max(ys, default=0) or 1
    span = (x_max - x_min) or 1

    def at(x: float, y: float) -> str:
        return f"{left + plot_w * (x - x_min) / span:.1f},{top + plot_h - plot_h * y / y_max:.1f}"

    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
            f'<text x="{left - 6}" y="{top + 10}" text-anchor="end">{_number(y_max)}</text>',
            f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
            f'<text x="{left}" y="{top + plot_h + 14}">{_number(x_min)}</text>',
            f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end">{_number(x_max)}</text>',
            f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" '
            f'points="{" ".join(at(x, y) for x, y in sorted(points))}"/>']
    for x, y in sorted(points):
        cx, cy = at(x, y).split(",")
        body.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{PALETTE[0]}"><title>{_number(x)}: {_number(y)}'
                    f'</title></circle>')
    if x_title:
        body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(x_title)}</text>')
    if y_title:
        body.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                    f'text-anchor="middle">{escape(y_title)}</text>')
    return _svg(width, height, body, label)
