"""Key-work sessions: the regular one-to-one meetings between a resident and a key worker.

Reads are scoped to the user's sites; ``due()`` shows who is overdue against the site's
key-work frequency setting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    false,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from pipe_app.domain import (
    KeyWorkerAssignment,
    KeyWorkSession,
    Placement,
    Resident,
    Site,
    StaffMember,
)
from pipe_app.domain.enums import SessionStatus
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound
from pipe_app.services.id_lists import among
from pipe_app.services.ordering import Order, SortColumns, in_enum_order, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.residents import placed_on
from pipe_app.services.staff import works_at
from pipe_app.services.text_match import holds
from pipe_app.services.validation import Checks
from pipe_app.storage.notes_index import (
    SESSION_ROWID,
    SHORTEST,
    has_notes_index,
    sqlite_candidates,
)
from pipe_app.timeutil import day_start, local_day, utc_now

Ts = TypeVarTuple("Ts")

LONG_TEXT = 8000
SHORT_TEXT = 2000


def display_name(resident: Resident) -> str:
    return f"{resident.preferred_name or resident.given_name} {resident.family_name}"


@dataclass(frozen=True)
class KeyWorkInput:
    placement_id: uuid.UUID
    key_worker_id: uuid.UUID
    started_at: datetime
    duration_minutes: int = 45
    planned: bool = True
    did_not_attend: bool = False
    dna_reason: str = ""
    topics: tuple[str, ...] | list[str] = ()
    resident_voice: str = ""
    summary: str = ""
    risk_concern: bool = False
    escalation_note: str = ""
    actions_agreed: str = ""
    next_session_on: date | None = None
    status: SessionStatus | str = SessionStatus.COMPLETE


@dataclass(frozen=True)
class KeyWorkRow:
    id: uuid.UUID
    version: int
    placement_id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    resident_id: uuid.UUID
    crn: str
    resident_name: str
    key_worker_id: uuid.UUID
    key_worker_name: str
    started_at: datetime
    duration_minutes: int
    planned: bool
    did_not_attend: bool
    dna_reason: str
    topics: tuple[str, ...]
    resident_voice: str
    summary: str
    risk_concern: bool
    escalation_note: str
    actions_agreed: str
    next_session_on: date | None
    status: SessionStatus

    @property
    def session_day(self) -> date:
        return local_day(self.started_at)


@dataclass(frozen=True)
class DueRow:
    """One resident's key-work position on a day; ``days_overdue`` is 0 when not overdue."""

    placement_id: uuid.UUID
    resident_id: uuid.UUID
    crn: str
    resident_name: str
    key_worker_id: uuid.UUID | None
    key_worker_name: str
    arrival: date
    last_session_on: date | None
    next_due_on: date
    days_overdue: int

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def _row(v: Any) -> KeyWorkRow:
    """A list row from one result of ``_ROW_COLUMNS``: plain columns, no ORM objects to
    build (three per row took most of a page's read)."""
    return KeyWorkRow(
        v.id,
        v.version,
        v.placement_id,
        v.site_id,
        v.site_name,
        v.resident_id,
        v.crn,
        f"{v.preferred_name or v.given_name} {v.family_name}",
        v.key_worker_id,
        f"{v.worker_given_name} {v.worker_family_name}",
        v.started_at,
        v.duration_minutes,
        v.planned,
        v.did_not_attend,
        v.dna_reason,
        tuple(v.topics or ()),
        v.resident_voice,
        v.summary,
        v.risk_concern,
        v.escalation_note,
        v.actions_agreed,
        v.next_session_on,
        v.status,
    )


# The site's name as a correlated subquery, not a join: joined, the tiny sites table led the
# plan and a site's newest page sorted every session there (250 ms at the busy scale, 2 ms now).
_SITE_NAME = select(Site.name).where(Site.id == KeyWorkSession.site_id).scalar_subquery()
_ROW_COLUMNS = (
    KeyWorkSession.id,
    KeyWorkSession.version,
    KeyWorkSession.placement_id,
    KeyWorkSession.site_id,
    _SITE_NAME.label("site_name"),
    Resident.id.label("resident_id"),
    Resident.crn,
    Resident.preferred_name,
    Resident.given_name,
    Resident.family_name,
    KeyWorkSession.key_worker_id,
    StaffMember.given_name.label("worker_given_name"),
    StaffMember.family_name.label("worker_family_name"),
    KeyWorkSession.started_at,
    KeyWorkSession.duration_minutes,
    KeyWorkSession.planned,
    KeyWorkSession.did_not_attend,
    KeyWorkSession.dna_reason,
    KeyWorkSession.topics,
    KeyWorkSession.resident_voice,
    KeyWorkSession.summary,
    KeyWorkSession.risk_concern,
    KeyWorkSession.escalation_note,
    KeyWorkSession.actions_agreed,
    KeyWorkSession.next_session_on,
    KeyWorkSession.status,
)


