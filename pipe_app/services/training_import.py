"""Import training records from a learning system's CSV export: preview every row, then commit.

The preview shows each row as it would be stored, or what is wrong with it (by line number),
so a manager can fix the file before anything is written. A commit writes every valid row in
one transaction through TrainingService's own checks and permissions, and by default refuses
the whole file if any row has a problem.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pipe_app.domain import StaffMember, TrainingCourse, TrainingRecord
from pipe_app.services.base import Service
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.permissions import Permission
from pipe_app.services.training import (
    MAX_HOURS,
    TrainingRecordInput,
    TrainingRecordRow,
    TrainingService,
    expiry_for,
)

MAX_ROWS = 20000
MAX_BYTES = 20 * 1024 * 1024

# Column headings learning systems use, after lower-casing and squashing punctuation.
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("staff email", "email", "email address", "learner email", "user email"),
    "name": ("staff name", "name", "full name", "learner", "learner name", "user", "staff"),
    "code": ("course code", "code", "module code", "course id"),
    "course": ("course name", "course", "course title", "module", "module name", "title"),
    "date": ("completion date", "completed", "completed on", "date completed", "date"),
    "hours": ("hours", "duration hours", "cpd hours", "duration"),
    "notes": ("notes", "comments", "comment"),
}


@dataclass(frozen=True)
class ImportRow:
    """One line of the file: what would be stored, or ``error`` saying why it cannot be."""

    line: int
    staff_member_id: uuid.UUID | None
    staff_name: str
    course_id: uuid.UUID | None
    course_name: str
    completed_on: date | None
    hours: float
    notes: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ImportPreview:
    file_name: str
    rows: tuple[ImportRow, ...]

    @property
    def valid(self) -> tuple[ImportRow, ...]:
        return tuple(row for row in self.rows if row.ok)

    @property
    def errors(self) -> tuple[ImportRow, ...]:
        return tuple(row for row in self.rows if not row.ok)

    @property
    def has_errors(self) -> bool:
        return any(not row.ok for row in self.rows)


def _key(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


def _columns(headings: Iterable[str]) -> dict[str, str]:
    """Our field -> the file's heading for it."""
    found: dict[str, str] = {}
    by_key = {_key(heading): heading for heading in headings if heading}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in by_key:
                found[field] = by_key[alias]
                break
    return found


