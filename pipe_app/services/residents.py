"""Residents, their placements and key-worker history, scoped to the user's sites.

A resident is visible to a user who works at a site where the resident has (or had) a
placement; nothing about their placements elsewhere is shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from pipe_app.domain import KeyWorkerAssignment, Placement, Resident, Site, StaffMember
from pipe_app.domain.enums import DepartureReason, ReleaseType, RoshLevel, SentenceType
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound, ValidationError
from pipe_app.services.ordering import Order, SortColumns, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.staff import works_at
from pipe_app.services.text_match import holds
from pipe_app.services.validation import Checks
from pipe_app.timeutil import local_today, utc_now

RowQuery = Select[*tuple[Any, ...]]
KEPT_STATEMENTS = 32  # ordered list statements kept a database (``ResidentService._listed``)


@dataclass(frozen=True)
class ResidentInput:
    crn: str
    given_name: str
    family_name: str
    date_of_birth: date
    gender: str
    preferred_name: str | None = None
    pronouns: str | None = None


@dataclass(frozen=True)
class PlacementInput:
    site_id: uuid.UUID
    expected_arrival: date
    expected_departure: date
    sentence_type: SentenceType | str
    release_type: ReleaseType | str
    rosh_overall: RoshLevel | str
    actual_arrival: date | None = None
    actual_departure: date | None = None
    rosh_children: RoshLevel | str | None = None
    rosh_public: RoshLevel | str | None = None
    rosh_known_adult: RoshLevel | str | None = None
    rosh_staff: RoshLevel | str | None = None
    is_pipe: bool = True
    departure_reason: DepartureReason | str | None = None
    departure_notes: str = ""
    key_worker_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ResidentRow:
    """A resident as seen from one of the user's sites (their latest placement there)."""

    id: uuid.UUID
    version: int
    crn: str
    given_name: str
    family_name: str
    preferred_name: str | None
    date_of_birth: date
    gender: str
    pronouns: str | None
    placement_id: uuid.UUID | None
    site_id: uuid.UUID | None
    site_name: str
    arrival: date | None
    expected_departure: date | None
    departure: date | None
    is_pipe: bool

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.given_name
        return f"{first} {self.family_name}"

    def resident_on(self, day: date) -> bool:
        return (
            self.arrival is not None
            and self.arrival <= day
            and (self.departure is None or self.departure >= day)
        )


@dataclass(frozen=True)
class PlacementRow:
    id: uuid.UUID
    version: int
    resident_id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    expected_arrival: date
    actual_arrival: date | None
    expected_departure: date
    actual_departure: date | None
    sentence_type: SentenceType
    release_type: ReleaseType
    rosh_overall: RoshLevel
    rosh_children: RoshLevel | None
    rosh_public: RoshLevel | None
    rosh_known_adult: RoshLevel | None
    rosh_staff: RoshLevel | None
    is_pipe: bool
    departure_reason: DepartureReason | None
    departure_notes: str
    key_worker_id: uuid.UUID | None
    key_worker_name: str


@dataclass(frozen=True)
class AssignmentRow:
    id: uuid.UUID
    placement_id: uuid.UUID
    staff_member_id: uuid.UUID
    staff_name: str
    from_date: date
    to_date: date | None


def placed_on(day: date, placement: Any = Placement) -> list[ColumnElement[bool]]:
    """Conditions: the placement (``Placement`` or an alias of it) had arrived by ``day``
    and not left before it."""
    return [
        placement.archived_at.is_(None),
        placement.actual_arrival.is_not(None),
        placement.actual_arrival <= day,
        or_(placement.actual_departure.is_(None), placement.actual_departure >= day),
    ]


class ResidentSort(StrEnum):
    NAME = "name"
    CRN = "crn"
    SITE = "site"
    PLACEMENT = "placement"
    ARRIVED = "arrived"
    EXPECTED_DEPARTURE = "expected_departure"
    LEFT = "left"


