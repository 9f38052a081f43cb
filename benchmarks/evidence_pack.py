"""How long a 12-month evidence pack takes as a site's data grows, against a bare document.

    .venv/bin/python benchmarks/evidence_pack.py [--scale 1 5 10] [--repeat 3] [--profile]
                                                 [--pdf-attachments N] [--keep DIR]

Fills a temporary SQLite database with the demo data again and again (different seeds, so
residents, sessions and evidence multiply at the same two sites) and, each time it reaches
one of the ``--scale`` multiples, builds the pack for Crowley House over the last 12 months
(best of ``--repeat``, at least 3), in turn with the bare documents below. The demo attaches no
PDFs; ``--pdf-attachments N`` adds N three-page ones to merge.

The bare document (the baseline, "bare" in the tables) is the same content as plain ReportLab
would set it, with no PIPE Desk code: each page's text is read back from the pack just built
(pdfium text extraction, untimed), and laid out with a ``SimpleDocTemplate`` (A4, the pack's
2 cm margins) as one DejaVu Sans paragraph (the same embedded TTF) per line of text, 8 points
on 10 (less on a page whose lines would not fit), a page break after each pack page, so the
page count is the pack's (checked), in one build pass. Timed: making the paragraphs, the
build, writing the file. The running title, marking and "Page X of Y" come along as lines of
text; what the bare document does not do is what the app adds: reading the data, scrubbing
residents' names, tables and their rules, charts, pictures, the contents and "Page X of Y"
(two passes: a layout that draws nothing, then the drawing one), outline entries, merging
attached PDF pages. The ratio pack / bare measures that overhead and does not depend on how
fast the machine is; CPU seconds are shown beside wall seconds as they suffer far less when
the machine is shared. Milliseconds per page at each scale show whether the pack grows
linearly with its pages.

The "empty" columns are the floor of any PIPE Desk PDF of that length, for reference: the same
A4 ``MarkedDocument`` (DejaVu Sans embedded, the marking top and bottom, the running title,
"Page X of Y"), one short paragraph per page, built in one pass with the page total given.

Each scale also gets ``--repeat`` builds with timers round their phases (data queries,
composing the story, layout passes that draw nothing, the drawing pass and its charts, PDF
serialisation, merging attached PDF pages, writing the file), CPU seconds of the fastest
shown; ``--profile`` prints the cProfile of the last one too.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from pipe_app import paths
from pipe_app.demo import generate
from pipe_app.domain.enums import EvidenceStatus
from pipe_app.reports import evidence_pack
from pipe_app.reports.charts import BarChart
from pipe_app.reports.evidence_pack import PackResult, build_evidence_pack
from pipe_app.reports.pdf_base import MarkedDocument, styles
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.storage.migrations import upgrade
from pipe_app.timeutil import local_today


@dataclass(frozen=True)
class Spent:
    """Wall and CPU seconds: the machine may be shared, and CPU time suffers far less."""

    wall: float
    cpu: float

    @staticmethod
    def best(spent: list[Spent]) -> Spent:
        return Spent(min(s.wall for s in spent), min(s.cpu for s in spent))


@contextmanager
def quiet_collector() -> Iterator[None]:
    """A collected heap, then no cyclic collection until the block ends."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def stopwatch(into: list[Spent]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.append(Spent(time.perf_counter() - wall, time.process_time() - cpu))


BARE_FONT = "BareDejaVuSans"  # its own registration: nothing shared with the app's fonts
BARE_MARGIN = 2 * cm
BARE_FRAME = A4[1] - 2 * BARE_MARGIN - 12  # a Frame's default padding, 6 points each side


