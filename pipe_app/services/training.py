"""Training courses, staff training records, and whether each person is up to date.

A course that must be renewed gives each record an expiry date (completion plus the renewal
months). Training is valid up to the day before ``expires_on``: on that day it has expired.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal, NamedTuple, Protocol

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from pipe_app.domain import (
    Attachment,
    Site,
    StaffMember,
    StaffSite,
    TrainingCourse,
    TrainingRecord,
)
from pipe_app.domain.enums import StaffRole
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound, PermissionDenied
from pipe_app.services.evidence import (
    AttachmentRow,
    attachment_row,
    checked_file,
    new_attachment,
)
from pipe_app.services.ordering import Order, SortColumns, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.sites import site_row, site_settings
from pipe_app.services.text_match import holds
from pipe_app.services.validation import Checks
from pipe_app.timeutil import add_months, local_today, utc_now

EXPIRING_WITHIN_DAYS = 60
MAX_RENEWAL_MONTHS = 120
MAX_HOURS = 500

Status = Literal["current", "expiring", "expired", "missing", "not required"]
RecordStatus = Literal["current", "expiring", "expired"]


class TrainingSort(StrEnum):
    STAFF = "staff"
    COURSE = "course"
    COMPLETED = "completed"
    EXPIRES = "expires"
    HOURS = "hours"


TrainingOrder = Order[TrainingSort]
BY_STAFF = TrainingOrder(TrainingSort.STAFF)
_SORTS: dict[TrainingSort, SortColumns] = {
    TrainingSort.STAFF: (
        func.lower(StaffMember.family_name),
        func.lower(StaffMember.given_name),
        func.lower(TrainingCourse.name),
    ),
    TrainingSort.COURSE: (func.lower(TrainingCourse.name),),
    TrainingSort.COMPLETED: (TrainingRecord.completed_on,),
    # Records that never expire sort after every date.
    TrainingSort.EXPIRES: (TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on),
    TrainingSort.HOURS: (TrainingRecord.hours,),
}


def expiry_for(completed_on: date, renewal_months: int | None) -> date | None:
    return None if renewal_months is None else add_months(completed_on, renewal_months)


def training_status(
    record_expires_on: date | None, on: date, expiring_within_days: int = EXPIRING_WITHIN_DAYS
) -> Literal["current", "expiring", "expired"]:
    """A record's state on a day: expired from its expiry date, expiring in the days before."""
    if record_expires_on is None:
        return "current"
    days_left = (record_expires_on - on).days
    if days_left <= 0:
        return "expired"
    if days_left <= expiring_within_days:
        return "expiring"
    return "current"