ResidentOrder = Order[ResidentSort]
BY_NAME = ResidentOrder(ResidentSort.NAME)
_SORTS: dict[ResidentSort, SortColumns] = {
    ResidentSort.NAME: (func.lower(Resident.family_name), func.lower(Resident.given_name)),
    ResidentSort.CRN: (Resident.crn,),
    ResidentSort.SITE: (Site.name,),
    ResidentSort.PLACEMENT: (Placement.is_pipe,),
    ResidentSort.ARRIVED: (Placement.actual_arrival,),
    ResidentSort.EXPECTED_DEPARTURE: (Placement.expected_departure,),
    ResidentSort.LEFT: (Placement.actual_departure,),
}
# Orders by the resident's own columns, each along an index of residents.
_OWN_SORTS = frozenset({ResidentSort.NAME, ResidentSort.CRN})


def _stay(
    expected_arrival: date,
    actual_arrival: date | None,
    expected_departure: date,
    actual_departure: date | None,
) -> tuple[date, date]:
    """The days a placement holds the resident: from arrival (or the expected day) to the
    departure; once arrived, until a departure is recorded, whatever was expected."""
    start = actual_arrival or expected_arrival
    if actual_departure is not None:
        return start, actual_departure
    return start, date.max if actual_arrival is not None else expected_departure


def _stay_text(placement: Placement) -> str:
    start = placement.actual_arrival or placement.expected_arrival
    if placement.actual_departure is not None:
        return f"from {start:%d %b %Y} to {placement.actual_departure:%d %b %Y}"
    if placement.actual_arrival is not None:
        return f"from {start:%d %b %Y}, which has no departure recorded yet"
    return f"expected from {start:%d %b %Y} to {placement.expected_departure:%d %b %Y}"


