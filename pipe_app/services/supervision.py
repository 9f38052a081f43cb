"""Clinical supervision records, their sign-off workflow, and per-role requirements.

The workflow (each step checked here; the lock is also enforced by database triggers):

    draft --submit--> submitted --every supervisee acknowledges--> acknowledged
    acknowledged --sign_off--> locked (signed off; never altered again, only added to)

Only a draft can be edited or discarded. A locked record takes addenda, and its actions can
still be marked done. Managers and psychologists oversee supervision at their sites; anyone
else sees and writes only records they supervise or are supervised in (staff development
needs are personal).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pipe_app.domain import (
    Site,
    StaffMember,
    SupervisionAction,
    SupervisionAddendum,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
    User,
)
from pipe_app.domain.enums import Role, StaffRole, SupervisionKind, SupervisionStatus
from pipe_app.services.base import Service, check_version, get_live, sync_links
from pipe_app.services.errors import (
    LockedError,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from pipe_app.services.ordering import Order, SortColumns, in_enum_order, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.staff import works_at
from pipe_app.services.text_match import holds, list_holds
from pipe_app.services.validation import Checks
from pipe_app.timeutil import LONDON, format_local, to_local, utc_now

ONE_TO_ONE = frozenset({SupervisionKind.INDIVIDUAL_CLINICAL, SupervisionKind.LINE_MANAGEMENT})
OVERSEERS = frozenset({Role.MANAGER, Role.PSYCHOLOGIST})
MAX_CASES = 30
MAX_ACTIONS = 30
MAX_FREQUENCY_DAYS = 366


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_id: uuid.UUID
    due_on: date | None = None


@dataclass(frozen=True)
class SupervisionInput:
    site_id: uuid.UUID
    kind: SupervisionKind | str
    supervisor_id: uuid.UUID
    supervisee_ids: Sequence[uuid.UUID]
    started_at: datetime
    duration_minutes: int
    themes: Sequence[str] = ()
    cases_discussed: Sequence[str] = ()
    summary: str = ""
    risk_ethical_issues: str = ""
    development_needs: str = ""
    actions: Sequence[ActionInput] = ()


@dataclass(frozen=True)
class SupervisionRow:
    id: uuid.UUID
    version: int
    site_id: uuid.UUID
    kind: SupervisionKind
    supervisor_id: uuid.UUID
    supervisor_name: str
    supervisee_ids: tuple[uuid.UUID, ...]
    supervisee_names: tuple[str, ...]
    started_at: datetime
    duration_minutes: int
    themes: tuple[str, ...]
    cases_discussed: tuple[str, ...]
    summary: str
    risk_ethical_issues: str
    development_needs: str
    status: SupervisionStatus
    submitted_at: datetime | None
    signed_off_at: datetime | None
    signed_off_by_id: uuid.UUID | None
    locked_at: datetime | None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class SuperviseeRow:
    staff_member_id: uuid.UUID
    name: str
    acknowledged_at: datetime | None
    disagreement_note: str


@dataclass(frozen=True)
class ActionRow:
    id: uuid.UUID
    version: int
    description: str
    owner_id: uuid.UUID
    owner_name: str
    due_on: date | None
    done_at: datetime | None


@dataclass(frozen=True)
class AddendumRow:
    id: uuid.UUID
    author_user_id: uuid.UUID
    author_name: str
    written_at: datetime
    text: str


@dataclass(frozen=True)
class SupervisionDetail:
    record: SupervisionRow
    supervisees: tuple[SuperviseeRow, ...]
    actions: tuple[ActionRow, ...]
    addenda: tuple[AddendumRow, ...]


@dataclass(frozen=True)
class RequirementRow:
    id: uuid.UUID
    version: int
    site_id: uuid.UUID
    job_role: StaffRole
    kind: SupervisionKind
    frequency_days: int


_Action = tuple[str, uuid.UUID, date | None]


@dataclass(frozen=True)
class _Checked:
    """Validated input: the record's own columns, and the people and actions it names."""

    columns: dict[str, object]
    supervisees: list[uuid.UUID]
    actions: list[_Action]
    day: date

    @property
    def supervisor_id(self) -> uuid.UUID:
        value = self.columns["supervisor_id"]
        assert isinstance(value, uuid.UUID)
        return value


def _live_supervisees(record: SupervisionSession) -> list[SupervisionSupervisee]:
    return [s for s in record.supervisees if s.archived_at is None]


