"""Producing a report file: who may produce which report, checking the request, writing it.

The command line and the Reports page both come through here, so both offer and check the
same things. The report modules read through the services as the given user, so the services'
own permission checks apply as well; ``may_produce`` only decides what to offer.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from pipe_app.domain.enums import StaffRole
from pipe_app.reports.evidence_pack import build_evidence_pack
from pipe_app.reports.pack_data import CancelCheck, Progress, choose_framework
from pipe_app.reports.pdf_base import Cancelled
from pipe_app.reports.supervision_summary import OVERSEERS, build_summary
from pipe_app.reports.supervision_summary import export as export_summary
from pipe_app.reports.training_matrix import build_matrix
from pipe_app.reports.training_matrix import export as export_matrix
from pipe_app.services.errors import ValidationError
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.validation import Checks
from pipe_app.storage.database import Database


class ReportKind(StrEnum):
    EVIDENCE_PACK = "evidence_pack"
    TRAINING_MATRIX = "training_matrix"
    SUPERVISION_SUMMARY = "supervision_summary"


@dataclass(frozen=True)
class ReportInfo:
    kind: ReportKind
    title: str  # "Evidence pack"
    description: str
    suffixes: tuple[str, ...]  # the first is the default
    has_period: bool
    has_framework: bool


REPORTS: tuple[ReportInfo, ...] = (
    ReportInfo(
        ReportKind.EVIDENCE_PACK,
        "Evidence pack",
        "Everything the assessor asks for, one PDF: coverage, evidence and figures for each "
        "standard. Residents appear only as pseudonyms.",
        (".pdf",),
        has_period=True,
        has_framework=True,
    ),
    ReportInfo(
        ReportKind.TRAINING_MATRIX,
        "Training matrix",
        "Staff against courses as they stand today: current, expiring, expired or missing. "
        "PDF to print, or CSV for a spreadsheet.",
        (".pdf", ".csv"),
        has_period=False,
        has_framework=False,
    ),
    ReportInfo(
        ReportKind.SUPERVISION_SUMMARY,
        "Supervision compliance summary",
        "Supervision sessions in the period, who is overdue, and compliance month by month. "
        "Cases appear only as pseudonyms.",
        (".pdf",),
        has_period=True,
        has_framework=False,
    ),
)


def info(kind: ReportKind) -> ReportInfo:
    return next(report for report in REPORTS if report.kind is kind)


def may_produce(actor: Actor, kind: ReportKind, site_id: uuid.UUID | None = None) -> bool:
    """Whether to offer the report (at the site, or at any of the user's sites)."""
    if kind is ReportKind.EVIDENCE_PACK:
        return actor.can(Permission.EVIDENCE_READ, site_id) and actor.can(
            Permission.RESIDENT_READ, site_id
        )
    if kind is ReportKind.TRAINING_MATRIX:
        return actor.can(Permission.STAFF_READ, site_id)
    return actor.can(Permission.SUPERVISION_READ, site_id) and (
        actor.is_system or bool(actor.roles & OVERSEERS)
    )


def reports_for(actor: Actor, site_id: uuid.UUID | None = None) -> list[ReportInfo]:
    return [report for report in REPORTS if may_produce(actor, report.kind, site_id)]


def default_file_name(kind: ReportKind, site_name: str, on: date, suffix: str = "") -> str:
    """``Evidence pack - Crowley House - 2026-11-26.pdf``."""
    report = info(kind)
    return f"{report.title} - {site_name} - {on:%Y-%m-%d}{suffix or report.suffixes[0]}"


def suffix_problem(path: Path, suffixes: tuple[str, ...]) -> str | None:
    if path.suffix.lower() in suffixes:
        return None
    return f"must end in {' or '.join(suffixes)}"


def place_problem(path: Path) -> str | None:
    """Why the file cannot be written there (None when it can)."""
    folder = path.resolve().parent
    if path.is_dir():
        return f"{path} is a folder; give a file name"
    if not folder.is_dir():
        return f"cannot be written: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"cannot be written: permission denied in {folder}"
    return None


@dataclass(frozen=True)
class ReportRequest:
    kind: ReportKind
    site_id: uuid.UUID
    output: Path
    start: date | None = None
    end: date | None = None
    framework_id: uuid.UUID | None = None
    prepared_by: str | None = None
    job_roles: frozenset[StaffRole] = frozenset()
    expiring_within_days: int | None = None


def check(request: ReportRequest, today: date) -> None:
    """Every problem with the request, each naming its field (date_from, date_to, output)."""
    report = info(request.kind)
    checks = Checks()
    if report.has_period:
        if request.start is None:
            checks.fail("date_from", "is required")
        elif request.start > today:
            checks.fail("date_from", "is after today: nothing has been recorded yet")
        if request.end is None:
            checks.fail("date_to", "is required")
        elif request.start is not None and request.end < request.start:
            checks.fail("date_to", "is before the start of the period: the period is empty")
    if not str(request.output).strip():
        checks.fail("output", "is required")
    else:
        problem = place_problem(request.output) or suffix_problem(request.output, report.suffixes)
        if problem is not None:
            checks.fail("output", problem)
    checks.raise_if_any()


@dataclass(frozen=True)
class Produced:
    kind: ReportKind
    path: Path
    pages: int | None  # None for CSV
    what: str  # "the training matrix for Crowley House"
    details: str  # "12 staff, 9 courses"

    @property
    def sentence(self) -> str:
        return f"Wrote {self.what} to {self.path.resolve()}: {self.details}."


def _pdf_pages(path: Path) -> int | None:
    if path.suffix.lower() != ".pdf":
        return None
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _period(request: ReportRequest) -> tuple[date, date]:
    if request.start is None or request.end is None:
        raise ValidationError.single(
            "date_from" if request.start is None else "date_to", "is required"
        )
    return request.start, request.end


def _span(start: date, end: date) -> str:
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def produce(
    db: Database,
    actor: Actor,
    request: ReportRequest,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> Produced:
    """Build the report as ``actor`` and write it whole (or, on failure or cancel, not at all)."""
    report: Progress = progress or (lambda done, total, text: None)
    stop: CancelCheck = cancelled or (lambda: False)
    kind, output = request.kind, request.output
    if kind is ReportKind.EVIDENCE_PACK:
        start, end = _period(request)
        site = SiteService(db, actor).get(request.site_id)
        framework = (
            {f.id: f for f in FrameworkService(db, actor).rows()}.get(request.framework_id)
            if request.framework_id is not None
            else choose_framework(db, actor, request.site_id, None)
        )
        if framework is None:
            raise ValidationError.single("framework_id", "has been archived; pick another")
        pack = build_evidence_pack(
            db,
            actor,
            request.site_id,
            start,
            end,
            output,
            framework_id=framework.id,
            prepared_by=request.prepared_by,
            progress=report,
            cancelled=stop,
        )
        return Produced(
            kind,
            output,
            pack.pages,
            f"the evidence pack for {site.name} ({framework.title}, {_span(start, end)})",
            f"{_plural(pack.pages, 'page')}, {_plural(pack.evidence_items, 'evidence item')}, "
            f"{_plural(pack.attachments, 'attachment')}",
        )
    report(5, 100, "Reading the records")
    if kind is ReportKind.TRAINING_MATRIX:
        matrix = build_matrix(
            db,
            actor,
            request.site_id,
            job_roles=request.job_roles,
            expiring_within_days=request.expiring_within_days,
        )
        what = f"the training matrix for {matrix.site_name}"
        details = f"{len(matrix.rows)} staff, {_plural(len(matrix.courses), 'course')}"
        if stop():
            raise Cancelled
        report(50, 100, "Writing the file")
        export_matrix(matrix, output)
    else:
        start, end = _period(request)
        summary = build_summary(db, actor, request.site_id, start, end)
        sessions = sum(count for count, _, _ in summary.by_kind.values())
        what = f"the supervision summary for {summary.site_name}"
        details = (
            f"{_plural(sessions, 'signed-off session')}, {len(summary.overdue)} overdue, "
            f"{_span(start, end)}"
        )
        if stop():
            raise Cancelled
        report(50, 100, "Writing the file")
        export_summary(summary, output)
    pages = _pdf_pages(output)
    if pages is not None:
        details = f"{_plural(pages, 'page')}, {details}"
    report(100, 100, "Done")
    return Produced(kind, output, pages, what, details)