class ResidentService(Service):
    # ---- reads -------------------------------------------------------------------------

    def _sites(self, site_id: uuid.UUID | None) -> list[uuid.UUID] | None:
        """Sites to look at: one the user may read, or all of theirs (None: every site)."""
        if site_id is not None:
            self.actor.require(Permission.RESIDENT_READ, site_id)
            return [site_id]
        self.actor.require(Permission.RESIDENT_READ)
        return None if self.actor.is_system else sorted(self.actor.site_ids)

    @staticmethod
    def _counted(
        placement: Any, sites: list[uuid.UUID] | None, current_on: date | None
    ) -> list[ColumnElement[bool]]:
        """Conditions on a placement (``Placement`` or an alias) for it to count: live, at
        one of ``sites``, placed on ``current_on`` when given."""
        conditions: list[ColumnElement[bool]] = [placement.archived_at.is_(None)]
        if sites is not None:
            conditions.append(placement.site_id.in_(sites))
        if current_on is not None:
            conditions.extend(placed_on(current_on, placement))
        return conditions

    def _latest_of_resident(self, sites: list[uuid.UUID] | None) -> ColumnElement[Any]:
        """The id of ``Resident``'s latest live placement among ``sites``: newest expected
        arrival first, then by id.

        Looked up per resident, so a page in name order walks residents along
        ix_residents_name_order and stops after the page, whatever the planner statistics
        say (a psychologist over ten sites at the stress scale: 1-2 ms, where ranking all
        15,000 placements with a window and sorting them took 100-150 ms).
        """
        latest = aliased(Placement)
        return (
            select(latest.id)
            .where(latest.resident_id == Resident.id, *self._counted(latest, sites, None))
            .order_by(latest.expected_arrival.desc(), latest.id)
            .limit(1)
            .correlate(Resident)
            .scalar_subquery()
        )

    def _is_latest(self, sites: list[uuid.UUID] | None) -> ColumnElement[bool]:
        """``Placement`` is its resident's latest live placement among ``sites``: no other
        of theirs comes before it, newest expected arrival first, then by id (asked per
        placement, along ix_placements_resident_latest)."""
        later = aliased(Placement)
        return ~(
            select(later.id)
            .where(
                later.resident_id == Placement.resident_id,
                *self._counted(later, sites, None),
                or_(
                    later.expected_arrival > Placement.expected_arrival,
                    and_(
                        later.expected_arrival == Placement.expected_arrival,
                        later.id < Placement.id,
                    ),
                ),
            )
            .exists()
        )

    def _latest_on(self, sites: list[uuid.UUID] | None, day: date) -> Subquery:
        """Ids of each resident's latest live placement among ``sites`` of those placed on
        ``day`` (an earlier stay counts on its own days), by ranking that day's few."""
        ranked = (
            select(
                Placement.id,
                func.row_number()
                .over(
                    partition_by=Placement.resident_id,
                    order_by=(Placement.expected_arrival.desc(), Placement.id),
                )
                .label("rank"),
            )
            .where(*self._counted(Placement, sites, day))
            .subquery()
        )
        return select(ranked.c.id).where(ranked.c.rank == 1).subquery()

    # Plain columns, in ResidentRow's field order: no ORM objects to build per row.
    _ROW_COLUMNS = (
        Resident.id,
        Resident.version,
        Resident.crn,
        Resident.given_name,
        Resident.family_name,
        Resident.preferred_name,
        Resident.date_of_birth,
        Resident.gender,
        Resident.pronouns,
        Placement.id,
        Placement.site_id,
        Site.name,
        Placement.actual_arrival,
        Placement.expected_departure,
        Placement.actual_departure,
        Placement.is_pipe,
    )

    def _rows(self, session: Session, query: RowQuery) -> list[ResidentRow]:
        return [ResidentRow(*values) for values in session.execute(query)]

    def _matching(self, search: str) -> list[ColumnElement[bool]]:
        """Each word searched matches a name or the CRN (a ``%`` or ``_`` in it as typed)."""
        sqlite = self.db.is_sqlite
        columns = (
            Resident.crn,
            Resident.given_name,
            Resident.family_name,
            func.coalesce(Resident.preferred_name, ""),
        )
        return [
            or_(*(holds(column, word, sqlite) for column in columns))
            for word in search.lower().split()
        ]

    def _query(
        self,
        sites: list[uuid.UUID] | None,
        search: str,
        current_on: date | None,
        order: ResidentOrder = BY_NAME,
    ) -> RowQuery:
        """The residents ``rows`` lists among ``sites``, in ``order`` (ties by id)."""
        query: RowQuery = select(*self._ROW_COLUMNS).select_from(Resident)
        if current_on is not None:
            # A day's placements are few (a bed holds one): rank just those.
            latest = self._latest_on(sites, current_on)
            query = query.join(Placement, Placement.resident_id == Resident.id).join(
                latest, latest.c.id == Placement.id
            )
        elif (sites is None or len(sites) > 1) and order.key in _OWN_SORTS:
            # Most residents are listed, in an order of their own: walk them along it and
            # look up each one's latest placement, stopping after the page.
            query = query.join(Placement, Placement.id == self._latest_of_resident(sites))
        else:
            # One site's placements (found along site_id, actual_arrival), or an order by
            # the placement: keep the placements with none later.
            query = query.join(Placement, Placement.resident_id == Resident.id).where(
                *self._counted(Placement, sites, None), self._is_latest(sites)
            )
        return (
            query.join(Site, Site.id == Placement.site_id)
            .where(Resident.archived_at.is_(None), *self._matching(search))
            .order_by(*order_clauses(order, _SORTS, Resident.id))
        )

    def _listed(
        self, sites: list[uuid.UUID] | None, current_on: date | None, order: ResidentOrder
    ) -> RowQuery:
        """The ordered statement the list reads its pages of with no words searched, kept by
        the database for the same sites, day and order: opening the list, F5 and each page
        read run it again, and building it took as long as the demo database's answer.

        SQLAlchemy's first compile of a statement changes it (the ORM settles its aliased
        subquery's compile options), and with them its cache key. So a kept statement is
        never the one compiled: the first time it is built twice, the copy read now takes
        that change, and the copy kept keeps the key compiled; and it only ever runs with a
        page's limit (``rows`` builds a search's or an unlimited read afresh). Should the
        compiled form be evicted, the next read compiles the kept copy: one more compile."""
        kept = self.db.statements
        key = ("residents", None if sites is None else tuple(sites), current_on, order)
        query: RowQuery | None = kept.get(key)
        if query is None:
            if len(kept) >= KEPT_STATEMENTS:
                kept.clear()
            kept[key] = self._query(sites, "", current_on, order)
            query = self._query(sites, "", current_on, order)
        return query

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        search: str = "",
        current_on: date | None = None,
        order: ResidentOrder = BY_NAME,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ResidentRow]:
        """Residents by family name unless ``order`` says otherwise (ties by id); each word
        searched must match a name or the CRN."""
        sites = self._sites(site_id)
        if limit is None or search:  # seldom read again: built afresh
            query = self._query(sites, search, current_on, order)
        else:
            query = self._listed(sites, current_on, order)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._reading() as session:
            return self._rows(session, query)

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        search: str = "",
        current_on: date | None = None,
    ) -> int:
        """How many residents ``rows`` would list: those with a placement that counts (each
        has exactly one latest), so no placement is ranked."""
        sites = self._sites(site_id)
        with self._reading() as session:
            placed: ColumnElement[bool]
            if current_on is None and self._most_placements(session, sites):
                # Nearly every resident counts: check each one's own placements (SQLite
                # 15 ms for a psychologist over ten sites, where collecting every placement
                # first took 25 ms).
                placed = (
                    select(Placement.id)
                    .where(
                        Placement.resident_id == Resident.id,
                        *self._counted(Placement, sites, current_on),
                    )
                    .exists()
                )
            else:  # a few sites' or one day's placements: collect them along their index
                placed = Resident.id.in_(
                    select(Placement.resident_id).where(
                        *self._counted(Placement, sites, current_on)
                    )
                )
            query = select(func.count()).where(
                Resident.archived_at.is_(None), placed, *self._matching(search)
            )
            return int(session.scalar(query) or 0)

    @staticmethod
    def _most_placements(session: Session, sites: list[uuid.UUID] | None) -> bool:
        """``sites`` are every site, or most of them (so hold most placements)."""
        if sites is None:
            return True
        if len(sites) < 2:
            return False
        live = session.scalar(select(func.count()).where(Site.archived_at.is_(None))) or 0
        return 2 * len(sites) >= live

    def placed_on(self, site_id: uuid.UUID, day: date) -> list[ResidentRow]:
        """Everyone placed at the site on that day (arrived, not yet departed)."""
        return self.rows(site_id=site_id, current_on=day)

    def get(self, resident_id: uuid.UUID) -> ResidentRow:
        with self._reading() as session:
            query = self._query(self._sites(None), "", None).where(Resident.id == resident_id)
            rows = self._rows(session, query)
        if not rows:
            raise NotFound("that resident does not exist or is not placed at your sites")
        return rows[0]

    def placements(self, resident_id: uuid.UUID) -> list[PlacementRow]:
        sites = self._sites(None)
        with self._reading() as session:
            query = (
                select(Placement, Site.name)
                .join(Site, Site.id == Placement.site_id)
                .where(Placement.resident_id == resident_id, Placement.archived_at.is_(None))
                .order_by(Placement.expected_arrival.desc())
            )
            if sites is not None:
                query = query.where(Placement.site_id.in_(sites))
            rows = [self._placement_row(session, p, name) for p, name in session.execute(query)]
        if not rows:
            raise NotFound("that resident does not exist or is not placed at your sites")
        return rows

    def placement(self, placement_id: uuid.UUID) -> PlacementRow:
        """One placement at the user's sites; another site's is "not found", as in ``get``."""
        self.actor.require(Permission.RESIDENT_READ)
        with self._reading() as session:
            placement = session.get(Placement, placement_id)
            if (
                placement is None
                or placement.archived_at is not None
                or not self.actor.can(Permission.RESIDENT_READ, placement.site_id)
            ):
                raise NotFound("that placement does not exist or is not at your sites")
            site_name = session.get_one(Site, placement.site_id).name
            return self._placement_row(session, placement, site_name)

    def key_worker_history(self, placement_id: uuid.UUID) -> list[AssignmentRow]:
        with self._reading() as session:
            placement = get_live(session, Placement, placement_id, "placement")
            self.actor.require(Permission.RESIDENT_READ, placement.site_id)
            query = (
                select(KeyWorkerAssignment, StaffMember)
                .join(StaffMember, StaffMember.id == KeyWorkerAssignment.staff_member_id)
                .where(
                    KeyWorkerAssignment.placement_id == placement_id,
                    KeyWorkerAssignment.archived_at.is_(None),
                )
                .order_by(KeyWorkerAssignment.from_date)
            )
            return [
                AssignmentRow(a.id, a.placement_id, m.id, m.full_name, a.from_date, a.to_date)
                for a, m in session.execute(query)
            ]

    def _placement_row(
        self, session: Session, placement: Placement, site_name: str
    ) -> PlacementRow:
        current = session.execute(
            select(StaffMember.id, StaffMember.given_name, StaffMember.family_name)
            .join(KeyWorkerAssignment, KeyWorkerAssignment.staff_member_id == StaffMember.id)
            .where(
                KeyWorkerAssignment.placement_id == placement.id,
                KeyWorkerAssignment.to_date.is_(None),
                KeyWorkerAssignment.archived_at.is_(None),
            )
        ).first()
        return PlacementRow(
            placement.id,
            placement.version,
            placement.resident_id,
            placement.site_id,
            site_name,
            placement.expected_arrival,
            placement.actual_arrival,
            placement.expected_departure,
            placement.actual_departure,
            placement.sentence_type,
            placement.release_type,
            placement.rosh_overall,
            placement.rosh_children,
            placement.rosh_public,
            placement.rosh_known_adult,
            placement.rosh_staff,
            placement.is_pipe,
            placement.departure_reason,
            placement.departure_notes,
            current[0] if current else None,
            f"{current[1]} {current[2]}" if current else "",
        )

    # ---- writes ------------------------------------------------------------------------

    @staticmethod
    def _resident_checks(data: ResidentInput, checks: Checks) -> dict[str, object]:
        values: dict[str, object] = {
            "crn": checks.crn("crn", data.crn),
            "given_name": checks.name("given_name", data.given_name),
            "family_name": checks.name("family_name", data.family_name),
            "preferred_name": checks.name("preferred_name", data.preferred_name, required=False)
            or None,
            "date_of_birth": checks.day("date_of_birth", data.date_of_birth),
            "gender": checks.text("gender", data.gender, max_length=40),
            "pronouns": checks.text("pronouns", data.pronouns, max_length=40, required=False)
            or None,
        }
        born = values["date_of_birth"]
        if isinstance(born, date) and born > local_today():
            checks.fail("date_of_birth", "cannot be in the future")
        return values

    @staticmethod
    def _placement_checks(data: PlacementInput, checks: Checks) -> dict[str, object]:
        values: dict[str, object] = {
            "site_id": data.site_id,
            "expected_arrival": checks.day("expected_arrival", data.expected_arrival),
            "actual_arrival": checks.day("actual_arrival", data.actual_arrival, required=False),
            "expected_departure": checks.day("expected_departure", data.expected_departure),
            "actual_departure": checks.day(
                "actual_departure", data.actual_departure, required=False
            ),
            "sentence_type": checks.choice("sentence_type", data.sentence_type, SentenceType),
            "release_type": checks.choice("release_type", data.release_type, ReleaseType),
            "rosh_overall": checks.choice("rosh_overall", data.rosh_overall, RoshLevel),
            "rosh_children": checks.choice(
                "rosh_children", data.rosh_children, RoshLevel, required=False
            ),
            "rosh_public": checks.choice(
                "rosh_public", data.rosh_public, RoshLevel, required=False
            ),
            "rosh_known_adult": checks.choice(
                "rosh_known_adult", data.rosh_known_adult, RoshLevel, required=False
            ),
            "rosh_staff": checks.choice("rosh_staff", data.rosh_staff, RoshLevel, required=False),
            "is_pipe": bool(data.is_pipe),
            "departure_reason": checks.choice(
                "departure_reason", data.departure_reason, DepartureReason, required=False
            ),
            "departure_notes": checks.text(
                "departure_notes", data.departure_notes, max_length=4000, required=False
            ),
        }
        checks.order(
            "expected_arrival", data.expected_arrival, "expected_departure", data.expected_departure
        )
        checks.order(
            "actual_arrival", data.actual_arrival, "actual_departure", data.actual_departure
        )
        if data.actual_departure is not None and data.actual_arrival is None:
            checks.fail("actual_departure", "needs an actual arrival date first")
        if data.actual_departure is not None and data.departure_reason is None:
            checks.fail("departure_reason", "is required once the resident has departed")
        if data.actual_departure is None and data.departure_reason is not None:
            checks.fail("departure_reason", "only applies once the resident has departed")
        today = local_today()
        for field in ("actual_arrival", "actual_departure"):
            day = getattr(data, field)
            if isinstance(day, date) and day > today:
                checks.fail(field, "cannot be in the future (use the expected date)")
        return values

    def _check_key_worker(
        self, session: Session, staff_member_id: uuid.UUID, site_id: uuid.UUID, day: date
    ) -> None:
        if not works_at(session, staff_member_id, site_id, day):
            raise ValidationError.single(
                "key_worker", "must be a member of staff working at the resident's site"
            )

    def admit(self, resident: ResidentInput, placement: PlacementInput) -> ResidentRow:
        """A new resident with their first placement (or a new placement for a known CRN)."""
        self.actor.require(Permission.RESIDENT_WRITE, placement.site_id)
        checks = Checks()
        resident_values = self._resident_checks(resident, checks)
        placement_values = self._placement_checks(placement, checks)
        checks.raise_if_any()
        with self._writing() as session:
            existing = session.scalars(
                select(Resident).where(Resident.crn == resident_values["crn"])
            ).one_or_none()
            if existing is not None and existing.archived_at is not None:
                raise ValidationError.single("crn", "belongs to an archived resident; restore them")
            record = existing or Resident(**resident_values)
            session.add(record)
            session.flush()
            self._place(session, record.id, placement, placement_values)
            resident_id = record.id
        return self.get(resident_id)

    def _place(
        self,
        session: Session,
        resident_id: uuid.UUID,
        data: PlacementInput,
        values: dict[str, object],
    ) -> Placement:
        """A checked new placement of the resident, with its first key worker if chosen."""
        get_live(session, Site, data.site_id, "site")
        # Two desktops placing the same resident at once: the second waits, then sees the first.
        session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())
        self._check_overlap(session, resident_id, data, None)
        new = Placement(resident_id=resident_id, **values)
        session.add(new)
        session.flush()
        if data.key_worker_id is not None:
            start = data.actual_arrival or data.expected_arrival
            self._check_key_worker(session, data.key_worker_id, data.site_id, start)
            session.add(
                KeyWorkerAssignment(
                    placement_id=new.id, staff_member_id=data.key_worker_id, from_date=start
                )
            )
            session.flush()
        return new

    def _check_overlap(
        self,
        session: Session,
        resident_id: uuid.UUID,
        data: PlacementInput,
        exclude: uuid.UUID | None,
    ) -> None:
        """A resident is placed once at a time: refuse a stay that meets another, naming the
        date that runs into it (its dates only where the user may see that placement)."""
        start, end = _stay(
            data.expected_arrival,
            data.actual_arrival,
            data.expected_departure,
            data.actual_departure,
        )
        query = select(Placement, Site.name).join(Site, Site.id == Placement.site_id)
        query = query.where(Placement.resident_id == resident_id, Placement.archived_at.is_(None))
        for other, site_name in session.execute(query):
            if other.id == exclude:
                continue
            other_start, other_end = _stay(
                other.expected_arrival,
                other.actual_arrival,
                other.expected_departure,
                other.actual_departure,
            )
            if start <= other_end and other_start <= end:
                if other_start > start:  # the new stay runs on into the other one
                    field = "actual_departure" if data.actual_departure else "expected_departure"
                else:
                    field = "actual_arrival" if data.actual_arrival else "expected_arrival"
                if not self.actor.can(Permission.RESIDENT_READ, other.site_id):
                    raise ValidationError.single(
                        field, "overlaps another placement of this resident"
                    )
                raise ValidationError.single(
                    field, f"overlaps the placement at {site_name} {_stay_text(other)}"
                )

    def update(self, resident_id: uuid.UUID, version: int, data: ResidentInput) -> ResidentRow:
        checks = Checks()
        values = self._resident_checks(data, checks)
        checks.raise_if_any()
        current = self.get(resident_id)  # visibility
        assert current.site_id is not None
        self.actor.require(Permission.RESIDENT_WRITE, current.site_id)
        with self._writing() as session:
            resident = get_live(session, Resident, resident_id, "resident")
            check_version(resident, version)
            clash = session.scalars(
                select(Resident.id).where(Resident.crn == values["crn"], Resident.id != resident_id)
            ).first()
            if clash is not None:
                raise ValidationError.single("crn", "belongs to another resident")
            for key, value in values.items():
                setattr(resident, key, value)
        return self.get(resident_id)

    def add_placement(self, resident_id: uuid.UUID, data: PlacementInput) -> PlacementRow:
        """Another stay for a resident already known here (a return after a placement ended).
        Refused while it would meet any other placement of theirs, at any site."""
        self.get(resident_id)  # visible at the user's sites
        self.actor.require(Permission.RESIDENT_WRITE, data.site_id)
        checks = Checks()
        values = self._placement_checks(data, checks)
        checks.raise_if_any()
        with self._writing() as session:
            get_live(session, Resident, resident_id, "resident")
            placement = self._place(session, resident_id, data, values)
            site_name = session.get_one(Site, placement.site_id).name
            return self._placement_row(session, placement, site_name)

    def update_placement(
        self, placement_id: uuid.UUID, version: int, data: PlacementInput
    ) -> PlacementRow:
        checks = Checks()
        values = self._placement_checks(data, checks)
        checks.raise_if_any()
        with self._writing() as session:
            placement = get_live(session, Placement, placement_id, "placement")
            self.actor.require(Permission.RESIDENT_WRITE, placement.site_id)
            if data.site_id != placement.site_id:
                raise ValidationError.single(
                    "site", "a placement cannot move between sites; record a new placement"
                )
            check_version(placement, version)
            self._check_overlap(session, placement.resident_id, data, placement.id)
            self._end_key_work_on_departure(placement, data.actual_departure)
            for key, value in values.items():
                setattr(placement, key, value)
            session.flush()
            site_name = session.get_one(Site, placement.site_id).name
            return self._placement_row(session, placement, site_name)

    @staticmethod
    def _end_key_work_on_departure(placement: Placement, departure: date | None) -> None:
        """The last key worker's assignment ends on the day the resident leaves; correcting
        or clearing the departure moves or reopens that end."""
        live = [a for a in placement.key_worker_assignments if a.archived_at is None]
        if not live:
            return
        last = max(live, key=lambda assignment: assignment.from_date)
        if last.to_date is not None and last.to_date != placement.actual_departure:
            return  # handed over before the recorded departure: not the departure's end
        if departure is not None and departure < last.from_date:
            raise ValidationError.single(
                "actual_departure",
                f"cannot be before the current key worker started ({last.from_date:%d %b %Y})",
            )
        last.to_date = departure

    def assign_key_worker(
        self, placement_id: uuid.UUID, staff_member_id: uuid.UUID, from_date: date
    ) -> list[AssignmentRow]:
        """Hand the placement to a new key worker; the previous assignment ends that day.

        A change on the day the current key worker started corrects that assignment: it is
        archived (the audit trail keeps it) rather than left lasting no time at all.
        """
        checks = Checks()
        checks.day("from_date", from_date)
        checks.raise_if_any()
        with self._writing() as session:
            placement = get_live(session, Placement, placement_id, "placement")
            self.actor.require(Permission.RESIDENT_WRITE, placement.site_id)
            left = placement.actual_departure
            if left is not None and from_date >= left:
                raise ValidationError.single(
                    "from_date", f"must be before the resident left ({left:%d %b %Y})"
                )
            self._check_key_worker(session, staff_member_id, placement.site_id, from_date)
            for assignment in placement.key_worker_assignments:
                if assignment.archived_at is not None:
                    continue
                latest = assignment.to_date == left  # open, or ended by the departure
                if latest and assignment.staff_member_id == staff_member_id:
                    raise ValidationError.single("key_worker", "is already the key worker")
                if latest and assignment.from_date == from_date:
                    assignment.archived_at = utc_now()
                elif assignment.from_date >= from_date:
                    raise ValidationError.single(
                        "from_date", "must be after the current key worker's start date"
                    )
                elif latest:
                    assignment.to_date = from_date
            session.add(
                KeyWorkerAssignment(
                    placement_id=placement.id,
                    staff_member_id=staff_member_id,
                    from_date=from_date,
                    to_date=left,
                )
            )
        return self.key_worker_history(placement_id)

    def archive(self, resident_id: uuid.UUID, version: int) -> None:
        current = self.get(resident_id)
        assert current.site_id is not None
        self.actor.require(Permission.RESIDENT_WRITE, current.site_id)
        with self._writing() as session:
            resident = get_live(session, Resident, resident_id, "resident")
            check_version(resident, version)
            resident.archived_at = utc_now()