def page_texts(pdf: Path) -> list[list[str]]:
    """Each page's lines of text, read back with pdfium (not timed)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        texts = []
        for page in document:
            text = page.get_textpage()
            texts.append([line for line in text.get_text_range().splitlines() if line.strip()])
            text.close()
            page.close()
        return texts
    finally:
        document.close()


def register_bare_font() -> None:
    if BARE_FONT not in pdfmetrics.getRegisteredFontNames():
        font = paths.resources_dir() / "fonts" / "DejaVuSans.ttf"
        pdfmetrics.registerFont(TTFont(BARE_FONT, str(font)))


def bare_document(path: Path, texts: list[list[str]]) -> int:
    """The pack's text, page for page, set by plain ReportLab in one pass; its page count."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=BARE_MARGIN,
        rightMargin=BARE_MARGIN,
        topMargin=BARE_MARGIN,
        bottomMargin=BARE_MARGIN,
        title="Bare",
        author="Benchmark",
        invariant=1,
    )
    by_leading: dict[float, ParagraphStyle] = {}
    story: list[Any] = []
    for lines in texts:
        leading = min(10.0, (BARE_FRAME - 4) / max(1, len(lines)))
        style = by_leading.get(leading)
        if style is None:
            style = ParagraphStyle(
                f"Bare{leading}", fontName=BARE_FONT, fontSize=0.8 * leading, leading=leading
            )
            by_leading[leading] = style
        story += [Paragraph(escape(line), style) for line in lines]
        story.append(PageBreak())
    doc.build(story[:-1])
    path.write_bytes(out.getvalue())
    return int(doc.page)


def empty_document(path: Path, pages: int) -> None:
    out = io.BytesIO()
    doc = MarkedDocument(
        out, running_title="Bare document", title="Bare", author="Benchmark", subject="Bare"
    )
    doc.counter.total = pages
    body = styles()["body"]
    story: list[Any] = []
    for number in range(1, pages + 1):
        story += [Paragraph(f"Page {number}", body), PageBreak()]
    doc.build(story[:-1])
    path.write_bytes(out.getvalue())


def attach_pdfs(db: Database, count: int) -> None:
    """Three-page PDFs on the newest approved Crowley House evidence, to be merged in (the
    demo attaches only pictures and text files)."""
    evidence = EvidenceService(db, Actor.system())
    site = SiteService(db, Actor.system()).find_by_name("Crowley House")
    assert site is not None
    newest = evidence.rows(site_id=site.id, status=EvidenceStatus.APPROVED)[:count]
    for number, row in enumerate(newest, start=1):
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        for page in range(1, 4):
            canvas.drawString(72, 760, f"Minutes {number}, page {page}")
            canvas.rect(72, 72, 450, 650)
            canvas.showPage()
        canvas.save()
        evidence.add_attachment(row.id, f"minutes-{number}.pdf", "application/pdf", out.getvalue())


def approve_old_drafts(db: Database) -> int:
    """The demo approves evidence only on its first run (later runs add no manager login), so
    approve what the repeats left as drafts, as the demo would have (older than 30 days)."""
    evidence = EvidenceService(db, Actor.system())
    cutoff = local_today() - timedelta(days=30)
    drafts = [
        row for row in evidence.rows(status=EvidenceStatus.DRAFT) if row.effective_on < cutoff
    ]
    for row in drafts:
        evidence.approve(row.id, row.version)
    return len(drafts)


