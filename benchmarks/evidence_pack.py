"""How long a 12-month evidence pack takes for a site with many times the demo data.

    .venv/bin/python benchmarks/evidence_pack.py [--scale 10] [--keep DIR]

Fills a temporary SQLite database with the demo data ``--scale`` times (different seeds,
so residents, sessions and evidence multiply at the same two sites), builds the pack for
Crowley House over the last 12 months, then builds a bare ReportLab document with the same
number of pages in the same run. The ratio of the two is the figure to watch: it does not
depend on how fast the machine is.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from pipe_app.demo import generate
from pipe_app.domain.enums import EvidenceStatus
from pipe_app.reports.evidence_pack import build_evidence_pack
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.storage.migrations import upgrade
from pipe_app.timeutil import local_today


def bare_document(path: Path, pages: int) -> float:
    began = time.perf_counter()
    style = getSampleStyleSheet()["Normal"]
    story = []
    for number in range(1, pages + 1):
        story += [Paragraph(f"Page {number} of {pages}", style), PageBreak()]
    SimpleDocTemplate(str(path), pagesize=A4).build(story[:-1])
    return time.perf_counter() - began


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="times the demo data (default 10)")
    parser.add_argument("--keep", type=Path, help="folder to keep the database and PDFs in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pipe-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "bench.sqlite3"
    database.unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{database}")
    try:
        upgrade(db, backup=False)
        system = Actor.system()
        FrameworkService(db, system).install_builtin()
        began = time.perf_counter()
        for seed in range(1, args.scale + 1):
            generate(db, seed)
        filled = time.perf_counter() - began
        approved = approve_old_drafts(db)
        print(f"demo data x{args.scale} written in {filled:.1f} s ({approved} drafts approved)")
        site = SiteService(db, system).find_by_name("Crowley House")
        assert site is not None
        end = local_today()
        start = end - timedelta(days=365)
        result = build_evidence_pack(
            db, system, site.id, start, end, folder / "pack.pdf", prepared_by="Benchmark"
        )
    finally:
        db.dispose()
    bare = min(bare_document(folder / "bare.pdf", result.pages) for _ in range(3))
    size = (folder / "pack.pdf").stat().st_size / 1024
    print(
        f"evidence pack: {result.seconds:.2f} s, {result.pages} pages, "
        f"{result.pages / result.seconds:.1f} pages/s, {result.evidence_items} evidence items, "
        f"{result.attachments} attachments, {size:.0f} KB"
    )
    print(
        f"bare ReportLab, same page count (best of 3): {bare:.3f} s, "
        f"{result.pages / bare:.0f} pages/s"
    )
    print(f"ratio (pack time / bare time): {result.seconds / bare:.1f}")
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
