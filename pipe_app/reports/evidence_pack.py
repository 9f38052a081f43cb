"""The Enabling Environments evidence pack: one PDF for the external assessor.

Cover, contents, coverage summary, one section per standard (statement, criteria,
self-assessment, narrative, approved evidence, record-derived figures), attachments as
appendices (images placed on pages, PDF pages merged in) and a manifest with each file's
SHA-256. Every page is marked and numbered, merged pages too.

No resident is identifiable: residents appear as pseudonyms, every piece of free text is
scrubbed of the site's residents' names, CRNs and dates of birth, and attachments get new
file names. The same data gives the same bytes apart from the generation time (ReportLab's
invariant mode; the time is passed in).
"""

from __future__ import annotations

import io
import mimetypes
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tables import CellStyle

from pipe_app.reports.charts import horizontal_percent_bars, vertical_bars
from pipe_app.reports.fast_flowables import Para, SizedTable
from pipe_app.reports.pack_data import (
    KIND_LABELS,
    CancelCheck,
    PackAttachment,
    PackData,
    PackEvidence,
    Progress,
    gather,
)
from pipe_app.reports.pdf_base import (
    BOLD,
    FONT,
    MARKING,
    RULE,
    Cancelled,
    Heading,
    MarkedDocument,
    collection_paused,
    contents,
    styles,
    write_atomically,
)
from pipe_app.services.coverage import LABELS, CoverageStatus, StandardCoverage
from pipe_app.services.derived_figures import KEY_WORK, Figure
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import format_local, utc_now

__all__ = ["Cancelled", "PackResult", "build_evidence_pack", "render_pack"]

RATING_LABELS = {
    "met": "Met",
    "partly_met": "Partly met",
    "not_met": "Not met",
    "not_applicable": "Not applicable",
}
STATUS_ORDER = (
    CoverageStatus.COVERED,
    CoverageStatus.STALE,
    CoverageStatus.DRAFT_ONLY,
    CoverageStatus.NO_EVIDENCE,
    CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED,
    CoverageStatus.NOT_APPLICABLE,
)
IMAGE_MAX_PIXELS = 1600
HEADING_ROOM = 60  # points: a section heading lower on the page than this starts a new page
CELL_PADDING = 3  # points either side of a table cell's text
SHORT_LABELS = {
    **LABELS,
    CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED: "N/A, no reason",
    CoverageStatus.NOT_APPLICABLE: "N/A",
}


class Free(str):
    """A table cell of free text staff wrote: scrubbed of resident identifiers."""

    __slots__ = ()


@dataclass(frozen=True)
class PackResult:
    path: Path
    pages: int
    attachments: int
    evidence_items: int
    seconds: float


def pack_file_name(attachment: PackAttachment) -> str:
    """The name the file has in the pack: never its stored name, which may name someone."""
    media = attachment.row.media_type
    kind = (
        "photo" if media.startswith("image/") else "document" if media.endswith("pdf") else "file"
    )
    extension = {"image/jpeg": ".jpg", "text/plain": ".txt"}.get(media) or (
        mimetypes.guess_extension(media) or ""
    )
    return f"Attachment {attachment.label} ({kind}){extension}"


def clean_image(content: bytes) -> tuple[bytes, int, int] | None:
    """The picture re-encoded without its metadata (EXIF can hold names and places)."""
    try:
        from PIL import Image as PilImage
        from PIL import ImageOps

        with PilImage.open(io.BytesIO(content)) as opened:
            picture = ImageOps.exif_transpose(opened).convert("RGB")
            picture.thumbnail((IMAGE_MAX_PIXELS, IMAGE_MAX_PIXELS))
            out = io.BytesIO()
            picture.save(out, format="PNG", optimize=False)
            return out.getvalue(), picture.width, picture.height
    except Exception:  # an unreadable picture is listed, not placed
        return None