def _live_actions(record: SupervisionSession) -> list[SupervisionAction]:
    return [a for a in record.actions if a.archived_at is None]


def _names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    query = select(StaffMember.id, StaffMember.given_name, StaffMember.family_name).where(
        StaffMember.id.in_(ids)
    )
    return {row[0]: f"{row[1]} {row[2]}" for row in session.execute(query)}


def _row(record: SupervisionSession, names: dict[uuid.UUID, str]) -> SupervisionRow:
    supervisees = _live_supervisees(record)
    return SupervisionRow(
        record.id,
        record.version,
        record.site_id,
        record.kind,
        record.supervisor_id,
        names.get(record.supervisor_id, ""),
        tuple(s.staff_member_id for s in supervisees),
        tuple(names.get(s.staff_member_id, "") for s in supervisees),
        record.started_at,
        record.duration_minutes,
        tuple(record.themes or ()),
        tuple(record.cases_discussed or ()),
        record.summary,
        record.risk_ethical_issues,
        record.development_needs,
        record.status,
        record.submitted_at,
        record.signed_off_at,
        record.signed_off_by_id,
        record.locked_at,
    )


def _people(record: SupervisionSession) -> set[uuid.UUID]:
    people = {record.supervisor_id}
    people |= {s.staff_member_id for s in record.supervisees}
    people |= {a.owner_id for a in record.actions}
    return people


# A list row's own columns: plain values, no ORM objects to build (they took most of a read).
_ROW_COLUMNS = (
    SupervisionSession.id,
    SupervisionSession.version,
    SupervisionSession.site_id,
    SupervisionSession.kind,
    SupervisionSession.supervisor_id,
    SupervisionSession.started_at,
    SupervisionSession.duration_minutes,
    SupervisionSession.themes,
    SupervisionSession.cases_discussed,
    SupervisionSession.summary,
    SupervisionSession.risk_ethical_issues,
    SupervisionSession.development_needs,
    SupervisionSession.status,
    SupervisionSession.submitted_at,
    SupervisionSession.signed_off_at,
    SupervisionSession.signed_off_by_id,
    SupervisionSession.locked_at,
)
_IN_BATCH = 500  # ids per IN list, as the ORM's selectinload sends them


