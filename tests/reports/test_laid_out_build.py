"""``MarkedDocument.build_laid_out``: one layout pass that draws nothing, then one drawing
pass, and the same document ``multiBuild`` makes in three: contents page numbers right even
when the contents runs over two pages and headings are kept with what follows them."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from reportlab.platypus import KeepTogether, PageBreak, Paragraph

from pipe_app.reports.charts import vertical_bars
from pipe_app.reports.pdf_base import Heading, MarkedDocument, contents, styles

SECTIONS = 70  # enough contents lines for two pages


def document(out: io.BytesIO) -> tuple[MarkedDocument, list[Any]]:
    doc = MarkedDocument(out, running_title="Test", title="Test", author="Test", subject="Test")
    s = styles()
    story: list[Any] = [doc.counter, Paragraph("Contents", s["h1"]), contents(), PageBreak()]
    for n in range(1, SECTIONS + 1):
        level = int(n % 5 == 0)
        heading = Heading(f"Section {n}", s["h2" if level else "h1"], level, f"s{n}")
        body = Paragraph(f"Section {n} text. " * (40 * (n % 4)), s["body"])
        if n % 2:
            story.append(KeepTogether([heading, body]))
        else:
            story += [heading, body]
        if n % 10 == 0:
            story.append(vertical_bars([("a", 1.0), ("b", 2.0)], width=200, caption="Chart"))
    return doc, story


def test_two_passes_make_what_multibuild_makes() -> None:
    laid_out, multi = io.BytesIO(), io.BytesIO()
    doc, story = document(laid_out)
    assert doc.build_laid_out(story) == 2
    doc, story = document(multi)
    assert doc.multiBuild(story) >= 3
    assert laid_out.getvalue() == multi.getvalue()


def test_contents_numbers_are_the_pages_the_headings_are_on() -> None:
    out = io.BytesIO()
    doc, story = document(out)
    doc.build_laid_out(story)
    reader = PdfReader(out)
    texts = [page.extract_text() for page in reader.pages]
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
    # The contents runs over several pages; each line's page number is drawn (and so read
    # back) just before its title.
    first = next(n for n, text in enumerate(texts) if "Section 1 text" in text)
    assert first >= 2, "the contents must run over two pages at least"
    listed = {
        int(n): int(page)
        for page, n in re.findall(r"\. (\d+)\nSection (\d+)\n", "\n".join(texts[:first]) + "\n")
    }
    assert len(listed) == SECTIONS
    outline: dict[str, int] = {}

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline[str(item.title)] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    assert len(outline) == SECTIONS
    for n in range(1, SECTIONS + 1):
        assert listed[n] == outline[f"Section {n}"], f"section {n}"
        assert f"Section {n} text" in texts[listed[n] - 1] or n % 4 == 0, f"section {n}"
