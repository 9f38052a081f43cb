"""``Para`` and ``SizedTable`` lay out and draw exactly what ``Paragraph`` and ``Table`` do
(byte for byte, in a long document built in two passes with paragraphs and tables split
across pages); ``collection_paused`` stops cyclic collection only while it lasts."""

from __future__ import annotations

import gc
import io
import weakref
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Table, TableStyle

from pipe_app.reports import fast_flowables
from pipe_app.reports.fast_flowables import Para, SizedTable
from pipe_app.reports.pdf_base import (
    FONT,
    Heading,
    MarkedDocument,
    collection_paused,
    contents,
    styles,
)

# The same text in many paragraphs: they share their fragments and lines.
REPEATED = "<b>The same</b> words in every section, long enough to run over several lines. "


def document(out: io.BytesIO, paragraph: type[Any], table: type[Any]) -> bytes:
    doc = MarkedDocument(out, running_title="Test", title="Test", author="Test", subject="Test")
    s = styles()
    story: list[Any] = [doc.counter, paragraph("Contents", s["h1"]), contents(), PageBreak()]
    for n in range(1, 31):
        story.append(Heading(f"Section {n}", s["h1"], 0, f"s{n}"))
        story.append(
            paragraph(f"Plain   text of section {n}, long enough to wrap. " * n, s["body"])
        )
        story.append(paragraph(f"<b>Marked</b> text &amp; more, section {n}.", s["small"]))
        story.append(paragraph(REPEATED * (1 + n % 3), s["body"]))  # shares its lines
        rows: list[list[Any]] = [["Code", "Text"]]
        for row in range(n * 3):
            text = f"Row {row} of section {n}, " * (row % 4 + 1)
            rows.append([f"{n}.{row}", paragraph(text, s["cell"]) if row % 2 else text])
        rows.append(["Again", paragraph(REPEATED, s["cell"])])
        grid = table(rows, colWidths=[60, 300], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 8, 10),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(grid)
        if n % 3 == 0:
            story.append(KeepTogether([paragraph(f"Kept {n}", s["h3"]), paragraph("x", s["body"])]))
    doc.build_laid_out(story)
    assert (doc.counter.total or 0) > 10, "long enough to split paragraphs and tables"
    return out.getvalue()


def test_para_and_sized_table_make_the_same_pdf() -> None:
    assert document(io.BytesIO(), Para, SizedTable) == document(io.BytesIO(), Paragraph, Table)


def shown(frags: list[Any]) -> list[list[tuple[str, str]]]:
    """Fragments' attributes, those holding objects (a callback's) shown by their contents."""
    return [sorted((name, repr(value)) for name, value in vars(f).items()) for f in frags]


def test_every_text_gets_the_fragments_the_parser_makes() -> None:
    style = styles()["body"]
    texts = [
        "Plain text",
        "Other plain words",
        "  Spaces   inside\tand around  ",
        "Ünïcode \u2013 text",
        "<b>E1. A title</b> (01 Jan 2026)",
        "<b>E22. Another, longer title</b> (13 Feb 2026)",
        "<i>Evidence for 1.1:</i> why it counts",
        "<i>Evidence for 10.4:</i>  more  reasons ",
        "Fish &amp; chips &lt;tonight&gt;",
        "Tea &amp; cake &lt;today&gt;",
        "0123456789abcdef<br/>fedcba9876543210",
        "aaaa<br/>bbbb",
        " <b> </b> x",
        '<a href="#s1">Section 1</a><onDraw name="cb" label="1,0,\'s1\'"/>',
        '<a href="#s2">Section 2</a><onDraw name="cb" label="7,0,\'s2\'"/>',
        "<b>nested <i>both</i> ends</b> tail",
        "<b>nested <i>each</i> bit</b> more",
    ]
    made = []
    for text in texts:  # the second of each pair from the first one's shape
        fast, parsed = Para(text, style), Paragraph(text, style)
        assert fast.text == parsed.text
        assert shown(fast.frags) == shown(parsed.frags), text
        made.append(fast)
    lists = [id(f.link) for para in made for f in para.frags]
    assert len(lists) == len(set(lists)), "texts of one shape share no list"
    for text, fast in zip(texts, made, strict=True):  # met before: the same fragments
        assert Para(text, style).frags is fast.frags