def _joined(query: Select[*Ts]) -> Select[*Ts]:
    return (
        query.join(Placement, Placement.id == KeyWorkSession.placement_id)
        .join(Resident, Resident.id == Placement.resident_id)
        .join(StaffMember, StaffMember.id == KeyWorkSession.key_worker_id)
        .where(
            KeyWorkSession.archived_at.is_(None),
            Placement.archived_at.is_(None),
            Resident.archived_at.is_(None),
        )
    )


class KeyWorkSort(StrEnum):
    STARTED = "started"
    RESIDENT = "resident"
    CRN = "crn"
    KEY_WORKER = "key_worker"
    SITE = "site"
    MINUTES = "minutes"
    RISK = "risk"
    STATUS = "status"


KeyWorkOrder = Order[KeyWorkSort]
NEWEST_FIRST = KeyWorkOrder(KeyWorkSort.STARTED, descending=True)
_SORTS: dict[KeyWorkSort, SortColumns] = {
    KeyWorkSort.STARTED: (KeyWorkSession.started_at,),
    KeyWorkSort.RESIDENT: (func.lower(Resident.family_name), func.lower(Resident.given_name)),
    KeyWorkSort.CRN: (Resident.crn,),
    KeyWorkSort.KEY_WORKER: (
        func.lower(StaffMember.family_name),
        func.lower(StaffMember.given_name),
    ),
    KeyWorkSort.SITE: (_SITE_NAME,),
    KeyWorkSort.MINUTES: (KeyWorkSession.duration_minutes,),
    KeyWorkSort.RISK: (KeyWorkSession.risk_concern,),
    KeyWorkSort.STATUS: (in_enum_order(KeyWorkSession.status, SessionStatus),),
}


def held_row_matches(row: KeyWorkRow, words: str) -> bool:
    """The search's test on a row already read (``words`` lowered): the list narrows what
    it holds with it at once, while the database is asked. It sees the name shown, not a
    given name behind a preferred one; the database's answer brings such rows back."""
    people = f"{row.crn}\n{row.resident_name}\n{row.key_worker_name}".lower()
    if words in people:
        return True
    return len(words) >= SHORTEST and words in "\n".join((row.summary, *row.topics)).lower()


FEW = 5000  # sessions: when no more than these may match, they are looked up one by one
MANY_IDS = 5000  # residents' placements or staff matching the words, sent as a list up to this


