"""Bar charts for the admin, drawn as SVG on the server: no script, and
nothing the content security policy would have to allow."""

from dataclasses import dataclass


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def bar_chart(points, width=720, height=140, gap=2):
    """Bars for (label, value) points, scaled to the largest value."""
    points = list(points)
    top = max((value for _, value in points), default=0) or 1
    step = width / max(len(points), 1)
    bars = []
    for position, (label, value) in enumerate(points):
        bar_height = round(height * value / top, 1)
        bars.append(Bar(round(position * step, 1), height - bar_height, max(step - gap, 1), bar_height, label, value))
    return {"bars": bars, "width": width, "height": height, "top": top if any(v for _, v in points) else 0}
