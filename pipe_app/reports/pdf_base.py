"""What every PIPE Desk PDF shares: the embedded font, styles, and the page furniture.

Every page carries the protective marking top and bottom and "Page X of Y". Y is known only
after a first pass, so a zero-size ``PageCounter`` takes part in ``multiBuild`` like a table
of contents: the build repeats until the total it drew matches the total it counted.
Headings are bookmarked in the PDF outline and listed in the contents as they are laid out.
``MarkedDocument.build_laid_out`` gets the same result with one layout pass that draws
nothing and one pass that draws (long documents: a full pass costs about three layouts).
Headings are ``fast_flowables.Para``; ``collection_paused`` keeps the garbage collector out
of a long build.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.tableofcontents import TableOfContents

from pipe_app import paths
from pipe_app.reports.contents import Contents
from pipe_app.reports.fast_flowables import Para
from pipe_app.reports.marking import MARKING as MARKING  # re-exported for the reports

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE_SIZE = A4
MARGIN = 2 * cm
TOP_BAND = 1.4 * cm  # the marking and running title above the frame
INK = colors.HexColor("#1f2933")
ACCENT = colors.HexColor("#2c5d8a")
RULE = colors.HexColor("#9aa5b1")


class Cancelled(Exception):
    """The caller asked the report to stop; nothing was written."""


def register_fonts() -> None:
    """DejaVu Sans, embedded, so any name in any script prints (the PDF core fonts cannot)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = paths.resources_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    return {
        "body": body,
        "small": ParagraphStyle("Small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("Cell", parent=body, fontSize=8, leading=10),
        "cellbold": ParagraphStyle("CellBold", parent=body, fontName=BOLD, fontSize=8, leading=10),
        "statement": ParagraphStyle(
            "Statement", parent=body, fontSize=11, leading=15, textColor=ACCENT, spaceAfter=8
        ),
        "title": ParagraphStyle(
            "Title", parent=body, fontName=BOLD, fontSize=24, leading=30, spaceAfter=18
        ),
        "subtitle": ParagraphStyle("Subtitle", parent=body, fontSize=13, leading=18, spaceAfter=6),
        "h1": ParagraphStyle(
            "H1",
            parent=body,
            fontName=BOLD,
            fontSize=16,
            leading=20,
            spaceAfter=8,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=body,
            fontName=BOLD,
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "H3",
            parent=body,
            fontName=BOLD,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "centre": ParagraphStyle("Centre", parent=body, alignment=TA_CENTER),
    }


def contents() -> Contents:
    toc = Contents()
    base = styles()["body"]
    toc.levelStyles = [
        ParagraphStyle(
            "TOC1",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            leftIndent=0,
            firstLineIndent=0,
            spaceBefore=4,
        ),
        ParagraphStyle("TOC2", parent=base, fontSize=9, leftIndent=14, firstLineIndent=0),
    ]
    toc.dotsMinLevel = 0
    return toc


class Heading(Para):
    """A paragraph that becomes a contents line and an outline entry (``level`` 0 or 1)."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(text, style)
        self.outline_level, self.outline_key, self.outline_text = level, key, text
        self.bookmark_title = unescape(text)  # the outline shows plain text, not markup


class PageCounter(Flowable):  # type: ignore[misc]
    """Zero-size; counts the pages of each pass so the next pass can print the total."""

    def __init__(self) -> None:
        super().__init__()
        self.total: int | None = None
        self._before: int | None = None
        self.seen = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        """Nothing to draw."""

    def isIndexing(self) -> int:
        return 1

    def notify(self, kind: str, stuff: object) -> None:
        """Indexing flowables hear every notification; the counter needs none."""

    def isSatisfied(self) -> bool:
        return self.total is not None and self._before == self.total

    def beforeBuild(self) -> None:
        self._before, self.seen = self.total, 0

    def afterBuild(self) -> None:
        self.total = self.seen


class BodyFrame(Frame):  # type: ignore[misc]
    """A frame that can lay flowables out without drawing them (``drawing`` False): the
    page breaks, and so the page numbers, come out the same as when they are drawn."""

    drawing = True

    def _add(self, flowable: Flowable, canv: Any, trySplit: int = 0) -> int:  # noqa: N803
        if self.drawing:
            return int(super()._add(flowable, canv, trySplit))
        own = vars(flowable)  # an instance attribute hides the method (even on a Drawing,
        own["drawOn"] = _skip_drawing  # which refuses attributes it does not know)
        try:
            return int(super()._add(flowable, canv, trySplit))
        finally:
            del own["drawOn"]

    add = _add


def _skip_drawing(*_args: Any, **_kwargs: Any) -> None:
    """What a flowable draws in a layout-only pass: nothing."""


def _lines(entries: list[tuple[int, str, int, Any]]) -> list[tuple[int, str, Any]]:
    """Contents entries without their page numbers, which are drawn at the end of each line
    and so never change the contents' size (the lines do)."""
    return [(level, text, key) for level, text, _page, key in entries]


def _headings(story: Sequence[Flowable]) -> list[Heading]:
    """The headings of a story in order, those kept together with what follows them too."""
    found: list[Heading] = []
    for flowable in story:
        if isinstance(flowable, Heading):
            found.append(flowable)
        found += _headings(getattr(flowable, "_content", ()))  # KeepTogether and the like
    return found


class MarkedDocument(BaseDocTemplate):  # type: ignore[misc]
    """A4 pages (portrait unless told) with the marking, a running title and "Page X of Y"."""

    def __init__(
        self,
        target: Any,
        *,
        running_title: str,
        title: str,
        author: str,
        subject: str,
        on_flowable: Callable[[], None] | None = None,
        pagesize: tuple[float, float] = PAGE_SIZE,
    ) -> None:
        register_fonts()
        super().__init__(
            target,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title,
            author=author,
            subject=subject,
            creator="PIPE Desk",
            producer="PIPE Desk (ReportLab)",
            keywords="",
            invariant=1,
        )
        self.running_title = running_title
        self.counter = PageCounter()
        self.on_flowable = on_flowable
        self.body = BodyFrame(
            self.leftMargin, self.bottomMargin, self.width, self.height, id="body"
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[self.body], onPage=self._furniture)])

    @property
    def content_box(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the area inside the margins (for placed attachment pages)."""
        return self.leftMargin, self.bottomMargin, self.width, self.height

    def build_laid_out(self, story: Sequence[Flowable], *, max_passes: int = 5) -> int:
        """Build with the page total and every contents page number known, like
        ``multiBuild``, but lay out without drawing until the layout is settled, then draw
        once. The contents is filled beforehand with every ``Heading`` of the story (page
        numbers do not change its size), so the layout usually settles in one pass.

        Returns the number of passes (layout and drawing)."""
        indexing = [f for f in story if f.isIndexing()]
        self._indexingFlowables = indexing
        tocs = [f for f in indexing if isinstance(f, TableOfContents)]
        expected = [(h.outline_level, h.outline_text, 0, h.outline_key) for h in _headings(story)]
        for toc in tocs:
            toc._entries = list(expected)
        self._doSave = 0
        edits: list[tuple[Any, ...]] = []  # what a pass leaves on flowables to undo, as
        self._multiBuildEdits = edits.append  # multiBuild does ("postponed" marks)
        passes = 0
        drawing = False
        while True:
            passes += 1
            if passes > max_passes:
                raise IndexError(f"page numbers not settled after {max_passes} passes")
            while edits:
                undo, *arguments = edits.pop(0)
                undo(*arguments)
            for f in indexing:
                f.beforeBuild()
            self.body.drawing = drawing
            try:
                self.build(list(story))
            finally:
                self.body.drawing = True
            for f in indexing:
                f.afterBuild()
            if drawing and all(f.isSatisfied() for f in indexing):
                break
            # Drawing starts once the contents lines found are the lines laid out.
            drawing = all(_lines(t._entries) == _lines(t._lastEntries) for t in tocs)
        del self._multiBuildEdits
        self.canv.save()
        return passes

    def _furniture(self, canvas: Any, doc: Any) -> None:
        self.counter.seen = max(self.counter.seen, doc.page)
        if not self.body.drawing:
            return
        width, height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 10)
        canvas.drawCentredString(width / 2, height - MARGIN + TOP_BAND - 0.6 * cm, MARKING)
        canvas.drawCentredString(width / 2, 0.9 * cm, MARKING)
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, height - MARGIN + 0.3 * cm, self.running_title)
        total = self.counter.total if self.counter.total is not None else "?"
        canvas.drawRightString(width - MARGIN, MARGIN - 0.7 * cm, f"Page {doc.page} of {total}")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(
            MARGIN, height - MARGIN + 0.15 * cm, width - MARGIN, height - MARGIN + 0.15 * cm
        )
        canvas.line(MARGIN, MARGIN - 0.35 * cm, width - MARGIN, MARGIN - 0.35 * cm)
        canvas.restoreState()

    def afterFlowable(self, flowable: Any) -> None:
        if self.on_flowable is not None:
            self.on_flowable()
        if isinstance(flowable, Heading):
            key = flowable.outline_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(
                flowable.bookmark_title, key, flowable.outline_level, closed=True
            )
            self.notify("TOCEntry", (flowable.outline_level, flowable.outline_text, self.page, key))


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a long document is built. A build makes tens of
    thousands of objects that live until it ends, which sets off full collections; each
    walks every object of the app (about 0.1 s in a busy session, a fifth of a year's
    evidence pack) and finds next to nothing, as a build's objects are freed by reference
    counting once it is done. Collection resumes afterwards as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failed or cancelled run leaves no half file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