@dataclass(frozen=True)
class _Search:
    """The words typed in the key-work search, as conditions on a session.

    A session matches when its resident (CRN or a name) or key worker (a name) holds the
    words, or, for three letters or more, its summary or topics do. The people are found
    first, among the few residents and staff, and each session is only asked whether it is
    theirs. Notes are looked for along their trigram index (0008). Shorter words are not
    looked for in notes: no index helps there, and a one- or two-letter piece of a note
    means little.

    A list read in its order stops after a page when the words are common, but reads every
    session when they are rare. So the sessions that may match are asked for first, along
    the indexes (``_few``): when there are no more than ``FEW``, the list reads just those
    (a rare word at busy scale: 120-250 ms -> 10-20 ms)."""

    words: str
    sqlite: bool
    notes_index: bool

    def _holds(self, column: Any) -> ColumnElement[bool]:
        return holds(column, self.words, self.sqlite)

    def _placements(self) -> Select[uuid.UUID]:
        holds = self._holds
        return (
            select(Placement.id)
            .join(Resident, Resident.id == Placement.resident_id)
            .where(
                or_(
                    holds(Resident.crn),
                    holds(Resident.given_name),
                    holds(Resident.family_name),
                    holds(func.coalesce(Resident.preferred_name, "")),
                )
            )
        )

    def _workers(self) -> Select[uuid.UUID]:
        holds = self._holds
        return select(StaffMember.id).where(
            or_(holds(StaffMember.given_name), holds(StaffMember.family_name))
        )

    def _in_notes(self) -> ColumnElement[bool] | None:
        if len(self.words) < SHORTEST:
            return None
        return or_(
            self._holds(KeyWorkSession.summary),
            self._holds(cast(KeyWorkSession.topics, String)),
        )

    def conditions(self, session: Session, *, ordered: bool) -> list[ColumnElement[bool]]:
        """Ask for the residents' placements and the staff first: the database then knows
        how many there are (PostgreSQL guessed a third of all sessions for a CRN fragment).
        """
        people = [
            (KeyWorkSession.placement_id, self._placements()),
            (KeyWorkSession.key_worker_id, self._workers()),
        ]
        found = [self._found(ids, session) for _column, ids in people]
        held = list(zip(people, found, strict=True))
        listed = [self._among(column, ids, ids_found) for (column, ids), ids_found in held]
        # More people than MANY_IDS match ("m" at stress scale): their sessions are far
        # more than FEW, and looking that up first only to learn it took 40 ms.
        few = None if None in found else self._few(session, listed)
        narrowed = few is not None or not ordered  # a count is not read in order
        # Many, for a page: the list is read in its order, each session asked, as before
        # the notes index (a count, read in no order, keeps the lists and the index).
        # With the people as lists there, or the index's sessions, SQLite walked every
        # session of every resident found across a psychologist's ten sites and sorted
        # them ("mar" at stress: 0.9-1.1 s; 0.1 s read in order). SQLite is given the
        # people found as lists it may not start from: asked again as subqueries, they
        # scanned every resident a second time (15 ms at stress).
        theirs = (
            listed
            if narrowed
            else [
                self._among(self._not_leading(column), ids, ids_found if self.sqlite else None)
                for (column, ids), ids_found in held
            ]
        )
        notes = self._in_notes()
        if notes is not None and narrowed and self.sqlite and self.notes_index:
            notes = and_(SESSION_ROWID.in_(sqlite_candidates(self.words)), notes)
        matching = or_(*theirs) if notes is None else or_(*theirs, notes)
        return [matching] if few is None else [matching, few]

    def _not_leading(self, column: InstrumentedAttribute[uuid.UUID]) -> ColumnElement[uuid.UUID]:
        """``column``, which SQLite may not follow from a list of ids (``+column``).

        Asked whether a session is among the people found, SQLite would start from them
        for a psychologist's ten sites when the words are short: every session of every
        resident holding an "m", then sorted (at stress, 0.9-1.0 s for "m", "an" or "x").
        Read in the list's order and asked of each session, the page takes 30-40 ms."""
        element = column.expression
        if not self.sqlite:
            return element
        return UnaryExpression(element, operator=custom_op("+"), type_=element.type)

    def _few(
        self, session: Session, theirs: list[ColumnElement[bool]]
    ) -> ColumnElement[bool] | None:
        """The sessions that may match, when there are no more than ``FEW`` of them."""
        notes = self._in_notes()
        if notes is not None and not self.notes_index:
            return None  # only reading every note would tell
        key: Any = SESSION_ROWID if self.sqlite else KeyWorkSession.id
        parts: list[Select[Any]] = [
            select(key).select_from(KeyWorkSession).where(condition) for condition in theirs
        ]
        if notes is not None:
            parts.append(
                sqlite_candidates(self.words)
                if self.sqlite
                else select(key).select_from(KeyWorkSession).where(notes)
            )
        found = session.scalars(union_all(*parts).limit(FEW + 1)).all()
        return among(key, found, self.sqlite) if len(found) <= FEW else None

    def _found(self, ids: Select[uuid.UUID], session: Session) -> Sequence[uuid.UUID] | None:
        """The ids ``ids`` finds, when they are not very many (None otherwise). On SQLite
        they are read as the hex they are kept as (typed as uuids, they are strings): made
        into uuids and back, thousands of them took 15-20 ms of a psychologist's search at
        stress scale."""
        listed = ids
        if self.sqlite:
            listed = ids.with_only_columns(type_coerce(ids.selected_columns[0], String))
        found = session.scalars(listed.limit(MANY_IDS + 1)).all()
        return found if len(found) <= MANY_IDS else None

    def _among(
        self,
        column: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID],
        ids: Select[uuid.UUID],
        found: Sequence[uuid.UUID] | None,
    ) -> ColumnElement[bool]:
        """``column`` among the ids ``found``; among those ``ids`` finds when there were
        too many to hold (None)."""
        return column.in_(ids) if found is None else among(column, found, self.sqlite)


