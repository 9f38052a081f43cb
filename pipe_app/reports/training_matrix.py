"""The training matrix: staff against courses, as CSV for spreadsheets and as a printed A4 sheet.

Each cell says its status in words and in colour (the words survive a black-and-white printer).
"Expiring" means expiring within the site's ``training_warning_days`` setting (default 60).
Courses nobody listed must hold or has taken are left out, so a role filter gives a narrow
sheet. On paper a sheet takes at most ``COURSES_PER_TABLE`` courses across; more courses
continue in a further table with the names repeated, and the header row repeats on every page.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from pipe_app.domain.enums import StaffRole
from pipe_app.reports.pdf_base import (
    BOLD,
    RULE,
    MarkedDocument,
    styles,
    write_atomically,
)
from pipe_app.services.errors import ValidationError
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService, site_settings
from pipe_app.services.training import CourseRow, Status, TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

COURSES_PER_TABLE = 10
PADDING = 3
PAGE = landscape(A4)

LABELS: dict[str, str] = {
    "current": "Current",
    "expiring": "Expiring",
    "expired": "Expired",
    "missing": "Missing",
    "not required": "Not required",
}
FILLS = {
    "current": colors.HexColor("#d4edda"),
    "expiring": colors.HexColor("#ffe8a3"),
    "expired": colors.HexColor("#f5b7b1"),
    "missing": colors.HexColor("#f5b7b1"),
    "not required": colors.HexColor("#f0f0f0"),
}


@dataclass(frozen=True)
class MatrixCell:
    status: Status
    required: bool
    completed_on: date | None
    expires_on: date | None

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass(frozen=True)
class MatrixRow:
    staff_member_id: uuid.UUID
    name: str
    job_role: StaffRole
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class TrainingMatrix:
    site_name: str
    on: date
    expiring_within_days: int
    job_roles: frozenset[StaffRole]
    courses: tuple[CourseRow, ...]
    rows: tuple[MatrixRow, ...]

    def count(self, status: str) -> int:
        return sum(cell.status == status for row in self.rows for cell in row.cells)


def role_label(role: StaffRole) -> str:
    return role.value.replace("_", " ").capitalize()


def build_matrix(
    db: Database,
    actor: Actor,
    site_id: uuid.UUID,
    *,
    on: date | None = None,
    job_roles: Iterable[StaffRole] = (),
    expiring_within_days: int | None = None,
) -> TrainingMatrix:
    """The matrix as the actor may see it (staff readers at the site)."""
    day = on or local_today()
    site = SiteService(db, actor).get(site_id)
    days = expiring_within_days
    if days is None:
        days = site_settings(site).training_warning_days
    if days < 0:
        raise ValidationError.single("expiring_within_days", "cannot be negative")
    roles = frozenset(job_roles)
    # One read for the courses, the staff and their records: the site is already known.
    sheet = TrainingService(db, actor).sheet(site_id, day, days)
    cells = {(c.staff_member_id, c.course_id): c for c in sheet.cells}
    staff = [m for m in sheet.members if not roles or m.job_role in roles]

    def cell(member_id: uuid.UUID, course_id: uuid.UUID) -> MatrixCell:
        found = cells[(member_id, course_id)]
        return MatrixCell(found.status, found.required, found.completed_on, found.expires_on)

    courses = sheet.courses
    grid = {(m.id, c.id): cell(m.id, c.id) for m in staff for c in courses}
    if staff:
        courses = [
            c for c in courses if any(grid[(m.id, c.id)].status != "not required" for m in staff)
        ]
    rows = tuple(
        MatrixRow(m.id, m.name, m.job_role, tuple(grid[(m.id, c.id)] for c in courses))
        for m in staff
    )
    return TrainingMatrix(site.name, day, days, roles, tuple(courses), rows)


# ---- CSV --------------------------------------------------------------------------------


def matrix_csv(matrix: TrainingMatrix) -> str:
    """One row per person; a cell is the status, with the expiry date when there is one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Staff", "Job role", *(course.name for course in matrix.courses)])
    for row in matrix.rows:
        cells = [
            f"{c.label} (expires {c.expires_on.isoformat()})"
            if c.expires_on is not None and c.status in ("current", "expiring", "expired")
            else c.label
            for c in row.cells
        ]
        writer.writerow([_safe_csv(row.name), role_label(row.job_role), *cells])
    return out.getvalue()