def parse_day(text: str) -> date:
    """YYYY-MM-DD or DD/MM/YYYY (UK order, as learning systems export for UK users)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"completion date {text!r} is not a date like 2026-03-31 or 31/03/2026")


def parse_hours(text: str) -> float:
    if not text:
        return 0.0
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"hours {text!r} is not a number") from None
    if not 0 <= value <= MAX_HOURS:
        raise ValueError(f"hours {text} is out of range: give 0 to {MAX_HOURS}")
    return round(value, 1)


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Headings and (line number, row); ``utf-8-sig`` so a spreadsheet's BOM is ignored."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ValidationError.single("file", f"cannot be read: {exc.strerror or exc}") from None
    if size > MAX_BYTES:
        raise ValidationError.single("file", f"is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            headings = list(reader.fieldnames or [])
            rows: list[tuple[int, dict[str, str]]] = []
            for row in reader:
                if len(rows) >= MAX_ROWS:
                    raise ValidationError.single("file", f"has more than {MAX_ROWS} rows")
                values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
                if any(values.values()):
                    rows.append((reader.line_num, values))
    except UnicodeDecodeError:
        raise ValidationError.single("file", "is not UTF-8 text (save it as CSV UTF-8)") from None
    except csv.Error as exc:
        raise ValidationError.single("file", f"is not a readable CSV file: {exc}") from None
    return headings, rows


class _Directory:
    """The staff and courses a file may name, loaded once (not per row)."""

    def __init__(self, session: Session, service: TrainingImportService) -> None:
        self.training = service._training()
        members = session.scalars(
            select(StaffMember)
            .where(StaffMember.archived_at.is_(None))
            .options(selectinload(StaffMember.site_links))
        ).all()
        self.readable = [m for m in members if service._sites_of(m, Permission.STAFF_READ)]
        self.by_email = {m.email.lower(): m for m in self.readable if m.email}
        self.by_name: dict[str, list[StaffMember]] = {}
        for member in self.readable:
            self.by_name.setdefault(_key(member.full_name), []).append(member)
        courses = session.scalars(
            select(TrainingCourse).where(TrainingCourse.archived_at.is_(None))
        ).all()
        self.by_code = {c.code.lower(): c for c in courses}
        self.by_course_name = {_key(c.name): c for c in courses}
        existing = session.execute(
            select(
                TrainingRecord.staff_member_id,
                TrainingRecord.course_id,
                TrainingRecord.completed_on,
            ).where(TrainingRecord.archived_at.is_(None))
        ).all()
        self.existing = {(row[0], row[1], row[2]) for row in existing}

    def staff(self, email: str, name: str) -> StaffMember:
        if email:
            found = self.by_email.get(email.lower())
            if found is None:
                raise ValueError(f"unknown staff: no member of staff has the email {email}")
            return found
        if not name:
            raise ValueError("missing value: give the staff email or name")
        matches = self.by_name.get(_key(name), [])
        if not matches:
            raise ValueError(f"unknown staff: no member of staff is called {name}")
        if len(matches) > 1:
            raise ValueError(f"{len(matches)} members of staff are called {name}; use the email")
        return matches[0]

    def course(self, code: str, name: str) -> TrainingCourse:
        if code:
            found = self.by_code.get(code.lower())
            if found is None:
                raise ValueError(f"unknown course: no current course has the code {code}")
            return found
        if not name:
            raise ValueError("missing value: give the course code or name")
        found = self.by_course_name.get(_key(name))
        if found is None:
            raise ValueError(f"unknown course: no current course is called {name}")
        return found


class TrainingImportService(Service):
    def _training(self) -> TrainingService:
        return TrainingService(self.db, self.actor)

    def _sites_of(self, member: StaffMember, permission: Permission) -> bool:
        sites = {link.site_id for link in member.site_links if link.archived_at is None}
        return any(self.actor.can(permission, site) for site in sites)

    def preview(self, path: Path | str) -> ImportPreview:
        """Every row as it would be stored, or its problem; nothing is written."""
        self.actor.require(Permission.TRAINING_WRITE)
        path = Path(path)
        headings, raw_rows = _read(path)
        columns = _columns(headings)
        missing = [
            label
            for label, fields in (
                ("staff email or staff name", ("email", "name")),
                ("course code or course name", ("code", "course")),
                ("completion date", ("date",)),
            )
            if not any(field in columns for field in fields)
        ]
        if missing:
            return ImportPreview(
                path.name,
                (ImportRow(1, None, "", None, "", None, 0.0, "", f"missing column: {missing[0]}"),),
            )
        with self._reading() as session:
            directory = _Directory(session, self)
            seen: dict[tuple[uuid.UUID, uuid.UUID, date], int] = {}
            rows = [self._row(directory, seen, line, row, columns) for line, row in raw_rows]
        return ImportPreview(path.name, tuple(rows))

    def _row(
        self,
        directory: _Directory,
        seen: dict[tuple[uuid.UUID, uuid.UUID, date], int],
        line: int,
        raw: dict[str, str],
        columns: dict[str, str],
    ) -> ImportRow:
        def get(field: str) -> str:
            return raw.get(columns[field], "") if field in columns else ""

        staff_text = get("email") or get("name")
        course_text = get("code") or get("course")
        notes = get("notes")
        try:
            member = directory.staff(get("email"), get("name"))
            course = directory.course(get("code"), get("course"))
        except ValueError as exc:
            return ImportRow(line, None, staff_text, None, course_text, None, 0.0, notes, str(exc))
        base = ImportRow(line, member.id, member.full_name, course.id, course.name, None, 0, notes)

        def failed(message: str, day: date | None = None, hours: float = 0.0) -> ImportRow:
            return replace(base, completed_on=day, hours=hours, error=message)

        if not get("date"):
            return failed("missing value: completion date")
        try:
            day = parse_day(get("date"))
            hours = parse_hours(get("hours"))
        except ValueError as exc:
            return failed(str(exc))
        if not self._sites_of(member, Permission.TRAINING_WRITE):
            return failed("you may not record training for staff at other sites", day, hours)
        try:
            directory.training._record_values(
                TrainingRecordInput(member.id, course.id, day, hours, notes)
            )
        except ValidationError as exc:
            return failed(str(exc), day, hours)
        key = (member.id, course.id, day)
        if key in directory.existing:
            return failed("duplicate: this completion is already recorded", day, hours)
        if key in seen:
            return failed(f"duplicate of line {seen[key]} in this file", day, hours)
        seen[key] = line
        return replace(base, completed_on=day, hours=hours)

    def commit(self, preview: ImportPreview, only_valid: bool = False) -> list[TrainingRecordRow]:
        """Write the valid rows in one transaction; with any error and not ``only_valid``,
        nothing. Each row is checked again as TrainingService.record checks it."""
        self.actor.require(Permission.TRAINING_WRITE)
        errors = preview.errors
        if errors and not only_valid:
            raise ValidationError.single(
                "file",
                f"{len(errors)} of {len(preview.rows)} rows have errors (first: line "
                f"{errors[0].line}: {errors[0].error}); nothing was imported",
            )
        training = self._training()
        written: list[TrainingRecordRow] = []
        with self._writing() as session:
            for row in preview.valid:
                assert row.staff_member_id is not None and row.course_id is not None
                assert row.completed_on is not None
                data = TrainingRecordInput(
                    row.staff_member_id, row.course_id, row.completed_on, row.hours, row.notes
                )
                try:
                    values = training._record_values(data)
                    member, course = training._resolve(session, values)
                    training._require_write_for(member)
                    self._refuse_duplicate(session, data)
                except ValidationError as exc:
                    raise ValidationError.single(f"line {row.line}", str(exc)) from None
                except PermissionDenied as exc:
                    raise PermissionDenied(f"line {row.line}: {exc}") from None
                record = TrainingRecord(**values)
                record.expires_on = expiry_for(data.completed_on, course.renewal_months)
                session.add(record)
                session.flush()
                written.append(
                    TrainingRecordRow(
                        record.id,
                        record.version,
                        member.id,
                        member.full_name,
                        course.id,
                        course.name,
                        record.completed_on,
                        record.expires_on,
                        float(record.hours),
                        record.notes,
                        None,
                    )
                )
        return written

    @staticmethod
    def _refuse_duplicate(session: Session, data: TrainingRecordInput) -> None:
        """Someone may have recorded the same completion since the preview."""
        clash = session.scalar(
            select(TrainingRecord.id).where(
                TrainingRecord.staff_member_id == data.staff_member_id,
                TrainingRecord.course_id == data.course_id,
                TrainingRecord.completed_on == data.completed_on,
                TrainingRecord.archived_at.is_(None),
            )
        )
        if clash is not None:
            raise ValidationError.single("completed_on", "this completion is already recorded")