@dataclass
class Phases:
    """CPU seconds spent inside the functions timed, by phase."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def wrap(self, function: Callable[..., Any], label: Callable[[Any], str]) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            name = label(args[0] if args else None)
            began = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - began
                self.seconds[name] = self.seconds.get(name, 0.0) + spent
                self.calls[name] = self.calls.get(name, 0) + 1

        return timed

    @contextmanager
    def timing(self) -> Iterator[None]:
        def fixed(name: str) -> Callable[[Any], str]:
            return lambda _first: name

        def build_pass(doc: Any) -> str:
            drawing = getattr(getattr(doc, "body", None), "drawing", True)  # multiBuild: all draw
            return "drawing pass" if drawing else "layout pass (draws nothing)"

        targets: list[tuple[Any, str, Callable[[Any], str]]] = [
            (evidence_pack, "gather", fixed("data queries")),
            (evidence_pack, "clean_image", fixed("attached images re-encoded")),
            (evidence_pack, "pdf_pages", fixed("attached PDFs read and checked")),
            (evidence_pack._Layout, "_names_a_resident", fixed("attached PDFs read and checked")),
            (MarkedDocument, "build", build_pass),
            (BarChart, "draw", fixed("charts drawn")),
            (Canvas, "save", fixed("PDF serialisation")),
            (evidence_pack, "_merge", fixed("attached PDF pages merged")),
            (evidence_pack, "write_atomically", fixed("file written")),
        ]
        with ExitStack() as stack:
            for owner, name, label in targets:
                original = getattr(owner, name)
                if name in vars(owner):
                    stack.callback(setattr, owner, name, original)
                else:  # inherited: the subclass's own attribute goes again
                    stack.callback(delattr, owner, name)
                setattr(owner, name, self.wrap(original, label))
            yield

    def report(self, total: float) -> list[str]:
        top = (
            "data queries",
            "layout pass (draws nothing)",
            "drawing pass",
            "PDF serialisation",
            "attached PDF pages merged",
            "file written",
        )
        within = {
            "attached images re-encoded": "composing the story",
            "attached PDFs read and checked": "composing the story",
            "charts drawn": "drawing pass",
        }
        composing = total - sum(self.seconds.get(name, 0.0) for name in top)
        lines = []
        for name in (*top[:1], "composing the story", *top[1:]):
            spent = composing if name == "composing the story" else self.seconds.get(name, 0.0)
            calls = f" x{self.calls[name]}" if self.calls.get(name, 0) > 1 else ""
            lines.append(f"  {name + calls:<41} {spent:6.3f} s {100 * spent / total:4.0f}%")
            for part, parent in within.items():
                if parent == name and part in self.seconds:
                    share = self.seconds[part]
                    lines.append(
                        f"    of which {part:<30} {share:6.3f} s {100 * share / total:4.0f}%"
                    )
        lines.append(f"  {'total (whole build)':<41} {total:6.3f} s")
        return lines


@dataclass(frozen=True)
class Measured:
    scale: int
    result: PackResult
    pack: Spent  # best of the repeats
    bare: Spent  # the same text, page for page, set by plain ReportLab
    empty: Spent  # one short paragraph a page in a MarkedDocument
    kilobytes: float
    paired: float  # median over the rounds of pack / bare CPU, each pair built back to back

    def line(self) -> str:
        pages, pack, bare, empty = self.result.pages, self.pack, self.bare, self.empty
        return (
            f"  x{self.scale:<4} {pages:5d} {self.result.evidence_items:5d}  "
            f"{pack.cpu:6.3f} {1000 * pack.cpu / pages:6.1f} {bare.cpu:6.3f} "
            f"{pack.cpu / bare.cpu:5.2f}   {pack.wall:6.3f} {bare.wall:6.3f} "
            f"{pack.wall / bare.wall:5.2f}   {empty.cpu:6.3f} {pack.cpu / empty.cpu:5.1f}"
            f"   {self.paired:5.2f}"
        )


def measure(
    db: Database, folder: Path, scale: int, repeat: int, profile: bool
) -> tuple[Measured, Phases, float]:
    system = Actor.system()
    site = SiteService(db, system).find_by_name("Crowley House")
    assert site is not None
    end = local_today()
    start: date = end - timedelta(days=365)
    target = folder / f"pack-x{scale}.pdf"

    def build() -> PackResult:
        return build_evidence_pack(db, system, site.id, start, end, target, prepared_by="Bench")

    result = build()  # once untimed: warms caches and gives the text the bare sets
    texts = page_texts(target)
    register_bare_font()
    bare_pages = bare_document(folder / f"bare-x{scale}.pdf", texts)  # warm up alike
    if bare_pages != result.pages:
        print(f"warning: the bare document has {bare_pages} pages, the pack {result.pages}")
    # Pack, bare and empty builds take turns, so a spell of load on this shared machine
    # falls on all three alike; each starts from a collected heap with the collector paused,
    # as the pack pauses it itself (the bare would otherwise pay, at random, for collecting
    # this process's own heap of generated data: a harness artefact, not ReportLab's cost).
    packs: list[Spent] = []
    bares: list[Spent] = []
    empties: list[Spent] = []
    for _ in range(max(3, repeat)):
        with quiet_collector(), stopwatch(packs):
            build()
        with quiet_collector(), stopwatch(bares):
            bare_document(folder / f"bare-x{scale}.pdf", texts)
        with quiet_collector(), stopwatch(empties):
            empty_document(folder / f"empty-x{scale}.pdf", result.pages)
    timed: list[tuple[float, Phases]] = []  # the fastest timed build gives the split
    for _ in range(repeat):
        phases, spent, profiler = Phases(), list[Spent](), cProfile.Profile()
        with quiet_collector(), phases.timing(), stopwatch(spent):
            if profile:
                profiler.enable()
            build()
            profiler.disable()
        timed.append((spent[0].cpu, phases))
    if profile:
        print(f"--- cProfile of the last timed build at x{scale} (cumulative, top 30)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    fastest, phases = min(timed, key=lambda pair: pair[0])
    size = target.stat().st_size / 1024
    paired = statistics.median(p.cpu / b.cpu for p, b in zip(packs, bares, strict=True))
    measured = Measured(
        scale, result, Spent.best(packs), Spent.best(bares), Spent.best(empties), size, paired
    )
    return measured, phases, fastest


# Read by benchmarks/run.py: the wall seconds of pack and bare are the 7th and 8th numbers.
HEADER = (
    "  scale pages items  CPU: pack  ms/page  bare  ratio   wall: pack   bare  ratio"
    "   empty: CPU ratio   paired"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        default=[1, 5, 10],
        help="times the demo data to build the pack at (default 1 5 10)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds per scale, best counts")
    parser.add_argument(
        "--pdf-attachments",
        type=int,
        default=0,
        metavar="N",
        help="attach N three-page PDFs (merged into the pack) after the first fill",
    )
    parser.add_argument("--profile", action="store_true", help="print cProfile of each build")
    parser.add_argument("--keep", type=Path, help="folder to keep the database and PDFs in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pipe-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "bench.sqlite3"
    database.unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{database}")
    rows: list[Measured] = []
    try:
        upgrade(db, backup=False)
        FrameworkService(db, Actor.system()).install_builtin()
        seeded = 0
        for scale in sorted(set(args.scale)):
            began = time.perf_counter()
            for seed in range(seeded + 1, scale + 1):
                generate(db, seed)
            seeded = scale
            approved = approve_old_drafts(db)
            if scale == min(args.scale):
                attach_pdfs(db, args.pdf_attachments)
            filled = time.perf_counter() - began
            print(f"demo data x{scale}: filled in {filled:.1f} s ({approved} drafts approved)")
            measured, phases, timed_cpu = measure(db, folder, scale, args.repeat, args.profile)
            rows.append(measured)
            r = measured.result
            print(
                f"evidence pack x{scale}: {r.pages} pages, {r.evidence_items} evidence items, "
                f"{r.attachments} attachments, {measured.kilobytes:.0f} KB"
            )
            print(HEADER)
            print(measured.line())
            print(f"phase split, CPU seconds of the fastest build with timers (x{scale}):")
            print("\n".join(phases.report(timed_cpu)))
    finally:
        db.dispose()
    print(
        f"\ngrowth (best of {max(3, args.repeat)} rounds of pack, bare and empty builds in "
        "turn; bare: the pack's text set by plain ReportLab, empty: one short paragraph a "
        "page; paired: the median over the rounds of pack / bare CPU):"
    )
    print(HEADER)
    print("\n".join(m.line() for m in rows))
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