def _safe_csv(text: str) -> str:
    """A leading = + - @ would make a spreadsheet run the cell as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


# ---- PDF --------------------------------------------------------------------------------


def _legend(matrix: TrainingMatrix) -> Table:
    style = styles()["small"]
    meaning = {
        "current": "completed and in date",
        "expiring": f"expires within {matrix.expiring_within_days} days",
        "expired": "past its expiry date: renew",
        "missing": "required for the role, never completed",
        "not required": "not required for the role",
    }
    note = "The date under a status is the expiry date."
    data = [[Paragraph(f"<b>{LABELS[s]}</b>", style) for s in LABELS]]
    data.append([Paragraph(meaning[s], style) for s in LABELS])
    data[1][-1] = Paragraph(f"{meaning['not required']}. {note}", style)
    table = Table(data, colWidths=[4.6 * cm] * len(LABELS), hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for column, status in enumerate(LABELS):
        commands.append(("BACKGROUND", (column, 0), (column, 0), FILLS[status]))
    table.setStyle(TableStyle(commands))
    return table


def _header_size(names: Iterable[str], inner_width: float) -> float:
    """The largest header size (7.5 pt down to 6) at which every word fits its column, so
    course names wrap between words (or after a hyphen), not inside them."""
    words = [part for name in names for word in name.split() for part in word.split("-")]
    widest = max((stringWidth(word + "-", BOLD, 7.5) for word in words), default=0)
    if widest <= inner_width:
        return 7.5
    return max(6.0, round(7.5 * inner_width / widest - 0.05, 1))


def _grid(
    matrix: TrainingMatrix, first: int, courses: tuple[CourseRow, ...], width: float
) -> Table:
    sheet = styles()
    name_style = sheet["cell"].clone("Name", fontSize=8, leading=9.5)
    cell_style = sheet["cell"].clone("Status", fontSize=7.5, leading=9)
    name_width = 4.6 * cm
    course_width = min(3.2 * cm, (width - name_width) / max(1, len(courses)))
    size = _header_size([course.name for course in courses], course_width - 2 * PADDING)
    header = sheet["cellbold"].clone(
        "Header", fontSize=size, leading=size + 1.5, embeddedHyphenation=1, splitLongWords=1
    )
    data: list[list[Any]] = [
        [Paragraph("Staff member", header)]
        + [Paragraph(escape(course.name), header) for course in courses]
    ]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4e9ef")),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
    ]
    for y, row in enumerate(matrix.rows, start=1):
        name = f"{escape(row.name)}<br/><font size='6.5' color='#52606d'>"
        name += f"{role_label(row.job_role)}</font>"
        line: list[Any] = [Paragraph(name, name_style)]
        for x, cell in enumerate(row.cells[first : first + len(courses)], start=1):
            text = f"<b>{cell.label}</b>" if cell.status != "not required" else cell.label
            if cell.expires_on is not None and cell.status != "not required":
                text += f"<br/><font size='6.5'>{cell.expires_on:%d/%m/%Y}</font>"
            line.append(Paragraph(text, cell_style))
            commands.append(("BACKGROUND", (x, y), (x, y), FILLS[cell.status]))
        data.append(line)
    table = Table(
        data,
        colWidths=[name_width] + [course_width] * len(courses),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(TableStyle(commands))
    return table


def matrix_pdf(matrix: TrainingMatrix) -> bytes:
    buffer = io.BytesIO()
    title = f"Training matrix: {matrix.site_name}"
    doc = MarkedDocument(
        buffer,
        running_title=f"{title}, {matrix.on:%d %b %Y}",
        title=title,
        author="PIPE Desk",
        subject="Staff training status",
        pagesize=PAGE,
    )
    sheet = styles()
    story: list[Any] = [doc.counter, Paragraph(escape(title), sheet["h1"])]
    roles = ", ".join(role_label(r) for r in sorted(matrix.job_roles)) or "all job roles"
    summary = (
        f"As at {matrix.on:%d %B %Y}: {len(matrix.rows)} staff ({roles}), "
        f"{len(matrix.courses)} courses. {matrix.count('expired')} expired, "
        f"{matrix.count('missing')} missing, {matrix.count('expiring')} expiring within "
        f"{matrix.expiring_within_days} days."
    )
    story += [Paragraph(escape(summary), sheet["body"]), Spacer(0, 3 * mm), _legend(matrix)]
    story.append(Spacer(0, 5 * mm))
    if not matrix.rows or not matrix.courses:
        story.append(Paragraph("No staff or courses match.", sheet["body"]))
    chunks = range(0, len(matrix.courses), COURSES_PER_TABLE)
    for number, first in enumerate(chunks):
        courses = matrix.courses[first : first + COURSES_PER_TABLE]
        if len(chunks) > 1:
            if number:
                story.append(PageBreak())
            last = first + len(courses)
            story.append(
                Paragraph(f"Courses {first + 1} to {last} of {len(matrix.courses)}", sheet["h2"])
            )
        if matrix.rows:
            story.append(_grid(matrix, first, courses, doc.width))
    doc.build_laid_out(story)
    return buffer.getvalue()


def export(matrix: TrainingMatrix, path: Path) -> None:
    """CSV or PDF by the file's suffix, written whole or not at all."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomically(path, matrix_csv(matrix).encode("utf-8-sig"))
    elif suffix == ".pdf":
        write_atomically(path, matrix_pdf(matrix))
    else:
        raise ValidationError.single("output", "must end in .csv or .pdf")
