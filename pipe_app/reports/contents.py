"""``Contents``: ReportLab's table of contents, its table made once for the same lines.

ReportLab's ``TableOfContents`` makes its table afresh each time it is measured (every pass
of a build), parsing each line's markup again with the line's page number written into it,
and measures every line again: 6-8% of the evidence pack's layout and drawing. The
lines of a ``MarkedDocument`` are known before the build (``build_laid_out``), and only
their page numbers change between passes, drawn at the end of each line. So ``Contents``
keeps the table it made while its lines and width stay the same; each line names its place
in the list instead of its page number, which is looked up as the line is drawn (by a
callback of each contents' own name, so two in a document keep to their own lines). The
pages come out byte for byte as ReportLab's (``tests/reports/test_contents.py``).
"""

from __future__ import annotations

from itertools import count
from typing import Any

from reportlab.platypus import Spacer
from reportlab.platypus.tableofcontents import TableOfContents, drawPageNumbers

from pipe_app.reports.fast_flowables import Para, SizedTable

Entry = tuple[int, str, int, Any]  # level, text, page number, key (as ReportLab's)
# ReportLab's line when there are none yet:
PLACEHOLDER: tuple[Entry, ...] = ((0, "Placeholder for table of contents", 0, None),)
_NUMBERS = count(1)  # each contents names its own line-end callback on the canvas


class Contents(TableOfContents):  # type: ignore[misc]
    """A ``TableOfContents`` that lays out and draws as ReportLab's, making its table once
    for the same lines (level, text, key) and width."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._made: tuple[tuple[Any, ...], SizedTable] | None = None
        self._shown: list[Entry] | tuple[Entry, ...] = ()
        self._offered = (0.0, 0.0)
        self._line_end_name = f"pipeContentsLineEnd{next(_NUMBERS)}"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        entries = self._lastEntries or PLACEHOLDER
        lines = (availWidth, [(level, text, key) for level, text, _page, key in entries])
        if self._made is None or self._made[0] != lines:
            self._made = (lines, self._table_of(entries, availWidth))
        self._table = self._made[1]
        self._shown, self._offered = entries, (availWidth, availHeight)
        self.canv.setNamedCB(self._line_end_name, self._line_end)
        self.width, self.height = self._table.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def _table_of(self, entries: list[Entry] | tuple[Entry, ...], width: float) -> SizedTable:
        rows: list[list[Any]] = []
        for index, (level, text, _page, key) in enumerate(entries):
            style = self.getLevelStyle(level)
            linked = f'<a href="#{key}">{text}</a>' if key else text
            if style.spaceBefore:
                rows.append([Spacer(1, style.spaceBefore)])
            end = f'<onDraw name="{self._line_end_name}" label="{index}"/>'
            rows.append([Para(f"{linked}{end}", style)])
        return SizedTable(rows, colWidths=(width,), style=self.tableStyle)

    def _line_end(self, canvas: Any, _kind: str, label: str) -> None:
        """The dots and page number after a line, as ReportLab's contents draws them."""
        level, _text, page, key = self._shown[int(label)]
        style = self.getLevelStyle(level)
        dot = " . " if self.dotsMinLevel >= 0 and level >= self.dotsMinLevel else ""
        shown = self.formatter(page) if self.formatter else page
        drawPageNumbers(canvas, style, [(shown, key)], *self._offered, dot)