@dataclass(frozen=True)
class CourseInput:
    code: str
    name: str
    provider: str = ""
    description: str = ""
    renewal_months: int | None = None
    mandatory_for: frozenset[StaffRole | str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class CourseRow:
    id: uuid.UUID
    version: int
    code: str
    name: str
    provider: str
    description: str
    renewal_months: int | None
    mandatory_for: frozenset[StaffRole]
    archived: bool


@dataclass(frozen=True)
class TrainingRecordInput:
    staff_member_id: uuid.UUID
    course_id: uuid.UUID
    completed_on: date
    hours: float = 0
    notes: str = ""
    certificate_attachment_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TrainingRecordRow:
    id: uuid.UUID
    version: int
    staff_member_id: uuid.UUID
    staff_name: str
    course_id: uuid.UUID
    course_name: str
    completed_on: date
    expires_on: date | None
    hours: float
    notes: str
    certificate_attachment_id: uuid.UUID | None

    def status_on(self, day: date) -> Literal["current", "expiring", "expired"]:
        return training_status(self.expires_on, day)


@dataclass(frozen=True)
class StaffTrainingStatus:
    """One cell of the training matrix: a person against a course."""

    staff_member_id: uuid.UUID
    course_id: uuid.UUID
    required: bool
    status: Status
    record_id: uuid.UUID | None = None
    completed_on: date | None = None
    expires_on: date | None = None


class Completion(Protocol):
    """What the matrix needs of a training record (a ``TrainingRecordRow`` is one)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def staff_member_id(self) -> uuid.UUID: ...

    @property
    def course_id(self) -> uuid.UUID: ...

    @property
    def completed_on(self) -> date: ...

    @property
    def expires_on(self) -> date | None: ...


class _Completion(NamedTuple):
    id: uuid.UUID
    staff_member_id: uuid.UUID
    course_id: uuid.UUID
    completed_on: date
    expires_on: date | None


@dataclass(frozen=True)
class SheetMember:
    """A member of staff as a matrix row names them."""

    id: uuid.UUID
    name: str
    job_role: StaffRole


@dataclass(frozen=True)
class TrainingSheet:
    """A site's matrix from one read: the current courses (by name), the staff working there
    on the day (by family then given name) and a cell for each person against each course,
    person by person in that order."""

    expiring_within_days: int
    courses: list[CourseRow]
    members: list[SheetMember]
    cells: list[StaffTrainingStatus]


def staff_training_status(
    staff_member_id: uuid.UUID,
    job_role: StaffRole,
    course: CourseRow,
    records: Iterable[Completion],
    on: date,
    expiring_within_days: int = EXPIRING_WITHIN_DAYS,
) -> StaffTrainingStatus:
    """The latest completion decides; with none, a mandatory course is missing."""
    required = job_role in course.mandatory_for
    mine = [r for r in records if r.staff_member_id == staff_member_id and r.course_id == course.id]
    if not mine:
        return StaffTrainingStatus(
            staff_member_id, course.id, required, "missing" if required else "not required"
        )
    # Of records alike in both dates the one with the lowest id, whatever order they come in.
    latest = max(
        sorted(mine, key=lambda r: r.id), key=lambda r: (r.completed_on, r.expires_on or date.max)
    )
    return StaffTrainingStatus(
        staff_member_id,
        course.id,
        required,
        training_status(latest.expires_on, on, expiring_within_days),
        latest.id,
        latest.completed_on,
        latest.expires_on,
    )


def course_row(course: TrainingCourse) -> CourseRow:
    return CourseRow(
        course.id,
        course.version,
        course.code,
        course.name,
        course.provider,
        course.description,
        course.renewal_months,
        frozenset(StaffRole(role) for role in course.mandatory_for),
        course.archived_at is not None,
    )


# What a listed record shows, read as plain columns: building ORM entities for every record of
# a site costs several times the query itself. Writes, which hold the entities, use _record_row.
_RECORD_COLUMNS = (
    TrainingRecord.id,
    TrainingRecord.version,
    TrainingRecord.staff_member_id,
    StaffMember.given_name,
    StaffMember.family_name,
    TrainingRecord.course_id,
    TrainingCourse.name,
    TrainingRecord.completed_on,
    TrainingRecord.expires_on,
    TrainingRecord.hours,
    TrainingRecord.notes,
    TrainingRecord.certificate_attachment_id,
)


def _listed_row(values: Sequence[Any]) -> TrainingRecordRow:
    """A row of ``_RECORD_COLUMNS``, as ``_record_row`` makes it from the entities."""
    (
        record_id,
        version,
        member_id,
        given_name,
        family_name,
        course_id,
        course_name,
        completed_on,
        expires_on,
        hours,
        notes,
        certificate_id,
    ) = values
    return TrainingRecordRow(
        record_id,
        version,
        member_id,
        f"{given_name} {family_name}",
        course_id,
        course_name,
        completed_on,
        expires_on,
        float(hours),
        notes,
        certificate_id,
    )


def _record_row(
    record: TrainingRecord, member: StaffMember, course: TrainingCourse
) -> TrainingRecordRow:
    return TrainingRecordRow(
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
        record.certificate_attachment_id,
    )


def _hours(checks: Checks, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        checks.fail("hours", "must be a number of hours")
        return 0.0
    if not 0 <= value <= MAX_HOURS:
        checks.fail("hours", f"must be between 0 and {MAX_HOURS}")
    return round(float(value), 1)


class TrainingService(Service):
    # ---- courses -----------------------------------------------------------------------

    def courses(self, *, include_archived: bool = False) -> list[CourseRow]:
        self.actor.require(Permission.STAFF_READ)
        with self._reading() as session:
            return self._course_rows(session, include_archived=include_archived)

    @staticmethod
    def _course_rows(session: Session, *, include_archived: bool = False) -> list[CourseRow]:
        query = select(TrainingCourse).order_by(func.lower(TrainingCourse.name))
        if not include_archived:
            query = query.where(TrainingCourse.archived_at.is_(None))
        return [course_row(course) for course in session.scalars(query)]

    def _course_values(self, data: CourseInput) -> dict[str, object]:
        checks = Checks()
        values: dict[str, object] = {
            "code": checks.text("code", data.code, max_length=40).upper(),
            "name": checks.text("name", data.name, max_length=160),
            "provider": checks.text("provider", data.provider, max_length=160, required=False),
            "description": checks.text(
                "description", data.description, max_length=4000, required=False
            ),
            "renewal_months": None,
        }
        if data.renewal_months is not None:
            values["renewal_months"] = checks.whole(
                "renewal_months", data.renewal_months, low=1, high=MAX_RENEWAL_MONTHS
            )
        roles = [
            checks.choice("mandatory_for", role, StaffRole) for role in data.mandatory_for or ()
        ]
        values["mandatory_for"] = sorted({role.value for role in roles if role is not None})
        checks.raise_if_any()
        return values

    @staticmethod
    def _check_unique(session: Session, values: dict[str, object], own: uuid.UUID | None) -> None:
        checks = Checks()
        for key in ("name", "code"):
            column = getattr(TrainingCourse, key)
            clash = session.scalars(
                select(TrainingCourse).where(
                    func.lower(column) == str(values[key]).lower(), TrainingCourse.id != own
                )
            ).first()
            if clash is not None:
                archived = " (archived)" if clash.archived_at is not None else ""
                checks.fail(key, f"is already used by the course {clash.name!r}{archived}")
        checks.raise_if_any()

    def create_course(self, data: CourseInput) -> CourseRow:
        values = self._course_values(data)
        self.actor.require(Permission.COURSE_MANAGE)
        with self._writing() as session:
            self._check_unique(session, values, None)
            course = TrainingCourse(**values)
            session.add(course)
            session.flush()
            return course_row(course)

    def update_course(self, course_id: uuid.UUID, version: int, data: CourseInput) -> CourseRow:
        """Changing the renewal period applies to records written from now on."""
        values = self._course_values(data)
        self.actor.require(Permission.COURSE_MANAGE)
        with self._writing() as session:
            course = get_live(session, TrainingCourse, course_id, "course")
            check_version(course, version)
            self._check_unique(session, values, course.id)
            for key, value in values.items():
                setattr(course, key, value)
            session.flush()
            return course_row(course)

    def archive_course(self, course_id: uuid.UUID, version: int) -> None:
        self.actor.require(Permission.COURSE_MANAGE)
        with self._writing() as session:
            course = get_live(session, TrainingCourse, course_id, "course")
            check_version(course, version)
            course.archived_at = utc_now()

    # ---- records -----------------------------------------------------------------------

    def _visible_sites(self, site_id: uuid.UUID | None) -> list[uuid.UUID] | None:
        """Sites whose staff the actor may see (None: every site, for the app itself)."""
        if site_id is not None:
            self.actor.require(Permission.STAFF_READ, site_id)
            return [site_id]
        self.actor.require(Permission.STAFF_READ)
        return None if self.actor.is_system else sorted(self.actor.site_ids)

    @staticmethod
    def _staff_sites(member: StaffMember) -> set[uuid.UUID]:
        return {link.site_id for link in member.site_links if link.archived_at is None}

    def _require_write_for(self, member: StaffMember) -> None:
        self.actor.require(Permission.TRAINING_WRITE)
        sites = self._staff_sites(member)
        if not any(self.actor.can(Permission.TRAINING_WRITE, site) for site in sites):
            raise PermissionDenied("you may not record training for staff at other sites")

    def _record_values(self, data: TrainingRecordInput) -> dict[str, object]:
        checks = Checks()
        completed = checks.day("completed_on", data.completed_on)
        if completed is not None and completed > local_today():
            checks.fail("completed_on", "cannot be in the future")
        values: dict[str, object] = {
            "staff_member_id": data.staff_member_id,
            "course_id": data.course_id,
            "completed_on": completed,
            "hours": _hours(checks, data.hours),
            "notes": checks.text("notes", data.notes, max_length=4000, required=False),
            "certificate_attachment_id": data.certificate_attachment_id,
        }
        checks.raise_if_any()
        return values

    def _resolve(
        self, session: Session, values: dict[str, object]
    ) -> tuple[StaffMember, TrainingCourse]:
        checks = Checks()
        member = session.get(StaffMember, values["staff_member_id"])
        if member is None or member.archived_at is not None:
            checks.fail("staff_member_id", "is not a current member of staff")
        course = session.get(TrainingCourse, values["course_id"])
        if course is None or course.archived_at is not None:
            checks.fail("course_id", "is not a current training course")
        certificate = values["certificate_attachment_id"]
        if certificate is not None:
            attachment = session.get(Attachment, certificate)
            if attachment is None or attachment.archived_at is not None:
                checks.fail("certificate_attachment_id", "is not a stored file")
            elif attachment.evidence_item_id is not None:
                checks.fail("certificate_attachment_id", "belongs to an evidence item")
        checks.raise_if_any()
        assert member is not None and course is not None
        return member, course

    def record(self, data: TrainingRecordInput) -> TrainingRecordRow:
        values = self._record_values(data)
        with self._writing() as session:
            member, course = self._resolve(session, values)
            self._require_write_for(member)
            record = TrainingRecord(**values)
            record.expires_on = expiry_for(data.completed_on, course.renewal_months)
            session.add(record)
            session.flush()
            return _record_row(record, member, course)

    def update(
        self, record_id: uuid.UUID, version: int, data: TrainingRecordInput
    ) -> TrainingRecordRow:
        """The expiry is worked out again from the course's current renewal period."""
        values = self._record_values(data)
        with self._writing() as session:
            record = get_live(session, TrainingRecord, record_id, "training record")
            self._require_write_for(session.get_one(StaffMember, record.staff_member_id))
            check_version(record, version)
            member, course = self._resolve(session, values)
            self._require_write_for(member)
            for key, value in values.items():
                setattr(record, key, value)
            record.expires_on = expiry_for(data.completed_on, course.renewal_months)
            session.flush()
            return _record_row(record, member, course)

    def archive(self, record_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            record = get_live(session, TrainingRecord, record_id, "training record")
            self._require_write_for(session.get_one(StaffMember, record.staff_member_id))
            check_version(record, version)
            record.archived_at = utc_now()

    def attach_certificate(
        self,
        record_id: uuid.UUID,
        version: int,
        file_name: str,
        media_type: str,
        content: bytes,
    ) -> TrainingRecordRow:
        """Store the certificate file with the record (it replaces any earlier one)."""
        name, media = checked_file(file_name, media_type, content)
        with self._writing() as session:
            record = get_live(session, TrainingRecord, record_id, "training record")
            member = session.get_one(StaffMember, record.staff_member_id)
            self._require_write_for(member)
            check_version(record, version)
            attachment = new_attachment(None, name, media, content)
            session.add(attachment)
            session.flush()
            record.certificate_attachment_id = attachment.id
            session.flush()
            return _record_row(record, member, session.get_one(TrainingCourse, record.course_id))

    def certificate(self, record_id: uuid.UUID) -> AttachmentRow | None:
        """The certificate's name, type and size (not its bytes); None when there is none."""
        row = self.get(record_id)
        if row.certificate_attachment_id is None:
            return None
        with self._reading() as session:
            attachment = session.get(Attachment, row.certificate_attachment_id)
            return attachment_row(attachment) if attachment is not None else None

    def certificate_content(self, record_id: uuid.UUID) -> bytes:
        row = self.get(record_id)
        if row.certificate_attachment_id is None:
            raise NotFound("that training record has no certificate")
        with self._reading() as session:
            content = session.scalar(
                select(Attachment.content).where(Attachment.id == row.certificate_attachment_id)
            )
        if content is None:
            raise NotFound("the certificate file is missing")
        return content

    @staticmethod
    def _records_query(sites: list[uuid.UUID] | None) -> Select[*tuple[Any, ...]]:
        """``_RECORD_COLUMNS`` of the live records of live staff (at ``sites`` unless None)."""
        query = (
            select(*_RECORD_COLUMNS)
            .join(StaffMember, StaffMember.id == TrainingRecord.staff_member_id)
            .join(TrainingCourse, TrainingCourse.id == TrainingRecord.course_id)
            .where(TrainingRecord.archived_at.is_(None), StaffMember.archived_at.is_(None))
        )
        if sites is not None:  # as a list of staff: read through the records' staff index
            query = query.where(
                TrainingRecord.staff_member_id.in_(
                    select(StaffSite.staff_member_id).where(
                        StaffSite.archived_at.is_(None), StaffSite.site_id.in_(sites)
                    )
                )
            )
        return query

    def _record_conditions(
        self,
        staff_member_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        completed_from: date | None,
        completed_to: date | None,
        status: RecordStatus | None,
        search: str,
    ) -> list[ColumnElement[bool]]:
        """The filters in SQL; ``status`` as on today (the same rule as ``training_status``)."""
        record = TrainingRecord
        conditions: list[ColumnElement[bool]] = []
        if staff_member_id is not None:
            conditions.append(record.staff_member_id == staff_member_id)
        if course_id is not None:
            conditions.append(record.course_id == course_id)
        if completed_from is not None:
            conditions.append(record.completed_on >= completed_from)
        if completed_to is not None:
            conditions.append(record.completed_on <= completed_to)
        today = local_today()
        warning = today + timedelta(days=EXPIRING_WITHIN_DAYS)
        if status == "expired":
            conditions.append(record.expires_on <= today)
        elif status == "expiring":
            conditions.append(and_(record.expires_on > today, record.expires_on <= warning))
        elif status == "current":
            conditions.append(or_(record.expires_on.is_(None), record.expires_on > warning))
        text = search.strip().lower()
        if text:
            columns = (StaffMember.given_name, StaffMember.family_name, TrainingCourse.name)
            conditions.append(or_(*(holds(column, text, self.db.is_sqlite) for column in columns)))
        return conditions

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        staff_member_id: uuid.UUID | None = None,
        course_id: uuid.UUID | None = None,
        completed_from: date | None = None,
        completed_to: date | None = None,
        status: RecordStatus | None = None,
        search: str = "",
        order: TrainingOrder | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[TrainingRecordRow]:
        """Every matching record unless ``limit`` is given. Without ``order``: by staff name,
        course, newest completion first; ties in any order broken by id."""
        query = self._records_query(self._visible_sites(site_id)).where(
            *self._record_conditions(
                staff_member_id, course_id, completed_from, completed_to, status, search
            )
        )
        if order is None:
            query = query.order_by(
                StaffMember.family_name,
                StaffMember.given_name,
                TrainingCourse.name,
                TrainingRecord.completed_on.desc(),
                TrainingRecord.id,
            )
        else:
            query = query.order_by(*order_clauses(order, _SORTS, TrainingRecord.id))
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._reading() as session:
            return [_listed_row(values) for values in session.execute(query)]

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        staff_member_id: uuid.UUID | None = None,
        course_id: uuid.UUID | None = None,
        completed_from: date | None = None,
        completed_to: date | None = None,
        status: RecordStatus | None = None,
        search: str = "",
    ) -> int:
        """How many records ``rows`` gives with the same filters."""
        query = self._records_query(self._visible_sites(site_id)).where(
            *self._record_conditions(
                staff_member_id, course_id, completed_from, completed_to, status, search
            )
        )
        counted = query.with_only_columns(func.count(TrainingRecord.id))
        with self._reading() as session:
            return int(session.scalar(counted) or 0)

    def lapsing(
        self, on: date, within_days: int, *, staff_member_id: uuid.UUID | None = None
    ) -> list[TrainingRecordRow]:
        """Each person's newest record of a course (as the matrix picks it) that has expired by
        ``on`` or expires within ``within_days`` after it; older, renewed records are left out.
        Soonest expiry first. Selected in SQL, so only these few rows are read."""
        newer = aliased(TrainingRecord)
        mine, it = TrainingRecord, newer
        renewed = exists().where(
            it.staff_member_id == mine.staff_member_id,
            it.course_id == mine.course_id,
            it.archived_at.is_(None),
            or_(
                it.completed_on > mine.completed_on,
                and_(
                    it.completed_on == mine.completed_on,
                    or_(
                        it.expires_on.is_(None),
                        it.expires_on > mine.expires_on,
                        and_(it.expires_on == mine.expires_on, it.id > mine.id),
                    ),
                ),
            ),
        )
        query = self._records_query(self._visible_sites(None)).where(
            mine.expires_on <= on + timedelta(days=within_days), ~renewed
        )
        if staff_member_id is not None:
            query = query.where(mine.staff_member_id == staff_member_id)
        query = query.order_by(mine.expires_on, StaffMember.family_name, TrainingCourse.name)
        with self._reading() as session:
            return [_listed_row(values) for values in session.execute(query)]

    def get(self, record_id: uuid.UUID) -> TrainingRecordRow:
        query = self._records_query(self._visible_sites(None)).where(TrainingRecord.id == record_id)
        with self._reading() as session:
            found = session.execute(query).first()
        if found is None:
            raise NotFound("that training record does not exist or is not at your sites")
        return _listed_row(found)

    def matrix(
        self, site_id: uuid.UUID, on: date | None = None, expiring_within_days: int | None = None
    ) -> list[StaffTrainingStatus]:
        """Every current member of staff at the site against every current course.

        "Expiring" uses the site's training warning setting unless a number of days is given.
        """
        return self.sheet(site_id, on, expiring_within_days).cells

    def sheet(
        self, site_id: uuid.UUID, on: date | None = None, expiring_within_days: int | None = None
    ) -> TrainingSheet:
        """``matrix`` with the courses and staff it runs over, in one read of four queries at
        most (the site only when no number of days is given)."""
        day = on or local_today()
        self._visible_sites(site_id)
        with self._reading() as session:
            if expiring_within_days is None:
                site = site_row(get_live(session, Site, site_id, "site"))
                expiring_within_days = site_settings(site).training_warning_days
            courses = self._course_rows(session)
            members_query = (
                select(
                    StaffMember.id,
                    StaffMember.given_name,
                    StaffMember.family_name,
                    StaffMember.job_role,
                )
                .join(StaffSite, StaffSite.staff_member_id == StaffMember.id)
                .where(
                    StaffSite.site_id == site_id,
                    StaffSite.archived_at.is_(None),
                    StaffMember.archived_at.is_(None),
                    StaffMember.start_date <= day,
                    or_(StaffMember.end_date.is_(None), StaffMember.end_date >= day),
                )
            )
            members = [
                SheetMember(member_id, f"{given_name} {family_name}", role)
                for member_id, given_name, family_name, role in session.execute(
                    members_query.order_by(StaffMember.family_name, StaffMember.given_name)
                )
            ]
            # Only what a cell needs, of the records of those members (read by the records'
            # staff index), and no entity built for them.
            completions = session.execute(
                select(
                    TrainingRecord.id,
                    TrainingRecord.staff_member_id,
                    TrainingRecord.course_id,
                    TrainingRecord.completed_on,
                    TrainingRecord.expires_on,
                ).where(
                    TrainingRecord.archived_at.is_(None),
                    TrainingRecord.staff_member_id.in_(
                        members_query.with_only_columns(StaffMember.id).scalar_subquery()
                    ),
                )
            ).all()
        by_cell: dict[tuple[uuid.UUID, uuid.UUID], list[Completion]] = {}
        for values in completions:  # grouped once: each cell then looks only at its own records
            record = _Completion(*values)
            by_cell.setdefault((record.staff_member_id, record.course_id), []).append(record)
        cells = [
            staff_training_status(
                member.id,
                member.job_role,
                course,
                by_cell.get((member.id, course.id), ()),
                day,
                expiring_within_days,
            )
            for member in members
            for course in courses
        ]
        return TrainingSheet(expiring_within_days, courses, members, cells)

    def status_for(
        self, staff_member_id: uuid.UUID, course_id: uuid.UUID, on: date | None = None
    ) -> StaffTrainingStatus:
        records = self.rows(staff_member_id=staff_member_id, course_id=course_id)
        with self._reading() as session:
            member = get_live(session, StaffMember, staff_member_id, "staff member")
            role = member.job_role
            course = course_row(get_live(session, TrainingCourse, course_id, "course"))
            sites = self._staff_sites(member)
        if not any(self.actor.can(Permission.STAFF_READ, site) for site in sites):
            raise NotFound("that staff member does not exist or works at none of your sites")
        return staff_training_status(staff_member_id, role, course, records, on or local_today())
