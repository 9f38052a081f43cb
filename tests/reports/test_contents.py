"""``Contents`` sets the same pages as ReportLab's ``TableOfContents``, making its table
once a build however many passes measure it."""

from __future__ import annotations

import io
from typing import Any

import pytest
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
