"""Group sessions (socially creative, structured, community meetings, enrichment) and registers.

A register lists the residents placed at the site on the day of the session; saving it
replaces the whole register at once (archiving removed entries, never deleting them).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from pipe_app.domain import (
    Attendance,
    AuditEvent,
    GroupFacilitator,
    GroupSession,
    Placement,
    Resident,
    Site,
    StaffMember,
)
from pipe_app.domain.enums import AttendanceCode, GroupKind, GroupStatus
from pipe_app.services.base import Service, check_version, get_live, sync_links
from pipe_app.services.errors import NotFound
from pipe_app.services.history import HistoryRow
from pipe_app.services.key_work import display_name
from pipe_app.services.ordering import Order, SortColumns, in_enum_order, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.residents import placed_on
from pipe_app.services.sites import ActivityTemplate, SiteRow, site_row, site_settings
from pipe_app.services.staff import works_at
from pipe_app.services.text_match import holds
from pipe_app.services.validation import Checks
from pipe_app.timeutil import day_start, local_day, utc_now


def _templates(kind: GroupKind, *named: tuple[str, int]) -> tuple[ActivityTemplate, ...]:
    return tuple(ActivityTemplate(name, kind, minutes) for name, minutes in named)


# Offered until a site lists its own activities (Administration > Sites); any other activity
# name (up to 80 characters) is accepted too.
DEFAULT_TEMPLATES: tuple[ActivityTemplate, ...] = (
    *_templates(
        GroupKind.SOCIALLY_CREATIVE,
        ("Cooking", 90),
        ("Art", 90),
        ("Music", 60),
        ("Singing", 60),
        ("Drama", 90),
        ("Reading", 60),
        ("Story making", 60),
        ("Gardening", 90),
        ("Quiz", 60),
        ("Sport", 90),
        ("Outing", 180),
    ),
    *_templates(
        GroupKind.STRUCTURED_GROUP,
        ("Structured group", 60),
        ("Skills group", 60),
        ("Psychoeducation", 60),
    ),
    *_templates(GroupKind.COMMUNITY_MEETING, ("Community meeting", 60), ("House meeting", 45)),
    *_templates(
        GroupKind.ENRICHMENT,
        ("Enrichment", 60),
        ("Film night", 120),
        ("Visiting speaker", 60),
        ("Volunteering", 180),
    ),
)


def activity_templates(site: SiteRow) -> tuple[ActivityTemplate, ...]:
    """The activities a new session at ``site`` may start from: its own, or the usual ones."""
    return site_settings(site).activity_templates or DEFAULT_TEMPLATES


@dataclass(frozen=True)
class GroupInput:
    site_id: uuid.UUID
    kind: GroupKind | str
    activity: str
    title: str
    started_at: datetime
    duration_minutes: int = 60
    facilitator_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    planned_by_residents: bool = False
    resident_planning_note: str = ""
    observations: str = ""
    status: GroupStatus | str = GroupStatus.HELD


@dataclass(frozen=True)
class AttendanceInput:
    resident_id: uuid.UUID
    code: AttendanceCode | str
    note: str = ""


@dataclass(frozen=True)
class GroupRow:
    id: uuid.UUID
    version: int
    site_id: uuid.UUID
    site_name: str
    kind: GroupKind
    activity: str
    title: str
    started_at: datetime
    duration_minutes: int
    facilitator_ids: tuple[uuid.UUID, ...]
    facilitator_names: tuple[str, ...]
    planned_by_residents: bool
    resident_planning_note: str
    observations: str
    status: GroupStatus
    attended: int
    recorded: int

    @property
    def session_day(self) -> date:
        return local_day(self.started_at)


@dataclass(frozen=True)
class RegisterEntry:
    """A resident placed at the site on the session day, and their code if one is recorded."""

    resident_id: uuid.UUID
    placement_id: uuid.UUID
    crn: str
    resident_name: str
    code: AttendanceCode | None
    note: str


@dataclass(frozen=True)
class RegisterChange:
    """One audited change to a row of a register, and whose row it is."""

    resident_name: str
    change: HistoryRow


def _placed(session: Session, site_id: uuid.UUID, day: date) -> list[tuple[Placement, Resident]]:
    query = (
        select(Placement, Resident)
        .join(Resident, Resident.id == Placement.resident_id)
        .where(Placement.site_id == site_id, Resident.archived_at.is_(None), *placed_on(day))
        .order_by(Resident.family_name, Resident.given_name, Resident.id)
    )
    return list(session.execute(query))


Mark = tuple[uuid.UUID, AttendanceCode | None, str]  # resident, code, note


def _register_checks(entries: Sequence[AttendanceInput], checks: Checks) -> list[Mark]:
    """What can be checked of a register without the database."""
    marks: list[Mark] = []
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(entries):
        prefix = f"entries[{index}]"
        code = checks.choice(f"{prefix}.code", entry.code, AttendanceCode)
        note = checks.text(f"{prefix}.note", entry.note, max_length=2000, required=False)
        if entry.resident_id in seen:
            checks.fail(f"{prefix}.resident_id", "appears more than once on the register")
        seen.add(entry.resident_id)
        marks.append((entry.resident_id, code, note))
    return marks


def _site_register_rules(
    session: Session,
    group: GroupSession,
    day: date,
    placed: dict[uuid.UUID, uuid.UUID],
    marks: list[Mark],
    checks: Checks,
) -> None:
    """Everyone placed at the site that day; codes the site uses; notes where it wants them.
    A mark saved before the site changed its codes may stay as it is."""
    existing = {a.resident_id: a for a in group.attendances}
    site = site_row(get_live(session, Site, group.site_id, "site"))
    rules = site_settings(site)
    for index, (resident_id, code, note) in enumerate(marks):
        if resident_id not in placed:
            checks.fail(
                f"entries[{index}].resident_id", f"was not placed at this site on {day:%d %b %Y}"
            )
        kept = existing.get(resident_id)
        if code is None or (
            kept is not None and kept.archived_at is None and (kept.code, kept.note) == (code, note)
        ):
            continue
        if code not in rules.attendance_codes:
            used = ", ".join(c for c in AttendanceCode if c in rules.attendance_codes)
            checks.fail(
                f"entries[{index}].code",
                f"{code.value!r} is not an attendance code used at {site.name} (they are: {used})",
            )
        elif code in rules.note_codes and not note:
            checks.fail(f"entries[{index}].note", f"is required when the code is {code.value}")


def _write_register(
    group: GroupSession, placed: dict[uuid.UUID, uuid.UUID], marks: list[Mark]
) -> None:
    """Replace the register: rows left out are archived, never deleted."""
    wanted = {resident_id for resident_id, _, _ in marks}
    existing = {a.resident_id: a for a in group.attendances}
    for resident_id, mark in existing.items():
        if resident_id not in wanted and mark.archived_at is None:
            mark.archived_at = utc_now()
    for resident_id, code, note in marks:
        assert code is not None
        mark = existing.get(resident_id) or Attendance(resident_id=resident_id)
        if resident_id not in existing:
            group.attendances.append(mark)
        mark.placement_id, mark.code, mark.note = placed[resident_id], code, note
        mark.archived_at = None
    # Saving the register is a change to the session: later stale saves must conflict.
    group.updated_at = utc_now()


class GroupSort(StrEnum):
    STARTS = "starts"
    TITLE = "title"
    ACTIVITY = "activity"
    KIND = "kind"
    SITE = "site"
    STATUS = "status"


GroupOrder = Order[GroupSort]
NEWEST_FIRST = GroupOrder(GroupSort.STARTS, descending=True)
_SORTS: dict[GroupSort, SortColumns] = {
    GroupSort.STARTS: (GroupSession.started_at,),
    GroupSort.TITLE: (func.lower(GroupSession.title),),
    GroupSort.ACTIVITY: (func.lower(GroupSession.activity),),
    GroupSort.KIND: (in_enum_order(GroupSession.kind, GroupKind),),
    GroupSort.SITE: (Site.name,),
    GroupSort.STATUS: (in_enum_order(GroupSession.status, GroupStatus),),
}


class GroupService(Service):
    # ---- reads -------------------------------------------------------------------------

    def _conditions(
        self,
        site_id: uuid.UUID | None,
        date_from: date | None,
        date_to: date | None,
        kind: GroupKind | str | None,
        search: str,
        status: GroupStatus | str | None,
        facilitator_id: uuid.UUID | None,
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = [GroupSession.archived_at.is_(None)]
        if site_id is not None:
            self.actor.require(Permission.RESIDENT_READ, site_id)
            conditions.append(GroupSession.site_id == site_id)
        else:
            self.actor.require(Permission.RESIDENT_READ)
            if not self.actor.is_system:
                conditions.append(GroupSession.site_id.in_(sorted(self.actor.site_ids)))
        if date_from is not None:
            conditions.append(GroupSession.started_at >= day_start(date_from))
        if date_to is not None:
            conditions.append(GroupSession.started_at < day_start(date_to + timedelta(days=1)))
        if kind is not None:
            conditions.append(GroupSession.kind == GroupKind(kind))
        if status is not None:
            conditions.append(GroupSession.status == GroupStatus(status))
        if facilitator_id is not None:
            conditions.append(
                exists().where(
                    GroupFacilitator.group_session_id == GroupSession.id,
                    GroupFacilitator.staff_member_id == facilitator_id,
                    GroupFacilitator.archived_at.is_(None),
                )
            )
        text = search.strip().lower()
        if text:
            columns = (GroupSession.title, GroupSession.activity, GroupSession.observations)
            conditions.append(or_(*(holds(column, text, self.db.is_sqlite) for column in columns)))
        return conditions

    def _rows(self, session: Session, query: Select[GroupSession, str]) -> list[GroupRow]:
        """Rows for a page of sessions: two extra queries for the page, never one per row."""
        found = list(session.execute(query))
        ids = [group.id for group, _ in found]
        facilitators: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {gid: [] for gid in ids}
        people = session.execute(
            select(
                GroupFacilitator.group_session_id,
                StaffMember.id,
                StaffMember.given_name,
                StaffMember.family_name,
            )
            .join(StaffMember, StaffMember.id == GroupFacilitator.staff_member_id)
            .where(
                GroupFacilitator.group_session_id.in_(ids), GroupFacilitator.archived_at.is_(None)
            )
            .order_by(StaffMember.family_name, StaffMember.given_name)
        )
        for group_id, member_id, given_name, family_name in people:
            facilitators[group_id].append((member_id, f"{given_name} {family_name}"))
        attended: dict[uuid.UUID, int] = {}
        marked: dict[uuid.UUID, int] = {}  # every register entry, whatever its code
        for group_id, code, number in session.execute(
            select(Attendance.group_session_id, Attendance.code, func.count())
            .where(Attendance.group_session_id.in_(ids), Attendance.archived_at.is_(None))
            .group_by(Attendance.group_session_id, Attendance.code)
        ):
            marked[group_id] = marked.get(group_id, 0) + number
            if code == AttendanceCode.ATTENDED:
                attended[group_id] = number
        return [
            GroupRow(
                group.id,
                group.version,
                group.site_id,
                site_name,
                group.kind,
                group.activity,
                group.title,
                group.started_at,
                group.duration_minutes,
                tuple(member_id for member_id, _ in facilitators[group.id]),
                tuple(name for _, name in facilitators[group.id]),
                group.planned_by_residents,
                group.resident_planning_note,
                group.observations,
                group.status,
                attended.get(group.id, 0),
                marked.get(group.id, 0),
            )
            for group, site_name in found
        ]

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        kind: GroupKind | str | None = None,
        search: str = "",
        status: GroupStatus | str | None = None,
        facilitator_id: uuid.UUID | None = None,
        order: GroupOrder = NEWEST_FIRST,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[GroupRow]:
        """Newest first unless ``order`` says otherwise (ties by id); ``search`` looks in the
        title, activity and observations."""
        conditions = self._conditions(
            site_id, date_from, date_to, kind, search, status, facilitator_id
        )
        query = (
            select(GroupSession, Site.name)
            .join(Site, Site.id == GroupSession.site_id)
            .where(*conditions)
            .order_by(*order_clauses(order, _SORTS, GroupSession.id))
        )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._reading() as session:
            return self._rows(session, query)

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        kind: GroupKind | str | None = None,
        search: str = "",
        status: GroupStatus | str | None = None,
        facilitator_id: uuid.UUID | None = None,
    ) -> int:
        conditions = self._conditions(
            site_id, date_from, date_to, kind, search, status, facilitator_id
        )
        with self._reading() as session:
            return int(session.scalar(select(func.count(GroupSession.id)).where(*conditions)) or 0)

    def get(self, group_session_id: uuid.UUID) -> GroupRow:
        query = (
            select(GroupSession, Site.name)
            .join(Site, Site.id == GroupSession.site_id)
            .where(GroupSession.id == group_session_id, GroupSession.archived_at.is_(None))
        )
        with self._reading() as session:
            rows = self._rows(session, query)
        if not rows or not self.actor.can(Permission.RESIDENT_READ, rows[0].site_id):
            self.actor.require(Permission.RESIDENT_READ)
            raise NotFound("that group session does not exist or is not at your sites")
        return rows[0]

    def register(self, group_session_id: uuid.UUID) -> list[RegisterEntry]:
        """Everyone placed at the site on the session day, with their code (None: not yet)."""
        with self._reading() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.RESIDENT_READ, group.site_id)
            recorded = {
                a.resident_id: a
                for a in session.scalars(
                    select(Attendance).where(
                        Attendance.group_session_id == group.id, Attendance.archived_at.is_(None)
                    )
                )
            }
            entries = []
            for placement, resident in _placed(session, group.site_id, local_day(group.started_at)):
                mark = recorded.get(resident.id)
                entries.append(
                    RegisterEntry(
                        resident.id,
                        placement.id,
                        resident.crn,
                        display_name(resident),
                        mark.code if mark else None,
                        mark.note if mark else "",
                    )
                )
        return entries

    def register_history(self, group_session_id: uuid.UUID) -> list[RegisterChange]:
        """Every audited change to the session's register, oldest first, naming the resident."""
        with self._reading() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.RESIDENT_READ, group.site_id)
            whose = {
                mark_id: display_name(resident)
                for mark_id, resident in session.execute(
                    select(Attendance.id, Resident)
                    .join(Resident, Resident.id == Attendance.resident_id)
                    .where(Attendance.group_session_id == group.id)
                )
            }
            events = session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.entity_type == Attendance.__tablename__,
                    AuditEvent.entity_id.in_(list(whose)),
                )
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            ).all()
            changes = []
            for event in events:
                if event.entity_id is None:  # never: the query asked for these ids
                    continue
                row = HistoryRow(
                    event.occurred_at,
                    event.username,
                    event.action,
                    MappingProxyType(dict(event.changes)),
                )
                changes.append(RegisterChange(whose[event.entity_id], row))
            return changes

    # ---- writes ------------------------------------------------------------------------

    @staticmethod
    def _input_checks(data: GroupInput, checks: Checks) -> dict[str, Any]:
        status = checks.choice("status", data.status, GroupStatus)
        if status == GroupStatus.HELD:
            started = checks.past_time("started_at", data.started_at)
        elif isinstance(data.started_at, datetime) and data.started_at.tzinfo is not None:
            started = data.started_at
        else:
            checks.fail("started_at", "must be a date and time with a time zone")
            started = None
        activity = checks.text("activity", data.activity, max_length=80)
        title = checks.text("title", data.title, max_length=200, required=False)
        if not data.facilitator_ids:
            checks.fail("facilitator_ids", "choose at least one facilitator")
        return {
            "kind": checks.choice("kind", data.kind, GroupKind),
            "activity": activity,
            "title": title or activity[:1].upper() + activity[1:],
            "started_at": started,
            "duration_minutes": checks.minutes("duration_minutes", data.duration_minutes),
            "planned_by_residents": bool(data.planned_by_residents),
            "resident_planning_note": checks.text(
                "resident_planning_note",
                data.resident_planning_note,
                max_length=4000,
                required=False,
            ),
            "observations": checks.text(
                "observations", data.observations, max_length=8000, required=False
            ),
            "status": status,
        }

    @staticmethod
    def _facilitator_checks(
        session: Session, data: GroupInput, started: datetime | None, checks: Checks
    ) -> None:
        if started is None:
            return
        day = local_day(started)
        for staff_member_id in sorted(data.facilitator_ids):
            if not works_at(session, staff_member_id, data.site_id, day):
                checks.fail(
                    "facilitator_ids",
                    "every facilitator must be a member of staff working at this site that day",
                )
                return

    def create(self, data: GroupInput) -> GroupRow:
        checks = Checks()
        values = self._input_checks(data, checks)
        self.actor.require(Permission.GROUP_WRITE, data.site_id)
        with self._writing() as session:
            site = session.get(Site, data.site_id)
            if site is None or site.is_archived:
                checks.fail("site_id", "does not exist or has been archived")
            else:
                self._facilitator_checks(session, data, values["started_at"], checks)
            checks.raise_if_any()
            group = GroupSession(site_id=data.site_id, **values)
            group.facilitators = [
                GroupFacilitator(staff_member_id=staff_id) for staff_id in data.facilitator_ids
            ]
            session.add(group)
            session.flush()
            group_id = group.id
        return self.get(group_id)

    def update(
        self,
        group_session_id: uuid.UUID,
        version: int,
        data: GroupInput,
        register: Sequence[AttendanceInput] | None = None,
    ) -> GroupRow:
        """Change the session; with ``register``, replace its register in the same action
        (checked as ``set_attendance`` checks it, against the session's new day)."""
        checks = Checks()
        values = self._input_checks(data, checks)
        marks = _register_checks(register, checks) if register is not None else None
        with self._writing() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.GROUP_WRITE, group.site_id)
            check_version(group, version)
            if data.site_id != group.site_id:
                checks.fail("site_id", "a group session cannot move to another site")
            started = values["started_at"]
            self._facilitator_checks(session, data, started, checks)
            day = local_day(started) if started is not None else local_day(group.started_at)
            placed = {r.id: p.id for p, r in _placed(session, group.site_id, day)}
            if marks is not None:
                _site_register_rules(session, group, day, placed, marks, checks)
            elif day != local_day(group.started_at):
                marked = {a.resident_id for a in group.attendances if a.archived_at is None}
                if marked - set(placed):
                    checks.fail(
                        "started_at",
                        f"{len(marked - set(placed))} resident(s) on the register were not "
                        "placed here on that day; change the register first",
                    )
            checks.raise_if_any()
            for key, value in values.items():
                setattr(group, key, value)
            sync_links(
                group.facilitators,
                frozenset(data.facilitator_ids),
                lambda staff_id: GroupFacilitator(staff_member_id=staff_id),
            )
            if marks is not None:
                _write_register(group, placed, marks)
        return self.get(group_session_id)

    def set_attendance(
        self, group_session_id: uuid.UUID, version: int, entries: Sequence[AttendanceInput]
    ) -> GroupRow:
        """Replace the whole register. Problems name ``entries[i].resident_id|code|note``.

        Codes must be among the site's attendance codes, and the site's note-requiring codes
        need a note; a mark saved before the site changed its codes may stay as it is.
        """
        checks = Checks()
        marks = _register_checks(entries, checks)
        with self._writing() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.GROUP_WRITE, group.site_id)
            check_version(group, version)
            day = local_day(group.started_at)
            placed = {r.id: p.id for p, r in _placed(session, group.site_id, day)}
            _site_register_rules(session, group, day, placed, marks, checks)
            checks.raise_if_any()
            _write_register(group, placed, marks)
        return self.get(group_session_id)

    def repeat(self, group_session_id: uuid.UUID, started_at: datetime) -> GroupRow:
        """Copy a past session (e.g. last week's) to a new time: no register or observations."""
        with self._reading() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.GROUP_WRITE, group.site_id)
            facilitators = frozenset(
                f.staff_member_id for f in group.facilitators if f.archived_at is None
            )
            future = isinstance(started_at, datetime) and (
                started_at.tzinfo is not None and started_at > utc_now()
            )
            copy = GroupInput(
                site_id=group.site_id,
                kind=group.kind,
                activity=group.activity,
                title=group.title,
                started_at=started_at,
                duration_minutes=group.duration_minutes,
                facilitator_ids=facilitators,
                planned_by_residents=group.planned_by_residents,
                resident_planning_note=group.resident_planning_note,
                status=GroupStatus.PLANNED if future else GroupStatus.HELD,
            )
        return self.create(copy)

    def archive(self, group_session_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            group = get_live(session, GroupSession, group_session_id, "group session")
            self.actor.require(Permission.GROUP_WRITE, group.site_id)
            check_version(group, version)
            group.archived_at = utc_now()
