"""``Contents`` sets the same pages as ReportLab's ``TableOfContents``, making its table
once a build however many passes measure it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

from pipe_app.reports.contents import Contents
from pipe_app.reports.pdf_base import Heading, MarkedDocument, contents, styles

SECTIONS = 70  # the contents runs over two pages, so its table is split too
SETTINGS = ("levelStyles", "tableStyle", "dotsMinLevel", "rightColumnWidth", "formatter")


def reportlab_contents() -> TableOfContents:
    """ReportLab's own contents, styled as ``contents()``."""
    plain, ours = TableOfContents(), contents()
    for name in SETTINGS:
        setattr(plain, name, getattr(ours, name))
    return plain


def pdf(toc: TableOfContents, build: str) -> bytes:
    out = io.BytesIO()
    doc = MarkedDocument(out, running_title="T", title="T", author="T", subject="T")
    s = styles()
    story: list[Any] = [doc.counter, Paragraph("Contents", s["h1"]), toc, PageBreak()]
    for n in range(1, SECTIONS + 1):
        level = int(n % 5 == 0)
        story.append(Heading(f"Section {n} &amp; more", s["h2" if level else "h1"], level, f"s{n}"))
        story.append(Paragraph(f"Section {n} text. " * (30 * (n % 3)), s["body"]))
    getattr(doc, build)(story)
    return out.getvalue()


@pytest.mark.parametrize("build", ["build_laid_out", "multiBuild"])
def test_the_pages_are_reportlabs_byte_for_byte(build: str) -> None:
    assert pdf(contents(), build) == pdf(reportlab_contents(), build)


def test_two_contents_measured_before_either_is_drawn_each_draw_their_own_numbers() -> None:
    first, second = contents(), contents()
    first.addEntries([(0, "Alpha", 7, None), (0, "Beta", 8, None)])
    second.addEntries([(0, "Gamma", 91, None), (0, "Delta", 92, None)])
    out = io.BytesIO()
    canvas = Canvas(out)
    for toc in (first, second):
        toc.beforeBuild()  # the entries found become the lines shown, as in a build's pass
        toc.wrapOn(canvas, 400, 600)
    first.drawOn(canvas, 50, 500)
    second.drawOn(canvas, 50, 200)
    canvas.save()
    text = PdfReader(out).pages[0].extract_text()
    for title, page in (("Alpha", 7), ("Beta", 8), ("Gamma", 91), ("Delta", 92)):
        # a line's number is drawn after its title, and so read back just before it
        assert re.search(rf"\. {page}\n{title}\b", text), (title, text)


def test_the_table_is_made_once_a_build(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Any] = []
    table_of = Contents._table_of

    def counted(self: Contents, *args: Any) -> Any:
        made.append(args)
        return table_of(self, *args)

    monkeypatch.setattr(Contents, "_table_of", counted)
    pdf(contents(), "build_laid_out")  # its lines known first; two passes, each measuring it
    assert len(made) == 1
    made.clear()
    pdf(contents(), "multiBuild")  # a placeholder line first, then the lines found
    assert len(made) == 2