def test_a_width_asked_again_gives_that_width_lines() -> None:
    style = styles()["body"]
    text = "Words enough to wrap differently at different widths. " * 6
    para = Para(text, style)
    wide, narrow = para.wrap(400, 1000), para.wrap(150, 1000)
    assert wide != narrow
    assert para.wrap(400, 1000) == wide == Paragraph(text, style).wrap(400, 1000)
    assert len(para.blPara.lines) == len(Paragraph(text, style).breakLines([400, 400]).lines)


def test_collection_paused_only_while_it_lasts() -> None:
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "left as it was"
    finally:
        gc.enable()


def test_shapes_kept_are_bounded() -> None:
    style = styles()["small"]
    for n in range(fast_flowables.SHAPES_KEPT + 50):
        Para(f'<a href="#k{n}">Link {n}</a>', style)
    assert 0 < len(fast_flowables._SHAPES[style]) <= fast_flowables.SHAPES_KEPT


def test_the_same_text_in_the_same_style_shares_its_lines() -> None:
    s = styles()
    text = "<b>Criterion 1.1</b> words enough to run over more than one line of a cell. " * 2
    first, again, other = Para(text, s["body"]), Para(text, s["body"]), Para(text, s["small"])
    assert again.frags is first.frags and other.frags is not first.frags
    for para in (first, again, other):
        para.wrap(200, 1000)
    assert again.blPara is first.blPara
    assert other.blPara is not first.blPara  # another style: lines of its own
    wider = Para(text, s["body"])  # another width: broken for it, as ReportLab breaks it
    assert wider.wrap(300, 1000) == Paragraph(text, s["body"]).wrap(300, 1000)
    assert len(wider.blPara.lines) < len(first.blPara.lines)


def test_lines_kept_are_bounded_and_go_with_their_style() -> None:
    style = styles()["small"]
    for n in range(fast_flowables.TEXTS_KEPT + 50):
        Para(f"Text {n}", style).wrap(100, 100)
    assert 0 < len(fast_flowables._TEXTS[style]) <= fast_flowables.TEXTS_KEPT
    assert style in fast_flowables._SHAPES
    gone = weakref.ref(style)
    del style
    gc.collect()
    assert gone() is None, "what is kept for a style must not keep the style"


def test_a_shared_paragraph_split_across_pages_leaves_the_others_as_they_are() -> None:
    """Paragraphs of one marked-up text, one split at the foot of each page: the PDF is
    ReportLab's byte for byte (splitting lines shared with the others once added a space
    to their words)."""
    text = "<b>The same</b> words in every section, long enough to run over several lines. " * 8

    def made(paragraph: type[Any]) -> bytes:
        out = io.BytesIO()
        doc = MarkedDocument(out, running_title="T", title="T", author="T", subject="T")
        s = styles()
        story: list[Any] = [doc.counter]
        for n in range(12):
            story += [
                paragraph(f"Filler {n}. " * (5 + 7 * n), s["body"]),
                paragraph(text, s["body"]),
            ]
        doc.build_laid_out(story)
        return out.getvalue()

    assert made(Para) == made(Paragraph)


def test_markup_that_sets_a_style_or_transforms_text_is_laid_out_as_reportlab_does() -> None:
    s = styles()
    upper = ParagraphStyle("Upper", parent=s["body"], textTransform="uppercase")
    cases = [
        ('<para leading="30">Words enough to need two lines at this width.</para>', s["body"]),
        ("<bullet>\u2022</bullet>Words enough to need two lines at this width.", s["body"]),
        ("Words made upper case by the style, two lines of them here.", upper),
    ]
    for text, style in cases:
        for _ in range(2):  # the second time, after the first has been met
            para, plain = Para(text, style), Paragraph(text, style)
            assert para.wrap(120, 1000) == plain.wrap(120, 1000), text
            assert para.getPlainText() == plain.getPlainText(), text
            assert (para.bulletText is None) == (plain.bulletText is None), text


def test_right_to_left_paragraphs_keep_no_lines() -> None:
    """ReportLab reverses a right-to-left paragraph's lines in place as it draws them: kept
    lines would be drawn reversed again in the next pass, or by the next paragraph."""
    s = styles()
    rtl = ParagraphStyle("RTL", parent=s["body"], wordWrap="RTL")
    text = "<b>Right</b> to left words that run over more than one line here. " * 3

    def made(paragraph: type[Any]) -> bytes:
        out = io.BytesIO()
        doc = MarkedDocument(out, running_title="T", title="T", author="T", subject="T")
        doc.multiBuild([doc.counter, *(paragraph(text, rtl) for _ in range(6))])  # 3 passes
        return out.getvalue()

    assert made(Para) == made(Paragraph)