def _capped(total: int, at_most: int | None) -> int:
    return total if at_most is None else min(total, at_most + 1)


class KeyWorkService(Service):
    # ---- reads -------------------------------------------------------------------------

    def _scope(
        self,
        site_id: uuid.UUID | None,
        column: InstrumentedAttribute[uuid.UUID] = KeyWorkSession.site_id,
    ) -> list[ColumnElement[bool]]:
        """The sites to read (``column`` holds the site: the session's unless told)."""
        if site_id is not None:
            self.actor.require(Permission.RESIDENT_READ, site_id)
            return [column == site_id]
        self.actor.require(Permission.RESIDENT_READ)
        if self.actor.is_system:
            return []
        return [column.in_(sorted(self.actor.site_ids))]

    def _conditions(
        self,
        session: Session,
        site_id: uuid.UUID | None,
        resident_id: uuid.UUID | None,
        key_worker_id: uuid.UUID | None,
        date_from: date | None,
        date_to: date | None,
        search: str,
        status: SessionStatus | str | None,
        *,
        ordered: bool = True,
    ) -> list[ColumnElement[bool]]:
        """``ordered``: for a page read in the list's order (see ``_Search.conditions``)."""
        conditions = self._scope(site_id)
        if resident_id is not None:
            conditions.append(Resident.id == resident_id)
        if key_worker_id is not None:
            conditions.append(KeyWorkSession.key_worker_id == key_worker_id)
        if date_from is not None:
            conditions.append(KeyWorkSession.started_at >= day_start(date_from))
        if date_to is not None:
            conditions.append(KeyWorkSession.started_at < day_start(date_to + timedelta(days=1)))
        if status is not None:
            conditions.append(KeyWorkSession.status == SessionStatus(status))
        words = search.strip().lower()
        if words:
            found = _Search(words, self.db.is_sqlite, has_notes_index(self.db))
            conditions.extend(found.conditions(session, ordered=ordered))
        return conditions

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        resident_id: uuid.UUID | None = None,
        key_worker_id: uuid.UUID | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        search: str = "",
        status: SessionStatus | str | None = None,
        order: KeyWorkOrder = NEWEST_FIRST,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[KeyWorkRow]:
        """Newest first unless ``order`` says otherwise; ties in the order by id."""
        with self._reading() as session:
            conditions = self._conditions(
                session, site_id, resident_id, key_worker_id, date_from, date_to, search, status
            )
            query = (
                _joined(select(*_ROW_COLUMNS).select_from(KeyWorkSession))
                .where(*conditions)
                .order_by(*order_clauses(order, _SORTS, KeyWorkSession.id))
            )
            if limit is not None:
                query = query.limit(limit).offset(offset)
            return [_row(found) for found in session.execute(query)]

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        resident_id: uuid.UUID | None = None,
        key_worker_id: uuid.UUID | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        search: str = "",
        status: SessionStatus | str | None = None,
        at_most: int | None = None,
    ) -> int:
        """The sessions ``rows`` would list; no more than ``at_most + 1`` (which means "more
        than ``at_most``") when ``at_most`` is given. A search then stops counting there:
        "m" matches 460,000 of a psychologist's sessions at stress scale, which took a
        second to count, on one of the machine's two cores, while she typed on."""
        with self._reading() as session:
            conditions = self._conditions(
                session,
                site_id,
                resident_id,
                key_worker_id,
                date_from,
                date_to,
                search,
                status,
                ordered=False,
            )
            if resident_id is not None or search.strip():
                matching = _joined(select(KeyWorkSession.id).select_from(KeyWorkSession))
                matching = matching.where(*conditions)
                if at_most is not None:
                    matching = matching.limit(at_most + 1)
                counted = select(func.count()).select_from(matching.subquery())
                return int(session.scalar(counted) or 0)
            # Only the sessions' own columns are filtered: count the live sessions from
            # ix_key_work_sessions_site_archived alone, then take away those of the (few)
            # archived placements or residents, which the list leaves out, instead of joining
            # every session to its placement and resident.
            live = KeyWorkSession.archived_at.is_(None)
            total = session.scalar(
                select(func.count()).select_from(KeyWorkSession).where(live, *conditions)
            )
            archived = session.scalars(
                select(Placement.id)
                .join(Resident, Resident.id == Placement.resident_id)
                .where(
                    or_(Placement.archived_at.is_not(None), Resident.archived_at.is_not(None)),
                    *self._scope(site_id, Placement.site_id),  # a session's site is its placement's
                )
            ).all()
            if not archived:
                return _capped(int(total or 0), at_most)
            hidden = (
                select(func.count())
                .select_from(KeyWorkSession)
                .where(live, KeyWorkSession.placement_id.in_(archived), *conditions)
            )
            return _capped(int(total or 0) - int(session.scalar(hidden) or 0), at_most)

    def get(self, key_work_id: uuid.UUID) -> KeyWorkRow:
        query = _joined(select(*_ROW_COLUMNS).select_from(KeyWorkSession)).where(
            KeyWorkSession.id == key_work_id, *self._scope(None)
        )
        with self._reading() as session:
            found = session.execute(query).first()
            if found is None:
                raise NotFound("that key-work session does not exist or is not at your sites")
            return _row(found)

    def due(
        self, site_id: uuid.UUID, on: date, *, key_worker_id: uuid.UUID | None = None
    ) -> list[DueRow]:
        """Everyone placed at the site on ``on``: their last attended session and when next due;
        with ``key_worker_id``, only those that staff member is a key worker for on that day.

        Four queries whatever the number of residents (placements, the site, last sessions,
        key workers); two when nobody is placed.
        """
        self.actor.require(Permission.RESIDENT_READ, site_id)
        with self._reading() as session:
            query = (
                select(Placement, Resident)
                .join(Resident, Resident.id == Placement.resident_id)
                .where(Placement.site_id == site_id, Resident.archived_at.is_(None), *placed_on(on))
            )
            if key_worker_id is not None:
                query = query.where(
                    Placement.id.in_(
                        select(KeyWorkerAssignment.placement_id).where(
                            KeyWorkerAssignment.staff_member_id == key_worker_id,
                            KeyWorkerAssignment.archived_at.is_(None),
                            KeyWorkerAssignment.from_date <= on,
                            or_(
                                KeyWorkerAssignment.to_date.is_(None),
                                KeyWorkerAssignment.to_date >= on,
                            ),
                        )
                    )
                )
            placements = list(session.execute(query))
            site = get_live(session, Site, site_id, "site")
            if not placements:
                return []
            ids = [placement.id for placement, _ in placements]
            last_query = (
                select(KeyWorkSession.placement_id, func.max(KeyWorkSession.started_at))
                .where(
                    KeyWorkSession.placement_id.in_(ids),
                    KeyWorkSession.archived_at.is_(None),
                    KeyWorkSession.did_not_attend == false(),
                    KeyWorkSession.status == SessionStatus.COMPLETE,
                    KeyWorkSession.started_at < day_start(on + timedelta(days=1)),
                )
                .group_by(KeyWorkSession.placement_id)
            )
            last: dict[uuid.UUID, datetime] = dict(session.execute(last_query).all())
            workers = session.execute(
                select(KeyWorkerAssignment.placement_id, StaffMember)
                .join(StaffMember, StaffMember.id == KeyWorkerAssignment.staff_member_id)
                .where(
                    KeyWorkerAssignment.placement_id.in_(ids),
                    KeyWorkerAssignment.archived_at.is_(None),
                    KeyWorkerAssignment.from_date <= on,
                    or_(KeyWorkerAssignment.to_date.is_(None), KeyWorkerAssignment.to_date >= on),
                )
                .order_by(KeyWorkerAssignment.from_date)
            )
            # On a handover day both assignments match; the later one wins.
            worker_of = {placement_id: (m.id, m.full_name) for placement_id, m in workers}
            every = timedelta(days=site.key_work_frequency_days)
            rows = []
            for placement, resident in placements:
                assert placement.actual_arrival is not None
                last_on = local_day(last[placement.id]) if placement.id in last else None
                next_due = (last_on or placement.actual_arrival) + every
                worker_id, worker_name = worker_of.get(placement.id, (None, ""))
                rows.append(
                    DueRow(
                        placement.id,
                        resident.id,
                        resident.crn,
                        display_name(resident),
                        worker_id,
                        worker_name,
                        placement.actual_arrival,
                        last_on,
                        next_due,
                        max(0, (on - next_due).days),
                    )
                )
        return sorted(rows, key=lambda row: (row.next_due_on, row.resident_name, row.crn))

    # ---- writes ------------------------------------------------------------------------

    @staticmethod
    def _input_checks(data: KeyWorkInput, checks: Checks) -> dict[str, Any]:
        """Checks that need no database; collected so a form can show every problem at once."""
        started = checks.past_time("started_at", data.started_at)
        did_not_attend = bool(data.did_not_attend)
        risk = bool(data.risk_concern)
        values: dict[str, Any] = {
            "started_at": started,
            "duration_minutes": checks.minutes("duration_minutes", data.duration_minutes),
            "planned": bool(data.planned),
            "did_not_attend": did_not_attend,
            "dna_reason": checks.text(
                "dna_reason", data.dna_reason, max_length=SHORT_TEXT, required=False
            ),
            "topics": checks.tags("topics", data.topics),
            "resident_voice": checks.text(
                "resident_voice", data.resident_voice, max_length=LONG_TEXT, required=False
            ),
            "summary": checks.text("summary", data.summary, max_length=LONG_TEXT, required=False),
            "risk_concern": risk,
            "escalation_note": checks.text(
                "escalation_note", data.escalation_note, max_length=LONG_TEXT, required=False
            ),
            "actions_agreed": checks.text(
                "actions_agreed", data.actions_agreed, max_length=LONG_TEXT, required=False
            ),
            "next_session_on": checks.day("next_session_on", data.next_session_on, required=False),
            "status": checks.choice("status", data.status, SessionStatus),
        }
        if did_not_attend and not values["dna_reason"]:
            checks.fail("dna_reason", "is required when the resident did not attend")
        if risk and not values["escalation_note"]:
            checks.fail(
                "escalation_note", "is required when a risk concern is raised: say who was told"
            )
        following = values["next_session_on"]
        if started is not None and following is not None and following <= local_day(started):
            checks.fail("next_session_on", "must be after the day of this session")
        return values

    def _placement_checks(
        self, session: Session, data: KeyWorkInput, started: datetime | None, checks: Checks
    ) -> Placement | None:
        """The placement must be live and the user allowed to record key work at its site."""
        placement = session.get(Placement, data.placement_id)
        resident = session.get(Resident, placement.resident_id) if placement else None
        if placement is None or placement.is_archived or resident is None or resident.is_archived:
            checks.fail("placement_id", "does not exist or has been archived")
            return None
        self.actor.require(Permission.KEY_WORK_WRITE, placement.site_id)
        if started is None:
            return placement
        day = local_day(started)
        arrival, departure = placement.actual_arrival, placement.actual_departure
        if arrival is None:
            checks.fail("placement_id", "the resident has not arrived yet")
        elif day < arrival:
            checks.fail("started_at", f"is before the resident arrived on {arrival:%d %b %Y}")
        elif departure is not None and day > departure:
            checks.fail("started_at", f"is after the resident left on {departure:%d %b %Y}")
        if not works_at(session, data.key_worker_id, placement.site_id, day):
            checks.fail(
                "key_worker_id", "must be a member of staff working at this site on that day"
            )
        return placement

    def record(self, data: KeyWorkInput) -> KeyWorkRow:
        """A new key-work session (draft or complete)."""
        checks = Checks()
        values = self._input_checks(data, checks)
        with self._writing() as session:
            placement = self._placement_checks(session, data, values["started_at"], checks)
            checks.raise_if_any()
            assert placement is not None
            record = KeyWorkSession(
                placement_id=placement.id,
                site_id=placement.site_id,
                key_worker_id=data.key_worker_id,
                **values,
            )
            session.add(record)
            session.flush()
            record_id = record.id
        return self.get(record_id)

    create = record

    def update(self, key_work_id: uuid.UUID, version: int, data: KeyWorkInput) -> KeyWorkRow:
        checks = Checks()
        values = self._input_checks(data, checks)
        with self._writing() as session:
            record = get_live(session, KeyWorkSession, key_work_id, "key-work session")
            self.actor.require(Permission.KEY_WORK_WRITE, record.site_id)
            check_version(record, version)
            placement = self._placement_checks(session, data, values["started_at"], checks)
            checks.raise_if_any()
            assert placement is not None
            record.placement_id = placement.id
            record.site_id = placement.site_id
            record.key_worker_id = data.key_worker_id
            for key, value in values.items():
                setattr(record, key, value)
        return self.get(key_work_id)

    def archive(self, key_work_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            record = get_live(session, KeyWorkSession, key_work_id, "key-work session")
            self.actor.require(Permission.KEY_WORK_WRITE, record.site_id)
            check_version(record, version)
            record.archived_at = utc_now()
