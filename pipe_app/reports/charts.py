"""Small bar charts for reports, drawn in the embedded font.

Each chart is a flowable that draws its bars, axes and labels straight onto the canvas: a
ReportLab graphics chart walks a tree of validated widgets when drawn (about 8 ms a chart,
a quarter of a short pack); this takes a fraction of a millisecond and looks the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable

from pipe_app.reports.pdf_base import ACCENT, FONT, INK

TICK = 5  # points a tick sticks out from its axis
BAR_SHARE = 2 / 3  # of each category's slot, as ReportLab's bar charts draw them
AXIS_LABEL_SIZE = 7
CAPTION_SIZE = 8


def nice_ticks(value_max: float) -> list[float]:
    """0 up to ``value_max`` in steps of 1, 2 or 5 times a power of ten, about five steps."""
    if value_max <= 0:
        return [0.0]
    raw = value_max / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [n * step for n in range(int(value_max / step + 1e-9) + 1)]


@dataclass(frozen=True)
class Plot:
    """Where the bars go inside the chart, in points from its bottom left."""

    x: float
    y: float
    width: float
    height: float


class BarChart(Flowable):  # type: ignore[misc]
    """Bars for labelled values: upright (categories along the bottom) or lying (categories
    down the left, the first at the top)."""

    def __init__(
        self,
        points: Sequence[tuple[str, float]],
        *,
        width: float,
        height: float,
        plot: Plot,
        value_max: float,
        upright: bool,
        caption: str,
        caption_x: float,
        label_size: float = AXIS_LABEL_SIZE,
        slanted: bool = False,
    ) -> None:
        super().__init__()
        self.points, self.width, self.height, self.plot = list(points), width, height, plot
        self.value_max, self.upright, self.slanted = value_max, upright, slanted
        self.caption, self.caption_x, self.label_size = caption, caption_x, label_size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas, p = self.canv, self.plot
        slots = max(1, len(self.points))
        along = p.width if self.upright else p.height  # the category axis's length
        across = p.height if self.upright else p.width  # the value axis's length
        slot = along / slots
        canvas.setFillColor(ACCENT)
        for index, (_label, value) in enumerate(self.points):
            length = across * max(0.0, min(value, self.value_max)) / self.value_max
            start = index * slot + slot * (1 - BAR_SHARE) / 2
            if self.upright:
                canvas.rect(p.x + start, p.y, slot * BAR_SHARE, length, stroke=0, fill=1)
            else:
                top = p.y + p.height - start - slot * BAR_SHARE
                canvas.rect(p.x, top, length, slot * BAR_SHARE, stroke=0, fill=1)
        canvas.setStrokeColor(INK)
        canvas.setFillColor(INK)
        canvas.setLineWidth(1)
        canvas.line(p.x, p.y, p.x + p.width, p.y)
        canvas.line(p.x, p.y, p.x, p.y + p.height)
        self._value_axis(canvas, across)
        self._category_axis(canvas, slot)
        if self.caption:
            canvas.setFont(FONT, CAPTION_SIZE)
            canvas.drawString(self.caption_x, self.height - 10, self.caption)

    def _value_axis(self, canvas: Any, across: float) -> None:
        p = self.plot
        canvas.setFont(FONT, AXIS_LABEL_SIZE)
        for value in nice_ticks(self.value_max):
            at = across * value / self.value_max
            text = f"{value:g}"
            if self.upright:
                canvas.line(p.x - TICK, p.y + at, p.x, p.y + at)
                canvas.drawRightString(p.x - TICK - 2, p.y + at - AXIS_LABEL_SIZE / 3, text)
            else:
                canvas.line(p.x + at, p.y - TICK, p.x + at, p.y)
                canvas.drawCentredString(p.x + at, p.y - TICK - AXIS_LABEL_SIZE - 1, text)

    def _category_axis(self, canvas: Any, slot: float) -> None:
        p, size = self.plot, self.label_size
        canvas.setFont(FONT, size)
        for index in range(len(self.points) + 1):
            if self.upright:
                canvas.line(p.x + index * slot, p.y - TICK, p.x + index * slot, p.y)
            else:
                y = p.y + p.height - index * slot
                canvas.line(p.x - TICK, y, p.x, y)
        for index, (label, _value) in enumerate(self.points):
            middle = index * slot + slot / 2
            if not self.upright:
                y = p.y + p.height - middle - size / 3
                canvas.drawRightString(p.x - TICK - 2, y, label)
            elif self.slanted:  # the label's end at the tick, running down to the left
                canvas.saveState()
                canvas.translate(p.x + middle, p.y - TICK)
                canvas.rotate(45)
                canvas.drawRightString(0, -size, label)
                canvas.restoreState()
            else:
                canvas.drawCentredString(p.x + middle, p.y - TICK - size - 1, label)


def vertical_bars(
    points: Sequence[tuple[str, float]],
    *,
    width: float,
    height: float = 150,
    value_max: float | None = None,
    caption: str = "",
) -> BarChart:
    many = len(points) > 8
    bottom = 45 if many else 30
    top = max([value for _, value in points] + [1.0])
    return BarChart(
        points,
        width=width,
        height=height,
        plot=Plot(40, bottom, width - 60, height - bottom - 20),
        value_max=value_max if value_max is not None else top * 1.15,
        upright=True,
        caption=caption,
        caption_x=40,
        label_size=6 if many else 7,
        slanted=many,
    )


def horizontal_percent_bars(
    points: Sequence[tuple[str, float]], *, width: float, caption: str = ""
) -> BarChart:
    height = max(60, 16 * len(points) + 50)
    return BarChart(
        points,
        width=width,
        height=height,
        plot=Plot(150, 25, width - 180, height - 45),
        value_max=100,
        upright=False,
        caption=caption,
        caption_x=150,
    )
