"""Small bar charts for reports, drawn in the embedded font."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String

from pipe_app.reports.pdf_base import ACCENT, FONT, INK


def vertical_bars(
    points: Sequence[tuple[str, float]],
    *,
    width: float,
    height: float = 150,
    value_max: float | None = None,
    caption: str = "",
) -> Drawing:
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    many = len(points) > 8
    chart.x, chart.y = 40, 45 if many else 30
    chart.width, chart.height = width - 60, height - chart.y - 20
    chart.data = [[value for _, value in points] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in points] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6 if many else 7
    if many:
        chart.categoryAxis.labels.angle = 45
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max([value for _, value in points] + [1.0])
    chart.valueAxis.valueMax = value_max if value_max is not None else top * 1.15
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    if caption:
        drawing.add(String(40, height - 10, caption, fontName=FONT, fontSize=8, fillColor=INK))
    return drawing


def horizontal_percent_bars(
    points: Sequence[tuple[str, float]], *, width: float, caption: str = ""
) -> Drawing:
    row = 16
    height = max(60, row * len(points) + 50)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 25
    chart.width, chart.height = width - 180, height - 45
    chart.data = [[value for _, value in points] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in points] or [""]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    if caption:
        drawing.add(String(150, height - 12, caption, fontName=FONT, fontSize=8, fillColor=INK))
    return drawing