def pdf_pages(content: bytes) -> list[Any] | None:
    try:
        from pypdf import PdfReader, PdfWriter

        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        pages = list(reader.pages)
        if not any(page.rotation for page in pages):
            return pages  # merged as read: copying the document costs more than the merge
        pages = list(PdfWriter(clone_from=reader).pages)  # a writer's pages can be rotated
        for page in pages:
            if page.rotation:
                page.transfer_rotation_to_content()
        return pages
    except Exception:  # a damaged PDF is listed, not merged
        return None


def _cell_style(font: str) -> CellStyle:
    """What the pack's tables set for each cell: the font at 8 on 10 points, text at the top,
    ``CELL_PADDING`` either side."""
    style = CellStyle(font)
    style.fontname, style.fontsize, style.leading = font, 8, 10
    style.valign = "TOP"
    style.leftPadding = style.rightPadding = CELL_PADDING
    return style


class HeadingRoom(CondPageBreak):  # type: ignore[misc]
    """A new page unless ``height`` points are left on this one; takes no space, and the
    space after what came before it still counts before what comes after it."""

    _SPACETRANSFER = True


class PagePlaceholder(Flowable):  # type: ignore[misc]
    """Fills the rest of a page where an attachment's PDF page will be merged in."""

    def __init__(self, slot: tuple[str, int], slots: dict[tuple[str, int], tuple[int, Any]]):
        super().__init__()
        self.slot, self.slots = slot, slots

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = available_width, available_height - 2
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        x, y = canvas.absolutePosition(0, 0)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.3)
        canvas.rect(0, 0, self.width, self.height)
        self.slots[self.slot] = (canvas.getPageNumber(), (x, y, self.width, self.height))