def _supervisees_of(
    session: Session, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The live supervisees of each record, in the order a record's ``supervisees`` gives
    them (by staff member id)."""
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for start in range(0, len(session_ids), _IN_BATCH):
        query = (
            select(SupervisionSupervisee.session_id, SupervisionSupervisee.staff_member_id)
            .where(
                SupervisionSupervisee.session_id.in_(session_ids[start : start + _IN_BATCH]),
                SupervisionSupervisee.archived_at.is_(None),
            )
            .order_by(SupervisionSupervisee.session_id, SupervisionSupervisee.staff_member_id)
        )
        for session_id, staff_id in session.execute(query):
            found.setdefault(session_id, []).append(staff_id)
    return found


def _rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[SupervisionRow]:
    """List rows from a ``_ROW_COLUMNS`` query: the record, its supervisor and its live
    supervisees, named (not the actions' owners). Three statements, whatever the rows."""
    found = session.execute(query).all()
    supervisees = _supervisees_of(session, [v.id for v in found])
    people = {v.supervisor_id for v in found}
    people.update(p for ids in supervisees.values() for p in ids)
    names = _names(session, people)
    rows = []
    for v in found:
        mine = supervisees.get(v.id, [])
        rows.append(
            SupervisionRow(
                v.id,
                v.version,
                v.site_id,
                v.kind,
                v.supervisor_id,
                names.get(v.supervisor_id, ""),
                tuple(mine),
                tuple(names.get(p, "") for p in mine),
                v.started_at,
                v.duration_minutes,
                tuple(v.themes or ()),
                tuple(v.cases_discussed or ()),
                v.summary,
                v.risk_ethical_issues,
                v.development_needs,
                v.status,
                v.submitted_at,
                v.signed_off_at,
                v.signed_off_by_id,
                v.locked_at,
            )
        )
    return rows


class SupervisionSort(StrEnum):
    DATE = "date"
    KIND = "kind"
    SUPERVISOR = "supervisor"
    STATUS = "status"


SupervisionOrder = Order[SupervisionSort]
NEWEST_FIRST = SupervisionOrder(SupervisionSort.DATE, descending=True)
_SORTS: dict[SupervisionSort, SortColumns] = {
    SupervisionSort.DATE: (SupervisionSession.started_at,),
    SupervisionSort.KIND: (in_enum_order(SupervisionSession.kind, SupervisionKind),),
    SupervisionSort.SUPERVISOR: (  # joined in rows() only for this order
        func.lower(StaffMember.family_name),
        func.lower(StaffMember.given_name),
    ),
    SupervisionSort.STATUS: (in_enum_order(SupervisionSession.status, SupervisionStatus),),
}


def _matching(text: str, sqlite: bool) -> ColumnElement[bool]:
    """Records naming ``text`` (lower case) in a person's name, a theme, a case or the summary."""

    def has(column: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[bool]:
        return holds(column, text, sqlite)

    named = select(StaffMember.id).where(
        or_(
            has(StaffMember.given_name),
            has(StaffMember.family_name),
            has(StaffMember.given_name + " " + StaffMember.family_name),
        )
    )
    return or_(
        SupervisionSession.supervisor_id.in_(named),
        exists().where(
            SupervisionSupervisee.session_id == SupervisionSession.id,
            SupervisionSupervisee.archived_at.is_(None),
            SupervisionSupervisee.staff_member_id.in_(named),
        ),
        list_holds(SupervisionSession.themes, text, sqlite),
        list_holds(SupervisionSession.cases_discussed, text, sqlite),
        has(SupervisionSession.summary),
    )


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


class SupervisionService(Service):
    # ---- who may do what ---------------------------------------------------------------

    def _oversees(self) -> bool:
        return self.actor.is_system or bool(self.actor.roles & OVERSEERS)

    def _involved(self, record: SupervisionSession) -> bool:
        me = self.actor.staff_member_id
        return me is not None and (
            me == record.supervisor_id
            or any(s.staff_member_id == me for s in _live_supervisees(record))
        )

    def _visible(self, record: SupervisionSession) -> bool:
        return self.actor.can(Permission.SUPERVISION_READ, record.site_id) and (
            self._oversees() or self._involved(record)
        )

    def _is_supervisee(self, record: SupervisionSession) -> bool:
        me = self.actor.staff_member_id
        return me is not None and any(s.staff_member_id == me for s in _live_supervisees(record))

    def _require_author(self, record_site: uuid.UUID, supervisor_id: uuid.UUID) -> None:
        """Drafts are written by the supervisor, or by a manager or psychologist."""
        self.actor.require(Permission.SUPERVISION_WRITE, record_site)
        if not self._oversees() and self.actor.staff_member_id != supervisor_id:
            raise PermissionDenied(
                "only the supervisor, a manager or a psychologist can write this record"
            )

    def _load(self, session: Session, session_id: uuid.UUID) -> SupervisionSession:
        """The record, locked for this transaction so workflow steps never interleave."""
        record = session.get(SupervisionSession, session_id, with_for_update=True)
        if record is None or record.archived_at is not None or not self._visible(record):
            raise NotFound("that supervision record does not exist or is not yours to see")
        return record

    @staticmethod
    def _refuse_if_locked(record: SupervisionSession) -> None:
        if record.locked_at is not None:
            raise LockedError(
                f"this supervision record was signed off and locked on "
                f"{format_local(record.locked_at)}; it cannot be changed. Add an addendum instead."
            )

    @staticmethod
    def _require_status(record: SupervisionSession, wanted: SupervisionStatus, doing: str) -> None:
        SupervisionService._refuse_if_locked(record)
        if record.status != wanted:
            raise StateError(
                f"this record is {record.status.value.replace('_', ' ')}; "
                f"only {wanted.value} records can be {doing}"
            )

    # ---- validation --------------------------------------------------------------------

    @staticmethod
    def _checked(data: SupervisionInput) -> _Checked:
        checks = Checks()
        kind = checks.choice("kind", data.kind, SupervisionKind)
        started = checks.past_time("started_at", data.started_at)
        supervisees = list(dict.fromkeys(data.supervisee_ids or ()))
        if not supervisees:
            checks.fail("supervisee_ids", "choose at least one supervisee")
        elif kind in ONE_TO_ONE and len(supervisees) > 1:
            checks.fail("supervisee_ids", "one-to-one supervision has exactly one supervisee")
        if data.supervisor_id in supervisees:
            checks.fail("supervisee_ids", "the supervisor cannot also be a supervisee")
        raw_cases = data.cases_discussed or ()
        if isinstance(raw_cases, str):
            raw_cases = [raw_cases]
        cases = list(dict.fromkeys(checks.crn("cases_discussed", c) for c in raw_cases))
        if len(cases) > MAX_CASES:
            checks.fail("cases_discussed", f"list at most {MAX_CASES} cases")
        columns: dict[str, object] = {
            "site_id": data.site_id,
            "kind": kind,
            "supervisor_id": data.supervisor_id,
            "started_at": started,
            "duration_minutes": checks.minutes("duration_minutes", data.duration_minutes),
            "themes": checks.tags("themes", list(data.themes or ())),
            "cases_discussed": cases,
            "summary": checks.text("summary", data.summary, max_length=20000, required=False),
            "risk_ethical_issues": checks.text(
                "risk_ethical_issues", data.risk_ethical_issues, max_length=20000, required=False
            ),
            "development_needs": checks.text(
                "development_needs", data.development_needs, max_length=20000, required=False
            ),
        }
        day = to_local(started).date() if started is not None else None
        actions: list[_Action] = []
        if len(data.actions or ()) > MAX_ACTIONS:
            checks.fail("actions", f"record at most {MAX_ACTIONS} actions")
        for number, action in enumerate(data.actions or (), start=1):
            field = f"actions[{number}]"
            text = checks.text(field, action.description, max_length=2000)
            due = checks.day(field, action.due_on, required=False)
            if due is not None and day is not None and due < day:
                checks.fail(field, "cannot be due before the session")
            actions.append((text, action.owner_id, due))
        checks.raise_if_any()
        assert day is not None
        return _Checked(columns, supervisees, actions, day)

    @staticmethod
    def _check_people(session: Session, checked: _Checked) -> None:
        """Everyone named works at the site on the day of the session."""
        site_id, day = checked.columns["site_id"], checked.day
        assert isinstance(site_id, uuid.UUID)
        checks = Checks()
        if not works_at(session, checked.supervisor_id, site_id, day):
            checks.fail("supervisor_id", "must be a member of staff working at this site")
        if not all(works_at(session, person, site_id, day) for person in checked.supervisees):
            checks.fail("supervisee_ids", "each supervisee must work at this site")
        for number, (_, owner, _) in enumerate(checked.actions, start=1):
            if not works_at(session, owner, site_id, day):
                checks.fail(f"actions[{number}]", "the owner must work at this site")
        checks.raise_if_any()

    @staticmethod
    def _apply(record: SupervisionSession, checked: _Checked) -> None:
        for key, value in checked.columns.items():
            setattr(record, key, value)
        sync_links(
            record.supervisees,
            frozenset(checked.supervisees),
            lambda person: SupervisionSupervisee(staff_member_id=person),
        )
        existing = {(a.description, a.owner_id, a.due_on): a for a in _live_actions(record)}
        for wanted, action in existing.items():
            if wanted not in checked.actions:
                action.archived_at = utc_now()
        for description, owner, due in checked.actions:
            if (description, owner, due) not in existing:
                record.actions.append(
                    SupervisionAction(description=description, owner_id=owner, due_on=due)
                )

    # ---- drafts ------------------------------------------------------------------------

    def create(self, data: SupervisionInput) -> SupervisionDetail:
        checked = self._checked(data)
        self._require_author(data.site_id, data.supervisor_id)
        with self._writing() as session:
            get_live(session, Site, data.site_id, "site")
            self._check_people(session, checked)
            record = SupervisionSession(status=SupervisionStatus.DRAFT, supervisees=[], actions=[])
            self._apply(record, checked)
            session.add(record)
            session.flush()
            record_id = record.id
        return self.get(record_id)

    def update(
        self, session_id: uuid.UUID, version: int, data: SupervisionInput
    ) -> SupervisionDetail:
        checked = self._checked(data)
        with self._writing() as session:
            record = self._load(session, session_id)
            self._require_author(record.site_id, record.supervisor_id)
            self._require_status(record, SupervisionStatus.DRAFT, "edited")
            check_version(record, version)
            if data.site_id != record.site_id:
                raise ValidationError.single("site_id", "a record cannot move to another site")
            self._require_author(record.site_id, data.supervisor_id)
            self._check_people(session, checked)
            self._apply(record, checked)
        return self.get(session_id)

    def discard(self, session_id: uuid.UUID, version: int) -> None:
        """Archive a draft written by mistake; anything submitted is kept."""
        with self._writing() as session:
            record = self._load(session, session_id)
            self._require_author(record.site_id, record.supervisor_id)
            self._require_status(record, SupervisionStatus.DRAFT, "discarded")
            check_version(record, version)
            record.archived_at = utc_now()

    # ---- workflow ----------------------------------------------------------------------

    def submit(self, session_id: uuid.UUID, version: int) -> SupervisionDetail:
        """The supervisor hands the record to the supervisees to read and acknowledge."""
        with self._writing() as session:
            record = self._load(session, session_id)
            self._require_author(record.site_id, record.supervisor_id)
            self._require_status(record, SupervisionStatus.DRAFT, "submitted")
            check_version(record, version)
            if not record.summary.strip():
                raise ValidationError.single(
                    "summary", "is required before the record is submitted"
                )
            record.status, record.submitted_at = SupervisionStatus.SUBMITTED, utc_now()
        return self.get(session_id)

    def acknowledge(
        self, session_id: uuid.UUID, disagreement_note: str = "", *, version: int | None = None
    ) -> SupervisionDetail:
        """A supervisee confirms they have read the record, noting any disagreement."""
        checks = Checks()
        note = checks.text("disagreement_note", disagreement_note, max_length=4000, required=False)
        checks.raise_if_any()
        with self._writing() as session:
            record = self._load(session, session_id)
            self.actor.require(Permission.SUPERVISION_WRITE, record.site_id)
            mine = next(
                (
                    s
                    for s in _live_supervisees(record)
                    if s.staff_member_id == self.actor.staff_member_id
                ),
                None,
            )
            if mine is None:
                raise PermissionDenied("only a supervisee named on this record can acknowledge it")
            self._require_status(record, SupervisionStatus.SUBMITTED, "acknowledged")
            check_version(record, version)
            if mine.acknowledged_at is not None:
                raise StateError("you have already acknowledged this record")
            mine.acknowledged_at, mine.disagreement_note = utc_now(), note
            if all(s.acknowledged_at is not None for s in _live_supervisees(record)):
                record.status = SupervisionStatus.ACKNOWLEDGED
        return self.get(session_id)

    def sign_off(self, session_id: uuid.UUID, version: int) -> SupervisionDetail:
        """Sign off and lock: from now on the record is only ever added to."""
        with self._writing() as session:
            record = self._load(session, session_id)
            self.actor.require(Permission.SUPERVISION_SIGN_OFF, record.site_id)
            if self._is_supervisee(record):
                raise PermissionDenied("a supervisee cannot sign off their own supervision")
            self._require_status(record, SupervisionStatus.ACKNOWLEDGED, "signed off")
            check_version(record, version)
            now = utc_now()
            record.signed_off_at, record.signed_off_by_id = now, self.actor.user_id
            record.status, record.locked_at = SupervisionStatus.LOCKED, now
        return self.get(session_id)

    def add_addendum(self, session_id: uuid.UUID, text: str) -> SupervisionDetail:
        """A dated note by a named user on a locked record (the record itself never changes)."""
        checks = Checks()
        body = checks.text("text", text, max_length=20000)
        checks.raise_if_any()
        if self.actor.user_id is None:
            raise PermissionDenied("an addendum must be written by a named user")
        with self._writing() as session:
            record = self._load(session, session_id)
            self.actor.require(Permission.SUPERVISION_WRITE, record.site_id)
            if not (self._oversees() or self._involved(record)):
                raise PermissionDenied("only people named on this record can add to it")
            if record.locked_at is None:
                raise StateError("this record is not signed off yet: edit the draft instead")
            session.add(
                SupervisionAddendum(
                    session_id=record.id,
                    author_user_id=self.actor.user_id,
                    written_at=utc_now(),
                    text=body,
                )
            )
        return self.get(session_id)

    def mark_action_done(self, action_id: uuid.UUID, done: bool = True) -> ActionRow:
        """Actions are followed up after sign-off, so this is allowed on a locked record."""
        with self._writing() as session:
            action = get_live(session, SupervisionAction, action_id, "action")
            record = self._load(session, action.session_id)
            self.actor.require(Permission.SUPERVISION_WRITE, record.site_id)
            me = self.actor.staff_member_id
            if not (self._oversees() or me in (action.owner_id, record.supervisor_id)):
                raise PermissionDenied("only the action's owner or the supervisor can update it")
            if done and action.done_at is None:
                action.done_at = utc_now()
            elif not done:
                action.done_at = None
            session.flush()
            owner = _names(session, {action.owner_id}).get(action.owner_id, "")
            return ActionRow(
                action.id,
                action.version,
                action.description,
                action.owner_id,
                owner,
                action.due_on,
                action.done_at,
            )

    # ---- reads -------------------------------------------------------------------------

    def _sites(self, permission: Permission, site_id: uuid.UUID | None) -> list[uuid.UUID] | None:
        if site_id is not None:
            self.actor.require(permission, site_id)
            return [site_id]
        self.actor.require(permission)
        return None if self.actor.is_system else sorted(self.actor.site_ids)

    def _scope(self, sites: list[uuid.UUID] | None) -> list[ColumnElement[bool]]:
        """Live records at ``sites`` (None: every site) that this user may see."""
        conditions: list[ColumnElement[bool]] = [SupervisionSession.archived_at.is_(None)]
        if sites is not None:
            conditions.append(SupervisionSession.site_id.in_(sites))
        if not self._oversees():
            conditions.append(self._involving_me())
        return conditions

    def _involving_me(self) -> ColumnElement[bool]:
        me = self.actor.staff_member_id
        return or_(
            SupervisionSession.supervisor_id == me,
            exists().where(
                SupervisionSupervisee.session_id == SupervisionSession.id,
                SupervisionSupervisee.staff_member_id == me,
                SupervisionSupervisee.archived_at.is_(None),
            ),
        )

    def _filters(
        self,
        site_id: uuid.UUID | None,
        status: SupervisionStatus | None,
        kind: SupervisionKind | None,
        from_day: date | None,
        to_day: date | None,
        search: str,
    ) -> list[ColumnElement[bool]]:
        conditions = self._scope(self._sites(Permission.SUPERVISION_READ, site_id))
        if status is not None:
            conditions.append(SupervisionSession.status == status)
        if kind is not None:
            conditions.append(SupervisionSession.kind == kind)
        if from_day is not None:
            conditions.append(SupervisionSession.started_at >= _local_day_start(from_day))
        if to_day is not None:
            end = _local_day_start(to_day + timedelta(days=1))
            conditions.append(SupervisionSession.started_at < end)
        text = search.strip().lower()
        if text:
            conditions.append(_matching(text, self.db.is_sqlite))
        return conditions

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        status: SupervisionStatus | None = None,
        kind: SupervisionKind | None = None,
        from_day: date | None = None,
        to_day: date | None = None,
        search: str = "",
        order: SupervisionOrder = NEWEST_FIRST,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[SupervisionRow]:
        """Newest first unless ``order`` says otherwise (ties by id); days are UK local days,
        both ends included. ``search`` looks in the people's names, themes, cases and
        summary; ``limit``/``offset`` read one page."""
        conditions = self._filters(site_id, status, kind, from_day, to_day, search)
        query = select(*_ROW_COLUMNS).select_from(SupervisionSession).where(*conditions)
        if order.key == SupervisionSort.SUPERVISOR:
            query = query.join(StaffMember, StaffMember.id == SupervisionSession.supervisor_id)
        query = query.order_by(*order_clauses(order, _SORTS, SupervisionSession.id))
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._reading() as session:
            return _rows(session, query)

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        status: SupervisionStatus | None = None,
        kind: SupervisionKind | None = None,
        from_day: date | None = None,
        to_day: date | None = None,
        search: str = "",
    ) -> int:
        """How many records ``rows`` would give with the same filters."""
        conditions = self._filters(site_id, status, kind, from_day, to_day, search)
        query = select(func.count(SupervisionSession.id)).where(*conditions)
        with self._reading() as session:
            return int(session.scalar(query) or 0)

    def review_queue(self) -> list[SupervisionRow]:
        """Records awaiting acknowledgement or sign-off at the reviewer's sites, oldest first.

        Records the reviewer is a supervisee in are left out: someone else must sign those.
        """
        scope = self._scope(self._sites(Permission.SUPERVISION_SIGN_OFF, None))
        query = select(*_ROW_COLUMNS).where(
            *scope,
            SupervisionSession.status.in_(
                [SupervisionStatus.SUBMITTED, SupervisionStatus.ACKNOWLEDGED]
            ),
        )
        me = self.actor.staff_member_id
        if me is not None:
            query = query.where(
                ~exists().where(
                    SupervisionSupervisee.session_id == SupervisionSession.id,
                    SupervisionSupervisee.staff_member_id == me,
                    SupervisionSupervisee.archived_at.is_(None),
                )
            )
        query = query.order_by(
            SupervisionSession.submitted_at, SupervisionSession.started_at, SupervisionSession.id
        )
        with self._reading() as session:
            return _rows(session, query)

    def get(self, session_id: uuid.UUID) -> SupervisionDetail:
        with self._reading() as session:
            record = session.get(SupervisionSession, session_id)
            if record is None or record.archived_at is not None or not self._visible(record):
                raise NotFound("that supervision record does not exist or is not yours to see")
            addenda = list(record.addenda)
            authors = dict(
                session.execute(
                    select(User.id, User.display_name).where(
                        User.id.in_({a.author_user_id for a in addenda})
                    )
                ).all()
            )
            names = _names(session, _people(record))
            return SupervisionDetail(
                _row(record, names),
                tuple(
                    SuperviseeRow(
                        s.staff_member_id,
                        names.get(s.staff_member_id, ""),
                        s.acknowledged_at,
                        s.disagreement_note,
                    )
                    for s in _live_supervisees(record)
                ),
                tuple(
                    ActionRow(
                        a.id,
                        a.version,
                        a.description,
                        a.owner_id,
                        names.get(a.owner_id, ""),
                        a.due_on,
                        a.done_at,
                    )
                    for a in sorted(
                        _live_actions(record), key=lambda a: (a.due_on or date.max, a.created_at)
                    )
                ),
                tuple(
                    AddendumRow(
                        a.id,
                        a.author_user_id,
                        authors.get(a.author_user_id, ""),
                        a.written_at,
                        a.text,
                    )
                    for a in addenda
                    if a.archived_at is None
                ),
            )

    # ---- requirements ------------------------------------------------------------------

    def set_requirement(
        self,
        site_id: uuid.UUID,
        job_role: StaffRole | str,
        kind: SupervisionKind | str,
        frequency_days: int,
    ) -> RequirementRow:
        """Staff in ``job_role`` at the site need ``kind`` supervision at least this often."""
        checks = Checks()
        role = checks.choice("job_role", job_role, StaffRole)
        chosen = checks.choice("kind", kind, SupervisionKind)
        days = checks.whole("frequency_days", frequency_days, low=1, high=MAX_FREQUENCY_DAYS)
        checks.raise_if_any()
        self.actor.require(Permission.SUPERVISION_REQUIREMENTS, site_id)
        with self._writing() as session:
            get_live(session, Site, site_id, "site")
            requirement = session.scalars(
                select(SupervisionRequirement).where(
                    SupervisionRequirement.site_id == site_id,
                    SupervisionRequirement.job_role == role,
                    SupervisionRequirement.kind == chosen,
                )
            ).one_or_none()
            if requirement is None:
                requirement = SupervisionRequirement(site_id=site_id, job_role=role, kind=chosen)
                session.add(requirement)
            requirement.frequency_days, requirement.archived_at = days, None
            session.flush()
            return _requirement_row(requirement)

    def remove_requirement(self, requirement_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            requirement = get_live(session, SupervisionRequirement, requirement_id, "requirement")
            self.actor.require(Permission.SUPERVISION_REQUIREMENTS, requirement.site_id)
            check_version(requirement, version)
            requirement.archived_at = utc_now()

    def requirements(self, *, site_id: uuid.UUID | None = None) -> list[RequirementRow]:
        sites = self._sites(Permission.SUPERVISION_READ, site_id)
        query = select(SupervisionRequirement).where(SupervisionRequirement.archived_at.is_(None))
        if sites is not None:
            query = query.where(SupervisionRequirement.site_id.in_(sites))
        query = query.order_by(SupervisionRequirement.job_role, SupervisionRequirement.kind)
        with self._reading() as session:
            return [_requirement_row(r) for r in session.scalars(query)]


def _requirement_row(requirement: SupervisionRequirement) -> RequirementRow:
    return RequirementRow(
        requirement.id,
        requirement.version,
        requirement.site_id,
        requirement.job_role,
        requirement.kind,
        requirement.frequency_days,
    )
