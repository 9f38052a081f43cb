"""``Para`` and ``SizedTable``: the same pages as ReportLab's ``Paragraph`` and ``Table``,
with less work in a long document (the evidence pack: 0.41 -> 0.34 s CPU at ten times the
demo data, `benchmarks/evidence_pack.py`).

- ``Para`` parses the markup of one text of each shape (plain, bold then text, text with an
  entity...) and gives the others of that shape copies of its fragments with their own
  text; and keeps the lines it broke for each width, so a build's passes and a table
  measuring its cells again break them once, and another paragraph of the same text and
  style takes them as they are.
- ``SizedTable`` keeps the row heights and positions it worked out for the space offered,
  and draws a one-line text cell from the PDF text it made for the same text before in the
  document (a table cell was ReportLab's costliest drawing: a text object, the font's
  subset encoding and two string widths per cell, 4,263 cells in a big pack).

Both lean on ReportLab internals (``ParaParser``, ``blPara``, ``Table._calc``,
``Table._drawCell``, the canvas's ``_code``); the tests in
``tests/reports/test_fast_flowables.py`` build a long two-pass document both ways and
require the PDFs to be byte-identical, so an upgrade that changes those internals fails
there first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")  # tags and entities, between runs of text
# What is kept goes with its style: each report makes its styles afresh.
SHAPES_KEPT = 1000  # a style's shapes of text, and their fragments
_SHAPES: WeakKeyDictionary[ParagraphStyle, dict[tuple[Any, ...], list[Any] | None]] = (
    WeakKeyDictionary()
)
_UNSEEN: Any = object()
TEXTS_KEPT = 5000  # a style's texts, with their fragments and lines


@dataclass(frozen=True)
class _Seen:
    """A text met in a style: the text as parsed, its fragments, its lines at each width."""

    text: str
    frags: list[Any]
    lines: dict[float, tuple[Any, ...]]


_TEXTS: WeakKeyDictionary[ParagraphStyle, dict[tuple[type, str], _Seen]] = WeakKeyDictionary()


def _hole(index: int) -> str:
    return f"\ue000{index}\ue001"  # private-use characters: never in real text


def _template(pieces: list[str], style: ParagraphStyle) -> list[Any] | None:
    """The markup parser's fragments for text of this shape, each with the number of the
    run of text it holds (None: fixed, as a line break), or None when they cannot be
    told apart (the text is then parsed every time)."""
    if getattr(style, "textTransform", None):  # applied by the parser: parse each text
        return None
    holes, shaped = set(), []
    for n, piece in enumerate(pieces):
        if n % 2 or not piece.strip():
            shaped.append(piece)
        else:
            core = piece.strip()
            at = piece.index(core)
            shaped.append(piece[:at] + _hole(n // 2) + piece[at + len(core) :])
            holes.add(n // 2)
    parsed, frags, bullet = ParaParser().parse("".join(shaped), style)
    if frags is None or bullet or parsed is not style:
        return None
    template, seen = [], []
    for frag in frags:
        text = getattr(frag, "text", "")
        inside = [n for n in holes if _hole(n) in text]
        if len(inside) > 1 or any(text.count(_hole(n)) > 1 for n in inside):
            return None
        seen += inside
        template.append((frag, inside[0] if inside else None))
    return template if sorted(seen) == sorted(holes) else None


def _fragments(text: str, style: ParagraphStyle) -> list[Any] | None:
    """What the markup parser makes of ``text`` (cleaned of runs of white space), made from
    what it made of the first text of the same shape (the same tags and entities, white
    space at the same ends of the runs of text between them), or None to parse it."""
    pieces = _MARKUP.split(text)
    shape = tuple(
        piece if n % 2 or not piece.strip() else (piece[:1] == " ", piece[-1:] == " ")
        for n, piece in enumerate(pieces)
    )
    shapes = _SHAPES.setdefault(style, {})
    template = shapes.get(shape, _UNSEEN)
    if template is _UNSEEN:
        template = _template(pieces, style)
        if len(shapes) >= SHAPES_KEPT:
            shapes.clear()
        shapes[shape] = template
    if template is None:
        return None
    runs = pieces[0::2]
    frags = []
    for frag, run in template:
        fresh = {name: list(value) for name, value in vars(frag).items() if type(value) is list}
        if run is not None:
            fresh["text"] = frag.text.replace(_hole(run), runs[run].strip())
        frags.append(frag.clone(**fresh))
    return frags


class Para(Paragraph):  # type: ignore[misc]
    """A paragraph that lays out exactly as ``Paragraph`` does, faster in a long document:
    the markup parser reads one text of each shape (text, bold text then text, ...) and the
    others of that shape get copies of its fragments with their own text; and the lines
    broken for a width are kept, so the passes of a build, and a table measuring its cells
    more than once, break each paragraph's lines once a width. Paragraphs of the same text
    in the same style share their fragments and those lines (a pack repeats headings,
    captions and criteria: 40% of its paragraphs); a paragraph splits from lines of its
    own, and the byte-for-byte tests split shared paragraphs across pages."""

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle | None = None,
        bulletText: Any = None,  # noqa: N803 (ReportLab's names: split() passes them)
        frags: list[Any] | None = None,
        caseSensitive: int = 1,  # noqa: N803
        encoding: str = "utf8",
    ) -> None:
        # A text met before in this style takes that paragraph's fragments and lines.
        # (ReportLab gives a split's parts their fragments: those never share.)
        plain = bulletText is None and caseSensitive == 1 and encoding == "utf8"
        # Right-to-left lines are reversed in place as they are drawn: never kept.
        self._keeps = style is not None and getattr(style, "wordWrap", None) != "RTL"
        self._borrowed = False  # its lines were broken by another paragraph or pass
        self._wraps: dict[float, tuple[Any, ...]] = {}
        texts: dict[tuple[type, str], _Seen] | None = None
        if isinstance(text, str) and frags is None and style is not None:
            if plain and self._keeps:
                texts = _TEXTS.setdefault(style, {})
                seen = texts.get((type(self), text))
                if seen is not None:
                    super().__init__(seen.text, style, None, seen.frags)
                    self._wraps = seen.lines
                    return
            given, clean = text, cleanBlockQuotedText(text)
            if clean and (made := _fragments(clean, style)) is not None:
                text, frags = clean, made
        super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
        # Markup can give the paragraph a style or bullet of its own (<para>, <bullet>).
        if texts is not None and self.style is style and self.bulletText is None:
            if len(texts) >= TEXTS_KEPT:
                texts.clear()
            texts[type(self), given] = _Seen(self.text, self.frags, self._wraps)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        known = self._wraps.get(availWidth)
        if known is not None:
            self.blPara, self._wrapWidths, self.width, self.height = known
            self._borrowed = True
            return self.width, self.height
        size: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._borrowed = False
        if self._keeps and getattr(self, "width", None) == availWidth:  # else nothing was set
            self._wraps[availWidth] = (self.blPara, self._wrapWidths, self.width, self.height)
        return size

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        """As ``Paragraph.split``, from lines this paragraph broke itself: splitting lines
        it was given would change them for the paragraphs sharing them (ReportLab adds a
        space to the last word of each line split off from fragments it has not
        processed), and split by fragments of another width."""
        if self._borrowed:
            Paragraph.wrap(self, availWidth, availHeight)
            self._borrowed = False
        return list(super().split(availWidth, availHeight))


class SizedTable(Table):  # type: ignore[misc]
    """A table that lays out exactly as ``Table`` does, and keeps the row heights and column
    widths it works out for the space it is offered: the passes of a build offer the same
    space, and the rows are measured once (a table's parts after a split are new tables)."""

    _SIZES = ("_rowHeights", "_rowpositions", "_height", "_hmax", "_colpositions", "_width")

    def _calc(self, availWidth: float, availHeight: float) -> None:  # noqa: N803
        sized = self.__dict__.setdefault("_sized", {})
        known = sized.get((availWidth, availHeight))
        if known is not None:
            for name, value in known.items():
                setattr(self, name, list(value) if isinstance(value, list) else value)
            return
        super()._calc(availWidth, availHeight)
        sized[availWidth, availHeight] = {
            name: list(value) if isinstance(value, list) else value
            for name in self._SIZES
            if (value := getattr(self, name, None)) is not None
        }

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
        """A one-line, left-aligned, top-aligned text cell, as ``Table`` draws it with
        ``drawString``; its PDF text made once a document (the font's subset encoding is
        fixed once a character is in it), everything else drawn by ``Table``."""
        canv = self.canv
        plain = (
            type(cellval) is str
            and "\n" not in cellval
            and cellstyle.alignment == "LEFT"
            and cellstyle.valign == "TOP"
            and not (cellstyle.direction or cellstyle.shaping)
            and canv.bottomup
        )
        if not plain:
            super()._drawCell(cellval, cellstyle, pos, size)
            return
        current: Any = getattr(self, "_curcellstyle", None)
        if current is not cellstyle:  # as Table: colour and font when they change
            if current is None or cellstyle.color != current.color:
                canv.setFillColor(cellstyle.color)
            if current is None or (cellstyle.leading, cellstyle.fontname, cellstyle.fontsize) != (
                current.leading,
                current.fontname,
                current.fontsize,
            ):
                canv.setFont(cellstyle.fontname, cellstyle.fontsize, cellstyle.leading)
            self._curcellstyle = cellstyle
        made: dict[tuple[Any, ...], str] = canv.__dict__.setdefault("_pipe_cell_texts", {})
        key = (canv._fontname, canv._fontsize, canv._leading, cellval)
        text = made.get(key)
        if text is None:
            text = made[key] = canv.beginText()._formatText(cellval)
        (colpos, rowpos), (_width, rowheight) = pos, size
        x = colpos + cellstyle.leftPadding
        y = rowpos + rowheight - cellstyle.topPadding - cellstyle.fontsize
        canv._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm {text} T* ET")