@dataclass
class _Layout:
    data: PackData
    width: float
    s: dict[str, Any] = field(default_factory=styles)
    slots: dict[tuple[str, int], tuple[int, Any]] = field(default_factory=dict)
    merges: list[tuple[tuple[str, int], Any]] = field(default_factory=list)
    # Widths of cell texts at 8 points by (text, font): tables repeat their words.
    widths: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Each standard's evidence (linked to one of its criteria), in the pack's order.
        self.evidence_of: dict[str, list[PackEvidence]] = {}
        for item in self.data.evidence:
            for code in dict.fromkeys(link.standard_code for link in item.links):
                self.evidence_of.setdefault(code, []).append(item)

    def text(self, value: str) -> str:
        """Free text staff wrote, scrubbed of residents and escaped for ReportLab's markup."""
        return self.known(self.data.pseudonyms.scrub(value or ""))

    @staticmethod
    def known(value: str) -> str:
        """Text the app itself composed (dates, codes, framework wording): escaped only, as
        scrubbing would mangle a date when a resident is called, say, June."""
        return escape(value or "").replace("\n", "<br/>")

    def section(self, title: str) -> list[Any]:
        """A section heading, not left alone at the foot of a page."""
        return [HeadingRoom(HEADING_ROOM), Para(self.known(title), self.s["h2"])]

    def para(self, value: str, style: str = "body", *, free: bool = False) -> Para:
        return Para(self.text(value) if free else self.known(value), self.s[style])

    def table(
        self,
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        header: bool = True,
    ) -> Table:
        """A ruled table; only ``Free`` cells are scrubbed. A cell whose text fits on one line
        stays a plain string (laid out and drawn far faster than a paragraph); longer text
        wraps in a paragraph."""

        measured = self.widths

        def cell(value: Any, bold: bool, width: float) -> Any:
            if isinstance(value, Flowable):
                return value
            text = self.data.pseudonyms.scrub(value) if isinstance(value, Free) else str(value)
            font = BOLD if bold else FONT
            if "\n" not in text:
                used = measured.get((text, font))
                if used is None:
                    used = measured[text, font] = stringWidth(text, font, 8)
                if used <= width - 2 * CELL_PADDING:
                    return text
            return Para(self.known(text), self.s["cellbold" if bold else "cell"])

        cells = [
            [cell(value, header and r == 0, w) for value, w in zip(row, widths, strict=True)]
            for r, row in enumerate(rows)
        ]
        # Every cell of the body shares one cell style, and every cell of the header another
        # (ReportLab's default is a style object a cell, each set command by command).
        body = _cell_style(FONT)
        head = _cell_style(BOLD) if header else body
        shared = [[head if r == 0 else body] * len(widths) for r in range(len(cells))]
        table = SizedTable(
            cells, colWidths=list(widths), repeatRows=1 if header else 0, cellStyles=shared
        )
        commands: list[Any] = [("GRID", (0, 0), (-1, -1), 0.3, RULE)]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4ebf2")))
        table.setStyle(TableStyle(commands))
        return table

    # ---- parts -------------------------------------------------------------------------

    def cover(self) -> list[Any]:
        d = self.data
        rows = [
            ("Site", d.site.name),
            ("Framework", d.framework.title),
            ("Period", f"{d.start:%d %B %Y} to {d.end:%d %B %Y}"),
            ("Prepared by", d.prepared_by),
            ("Generated on", format_local(d.generated_at)),
            ("Evidence items", str(len(d.evidence))),
            ("Attachments", str(len(d.attachments))),
        ]
        return [
            Spacer(1, 80),
            Para("Enabling Environments evidence pack", self.s["title"]),
            Para(escape(d.site.name), self.s["subtitle"]),
            Para(escape(d.framework.title), self.s["subtitle"]),
            Spacer(1, 24),
            self.table(rows, [4 * 28.35, self.width - 4 * 28.35], header=False),
            Spacer(1, 24),
            self.para(
                "It shows the evidence approved for the site and dated within the period, "
                "the site's self-assessment, and figures computed from its records. "
                f"Protective marking: {MARKING}. This pack names no resident. Residents "
                "appear only as pseudonyms (for example Resident R-01), assigned for this "
                "pack alone; names, case reference numbers and dates of birth have been "
                "removed from all text, and attached files have been renamed."
            ),
            PageBreak(),
            Para("Contents", self.s["h1"]),
            contents(),
            PageBreak(),
        ]

    def summary(self) -> list[Any]:
        report = self.data.coverage
        counts = report.counts
        header = ["Standard", *[SHORT_LABELS[s] for s in STATUS_ORDER], "Covered"]
        rows: list[list[Any]] = [header]
        for standard in report.standards:
            c = standard.counts
            rows.append(
                [
                    f"{standard.code}. {standard.name}",
                    *[str(c.count(s)) for s in STATUS_ORDER],
                    f"{c.covered_percent:.0f}%",
                ]
            )
        rows.append(
            [
                "All standards",
                *[str(counts.count(s)) for s in STATUS_ORDER],
                f"{counts.covered_percent:.0f}%",
            ]
        )
        first = 3.6 * 28.35
        rest = (self.width - first) / (len(header) - 1)
        parts: list[Any] = [
            Heading("Coverage summary", self.s["h1"], 0, "coverage"),
            self.para(
                f"Coverage on {report.on:%d %B %Y}: a criterion is covered when approved "
                f"evidence dated in the {report.review_months} months before then is linked "
                "to it; stale when its approved evidence is older; draft only when its "
                "evidence is not yet approved. Criteria the site has justified as not "
                "applicable are left out of the percentage. "
                f"{counts.count(CoverageStatus.COVERED)} of {counts.applicable} applicable "
                f"criteria are covered ({counts.covered_percent:.0f}%)."
            ),
            Spacer(1, 6),
            self.table(rows, [first] + [rest] * (len(header) - 1)),
            Spacer(1, 10),
            horizontal_percent_bars(
                [(f"{s.code}. {s.name}", s.counts.covered_percent) for s in report.standards],
                width=self.width,
                caption="Criteria covered per standard (%)",
            ),
        ]
        gaps = report.gaps
        parts += self.section("Gaps")
        if gaps:
            parts.append(
                self.table(
                    [["Code", "Criterion", "Status"]]
                    + [[g.code, g.text, LABELS[g.status]] for g in gaps],
                    [1.3 * 28.35, self.width - 6.3 * 28.35, 5 * 28.35],
                )
            )
        else:
            parts.append(self.para("No gaps: every applicable criterion is covered."))
        parts.append(PageBreak())
        return parts

    def standard(self, standard: StandardCoverage, position: int) -> list[Any]:
        d = self.data
        mine = self.evidence_of.get(standard.code, [])
        parts: list[Any] = [
            Heading(
                self.known(f"Standard {standard.code}: {standard.name}"),
                self.s["h1"],
                0,
                f"standard-{position}",
            ),
            self.para(standard.statement, "statement"),
            *self.section("Criteria and self-assessment"),
        ]
        rows: list[list[Any]] = [["Code", "Criterion", "Coverage", "Self-assessment"]]
        for c in standard.criteria:
            rating = RATING_LABELS.get(c.assessment.rating.value, "") if c.assessment else ""
            rows.append([c.code, c.text, LABELS[c.status], rating or "Not yet assessed"])
        parts.append(
            self.table(rows, [1.3 * 28.35, self.width - 7.3 * 28.35, 3 * 28.35, 3 * 28.35])
        )
        reasons = [c for c in standard.criteria if c.assessment and c.assessment.justification]
        if reasons:
            parts.append(Para("Justifications", self.s["h3"]))
            for c in reasons:
                assert c.assessment is not None
                label = RATING_LABELS.get(c.assessment.rating.value, "")
                parts.append(
                    Para(
                        f"<b>{escape(c.code)}</b> ({label}): "
                        f"{self.text(c.assessment.justification)}",
                        self.s["body"],
                    )
                )
        parts += self.section("Narrative")
        if not mine:
            parts.append(self.para("No approved evidence dated in this period."))
        for e in mine:
            parts.append(
                Para(
                    f"<b>{e.ref}. {self.text(e.item.title)}</b> ({e.item.effective_on:%d %b %Y})",
                    self.s["h3"],
                )
            )
            if e.item.narrative:
                parts.append(self.para(e.item.narrative, free=True))
            for link in e.links:
                if link.standard_code == standard.code and link.rationale:
                    parts.append(
                        Para(
                            f"<i>Evidence for {escape(link.criterion_code)}:</i> "
                            f"{self.text(link.rationale)}",
                            self.s["small"],
                        )
                    )
        parts += self.section("Evidence")
        if mine:
            rows = [["Ref", "Title", "Kind", "Effective", "Criteria", "Files"]]
            for e in mine:
                codes = ", ".join(
                    k.criterion_code for k in e.links if k.standard_code == standard.code
                )
                files = ", ".join(a.label for a in e.attachments) or "None"
                rows.append(
                    [
                        e.ref,
                        Free(e.item.title),
                        KIND_LABELS.get(e.item.kind, str(e.item.kind)),
                        f"{e.item.effective_on:%d %b %Y}",
                        codes,
                        files,
                    ]
                )
            cm = 28.35
            parts.append(
                self.table(
                    rows, [1.1 * cm, self.width - 10.6 * cm, 2.6 * cm, 2.4 * cm, 2 * cm, 2.5 * cm]
                )
            )
        else:
            parts.append(self.para("None."))
        wanted = standard.name.casefold()
        figures = [f for f in d.figures if wanted in {n.casefold() for n in f.standards}]
        for n, figure in enumerate(figures):
            # The heading goes with the first figure, kept together: never alone at a foot.
            heading = [Para("Figures from the records", self.s["h2"])] if n == 0 else []
            parts.extend(self.figure(figure, heading))
        parts.append(PageBreak())
        return parts

    def figure(self, figure: Figure, lead: Sequence[Any] = ()) -> list[Any]:
        """A figure: its title, method, numbers and chart kept together (with ``lead``, a
        heading before it), and the key-work figure's table of residents."""
        head: list[Any] = [
            *lead,
            Para(self.known(figure.title), self.s["h3"]),
            self.para(f"How it was computed: {figure.method}", "small"),
            Spacer(1, 3),
        ]
        half = self.width / 2
        numbers = self.table(figure.numbers, [half * 0.7, half * 0.3], header=False)
        if figure.key == KEY_WORK:
            bands = [
                ("0-24%", 0.0),
                ("25-49%", 0.0),
                ("50-74%", 0.0),
                ("75-99%", 0.0),
                ("100%", 0.0),
            ]
            counts = [0, 0, 0, 0, 0]
            for point in figure.points:
                counts[4 if point.value >= 100 else int(point.value // 25)] += 1
            bands = [(label, float(n)) for (label, _), n in zip(bands, counts, strict=True)]
            chart = vertical_bars(bands, width=half, caption="Residents by key-work compliance")
        elif figure.points:
            chart = vertical_bars(
                [(p.label, p.value) for p in figure.points],
                width=half,
                value_max=100 if figure.key in ("training", "supervision") else None,
                caption=figure.chart_title,
            )
        else:
            chart = Spacer(1, 1)
        side = SizedTable([[numbers, chart]], colWidths=[half, half])
        side.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        parts: list[Any] = [KeepTogether([*head, side])]
        if figure.key == KEY_WORK and figure.points:
            named = sorted(
                (self.data.pseudonyms.name(p.resident_id) if p.resident_id else p.label, p.value)
                for p in figure.points
            )
            per_row = 4
            rows = [["Resident", "%"] * per_row]
            for start in range(0, len(named), per_row):
                chunk = named[start : start + per_row]
                row: list[str] = []
                for name, value in chunk:
                    row += [name, f"{value:.0f}%"]
                row += ["", ""] * (per_row - len(chunk))
                rows.append(row)
            w = self.width / per_row
            parts.append(Spacer(1, 4))
            parts.append(self.table(rows, [w * 0.65, w * 0.35] * per_row))
        parts.append(Spacer(1, 8))
        return parts

    def _names_a_resident(self, pages: list[Any]) -> bool:
        """Attached pages go in as they are, so one that names a resident is withheld."""
        for page in pages:
            try:
                text = page.extract_text() or ""
            except Exception:  # unreadable text cannot be checked: withhold it
                return True
            if self.data.pseudonyms.scrub(text) != text:
                return True
        return False

    def appendices(self) -> list[Any]:
        attachments = self.data.attachments
        parts: list[Any] = [Heading("Appendix A: Attachments", self.s["h1"], 0, "appendix-a")]
        if not attachments:
            parts.append(self.para("No approved evidence in this period has attached files."))
        listed = []
        for attachment in attachments:
            name = pack_file_name(attachment)
            media = attachment.row.media_type
            heading = Heading(escape(name), self.s["h2"], 1, f"att-{attachment.label}")
            caption = self.para(f"From evidence {attachment.evidence_ref}.", "small")
            if media.startswith("image/") and (picture := clean_image(attachment.content)):
                content, w, h = picture
                scale = min(self.width / w, 14 * 28.35 / h, 3.0)  # at most 3 points a pixel
                parts.append(
                    KeepTogether(
                        [heading, caption, Image(io.BytesIO(content), w * scale, h * scale)]
                    )
                )
                continue
            pages = pdf_pages(attachment.content) if media == "application/pdf" else None
            if pages and self._names_a_resident(pages):
                parts.append(
                    KeepTogether(
                        [
                            heading,
                            caption,
                            self.para(
                                "Not reproduced: this PDF names a resident. Redact it and attach "
                                "it again to include it; its digest is in the manifest.",
                                "small",
                            ),
                        ]
                    )
                )
                continue
            if pages:
                for index, page in enumerate(pages):
                    slot = (attachment.label, index)
                    self.merges.append((slot, page))
                    parts.append(PageBreak())
                    if index == 0:
                        parts.append(heading)
                    parts.append(
                        self.para(
                            f"{name}: page {index + 1} of {len(pages)}, from evidence "
                            f"{attachment.evidence_ref}.",
                            "small",
                        )
                    )
                    parts.append(PagePlaceholder(slot, self.slots))
                parts.append(PageBreak())
                continue
            listed.append(attachment)
            parts.append(
                KeepTogether(
                    [
                        heading,
                        caption,
                        self.para(
                            f"{media} file, {attachment.row.size_bytes:,} bytes: "
                            "listed in the manifest, "
                            "not reproduced here.",
                            "small",
                        ),
                    ]
                )
            )
        parts.append(PageBreak())
        parts.append(Heading("Appendix B: Manifest of attachments", self.s["h1"], 0, "manifest"))
        parts.append(
            self.para(
                "Every attached file, as stored, with its SHA-256 digest so a copy can be "
                "checked against the original."
            )
        )
        rows: list[list[Any]] = [["Ref", "File in this pack", "Evidence", "Size", "SHA-256"]]
        for attachment in attachments:
            digest = attachment.row.sha256
            rows.append(
                [
                    attachment.label,
                    pack_file_name(attachment),
                    attachment.evidence_ref,
                    f"{attachment.row.size_bytes:,} B",
                    Para(f"{digest[:32]}<br/>{digest[32:]}", self.s["small"]),
                ]
            )
        cm = 28.35
        parts.append(self.table(rows, [1.1 * cm, 5.2 * cm, 1.7 * cm, 2 * cm, self.width - 10 * cm]))
        return parts


def _merge(pdf: bytes, layout: _Layout) -> bytes:
    """Place each PDF attachment page into its placeholder page, under the page furniture."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for slot, page in layout.merges:
        number, (x, y, width, height) = layout.slots[slot]
        box = page.mediabox
        w, h = float(box.width), float(box.height)
        scale = min(width / w, height / h)
        dx = x + (width - w * scale) / 2 - float(box.left) * scale
        dy = y + (height - h * scale) / 2 - float(box.bottom) * scale
        writer.pages[number - 1].merge_transformed_page(
            page, Transformation().scale(scale).translate(dx, dy)
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pack(
    data: PackData, *, progress: Progress | None = None, cancelled: CancelCheck | None = None
) -> tuple[bytes, int]:
    """The pack's bytes and page count."""
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)

    def check() -> None:
        if stop():
            raise Cancelled

    out = io.BytesIO()
    d = data
    doc = MarkedDocument(
        out,
        running_title=f"{d.site.name}: {d.framework.title} evidence pack, "
        f"{d.start:%d %b %Y} to {d.end:%d %b %Y}",
        title=f"Evidence pack: {d.site.name}, {d.framework.title}",
        author=d.site.name,
        subject=f"{d.framework.title} evidence, {d.start:%d %b %Y} to {d.end:%d %b %Y}",
        on_flowable=check,
    )
    layout = _Layout(data, doc.width)
    story: list[Any] = [doc.counter, *layout.cover(), *layout.summary()]
    for position, standard in enumerate(d.coverage.standards, start=1):
        check()
        story += layout.standard(standard, position)
    story += layout.appendices()
    report(60, 100, "Laying out pages")
    with collection_paused():
        doc.build_laid_out(story)
    pdf = out.getvalue()
    pages = int(doc.counter.total or 0)
    if layout.merges:
        check()
        report(90, 100, "Merging attached PDF pages")
        pdf = _merge(pdf, layout)
    return pdf, pages


def build_evidence_pack(
    db: Database,
    actor: Actor,
    site_id: uuid.UUID,
    start: Any,
    end: Any,
    output: Path,
    *,
    framework_id: uuid.UUID | None = None,
    prepared_by: str | None = None,
    generated_at: datetime | None = None,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> PackResult:
    """Gather, lay out and write the pack; on cancel or failure no file is left behind."""
    began = time.monotonic()
    report = progress or (lambda done, total, text: None)
    stop = cancelled or (lambda: False)
    with collection_paused():
        data = gather(
            db,
            actor,
            site_id,
            start,
            end,
            framework_id=framework_id,
            prepared_by=prepared_by or actor.display_name,
            generated_at=generated_at or utc_now(),
            progress=report,
            cancelled=stop,
        )
        pdf, pages = render_pack(data, progress=report, cancelled=stop)
    if stop():
        raise Cancelled
    write_atomically(Path(output), pdf)
    report(100, 100, "Done")
    return PackResult(
        Path(output), pages, len(data.attachments), len(data.evidence), time.monotonic() - began
    )
