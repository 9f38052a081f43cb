"""Who is up to date with the supervision their job role requires, and how a site did over time.

Only signed-off (locked) records count: a draft or unacknowledged record is not yet evidence
for an audit. A supervision is dated by the UK day it started. The day a supervision falls
due it is "due soon"; from the day after it is overdue. Someone never supervised is "never".
Every read runs a fixed number of queries however many staff a site has.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, Select, func, select, union_all
from sqlalchemy.orm import Session

from pipe_app.domain import (
    Site,
    StaffMember,
    StaffSite,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
)
from pipe_app.domain.enums import Role, StaffRole, SupervisionKind, SupervisionStatus
from pipe_app.services.base import Service
from pipe_app.services.permissions import Permission
from pipe_app.timeutil import add_months, day_start, local_day, local_today

DUE_SOON_DAYS = 7
SERIES_MONTHS = 12
COUNTED = (SupervisionStatus.SIGNED_OFF, SupervisionStatus.LOCKED)
OVERSEERS = frozenset({Role.MANAGER, Role.PSYCHOLOGIST})

ComplianceStatus = Literal["on time", "due soon", "overdue", "never"]
MET: frozenset[str] = frozenset({"on time", "due soon"})


@dataclass(frozen=True)
class ComplianceRow:
    """One member of staff against one requirement that applies to their job role."""

    site_id: uuid.UUID
    staff_member_id: uuid.UUID
    staff_name: str
    job_role: StaffRole
    kind: SupervisionKind
    frequency_days: int
    last_on: date | None
    next_due: date
    days_overdue: int
    status: ComplianceStatus

    @property
    def met(self) -> bool:
        return self.status in MET


@dataclass(frozen=True)
class CompliancePoint:
    """A month of the series: the share of staff-requirements met at its end."""

    month: date
    measured_on: date
    required: int
    met: int

    @property
    def percent(self) -> float | None:
        return None if self.required == 0 else round(100 * self.met / self.required, 1)

    @property
    def label(self) -> str:
        return self.month.strftime("%b %Y")


@dataclass(frozen=True)
class ComplianceOverview:
    """What the Compliance tab shows for one site: today's rows and the monthly series."""

    rows: list[ComplianceRow]
    points: list[CompliancePoint]


@dataclass(frozen=True)
class _Member:
    id: uuid.UUID
    name: str
    job_role: StaffRole
    start_date: date
    end_date: date | None

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


@dataclass(frozen=True)
class _Data:
    requirements: list[tuple[uuid.UUID, StaffRole, SupervisionKind, int]]
    members: list[tuple[uuid.UUID, _Member]]  # (site, member): a member may work at both
    # (staff, kind) -> UK days they were supervised on: every one from the first day asked
    # about, and the latest before it
    supervised: dict[tuple[uuid.UUID, SupervisionKind], list[date]]


def status_on(
    last_on: date | None, frequency_days: int, start_date: date, on: date
) -> tuple[date, int, ComplianceStatus]:
    """Next due date, days overdue and status on ``on``; with no supervision yet, the first
    is due ``frequency_days`` after the person started."""
    due = (last_on or start_date) + timedelta(days=frequency_days)
    overdue = max(0, (on - due).days)
    if last_on is None:
        return due, overdue, "never"
    if overdue > 0:
        return due, overdue, "overdue"
    if (due - on).days <= DUE_SOON_DAYS:
        return due, 0, "due soon"
    return due, 0, "on time"


def _last_on_or_before(days: Iterable[date], on: date) -> date | None:
    return max((day for day in days if day <= on), default=None)


def month_ends(on: date, months: int = SERIES_MONTHS) -> list[tuple[date, date]]:
    """(first of month, day measured) for the ``months`` months ending with the one of ``on``;
    the current month is measured on ``on`` itself, the others on their last day."""
    first = on.replace(day=1)
    points = []
    for back in range(months - 1, -1, -1):
        start = add_months(first, -back)
        end = add_months(start, 1) - timedelta(days=1)
        points.append((start, min(end, on)))
    return points


class SupervisionComplianceService(Service):
    def _sites(self, site_id: uuid.UUID | None) -> list[uuid.UUID]:
        """The one site asked for, or every site the actor reads supervision at."""
        if site_id is not None:
            self.actor.require(Permission.SUPERVISION_READ, site_id)
            return [site_id]
        self.actor.require(Permission.SUPERVISION_READ)
        if self.actor.is_system:
            with self._reading() as session:
                return list(session.scalars(select(Site.id).where(Site.archived_at.is_(None))))
        return sorted(
            s for s in self.actor.site_ids if self.actor.can(Permission.SUPERVISION_READ, s)
        )

    def _only_me(self) -> uuid.UUID | None:
        """Managers and psychologists see everyone; anyone else sees only their own line."""
        if self.actor.is_system or self.actor.roles & OVERSEERS:
            return None
        return self.actor.staff_member_id or uuid.UUID(int=0)

    def _load(self, session: Session, sites: list[uuid.UUID], since: date, until: date) -> _Data:
        """Three queries: requirements, the sites' staff, and their signed-off supervision as
        needed to judge any day from ``since`` to ``until``."""
        requirements = [
            (site, role, kind, days)
            for site, role, kind, days in session.execute(
                select(
                    SupervisionRequirement.site_id,
                    SupervisionRequirement.job_role,
                    SupervisionRequirement.kind,
                    SupervisionRequirement.frequency_days,
                )
                .where(
                    SupervisionRequirement.site_id.in_(sites),
                    SupervisionRequirement.archived_at.is_(None),
                )
                .order_by(SupervisionRequirement.kind)
            )
        ]
        staff_query = (
            select(
                StaffSite.site_id,
                StaffMember.id,
                StaffMember.given_name,
                StaffMember.family_name,
                StaffMember.job_role,
                StaffMember.start_date,
                StaffMember.end_date,
            )
            .join(StaffSite, StaffSite.staff_member_id == StaffMember.id)
            .where(
                StaffSite.site_id.in_(sites),
                StaffSite.archived_at.is_(None),
                StaffMember.archived_at.is_(None),
            )
            .order_by(StaffMember.family_name, StaffMember.given_name, StaffMember.id)
        )
        me = self._only_me()
        if me is not None:
            staff_query = staff_query.where(StaffMember.id == me)
        members = [
            (row[0], _Member(row[1], f"{row[2]} {row[3]}", row[4], row[5], row[6]))
            for row in session.execute(staff_query)
        ]
        their_ids = staff_query.with_only_columns(StaffMember.id).order_by(None)
        kinds = sorted({kind for _, _, kind, _ in requirements})
        supervised: dict[tuple[uuid.UUID, SupervisionKind], list[date]] = {}
        if members and kinds:
            staff_id = SupervisionSupervisee.staff_member_id
            started = SupervisionSession.started_at
            window = day_start(since)

            def counted(
                *conditions: ColumnElement[bool],
            ) -> Select[uuid.UUID, SupervisionKind, datetime]:
                return (
                    select(staff_id, SupervisionSession.kind, started)
                    .join(
                        SupervisionSession,
                        SupervisionSession.id == SupervisionSupervisee.session_id,
                    )
                    .where(
                        SupervisionSupervisee.archived_at.is_(None),
                        SupervisionSession.archived_at.is_(None),
                        SupervisionSession.status.in_(COUNTED),
                        SupervisionSession.kind.in_(kinds),
                        staff_id.in_(their_ids.scalar_subquery()),
                        *conditions,
                    )
                )

            # Every supervision from ``since`` on, and before it only each person's latest of
            # each kind (all a day from ``since`` on can need): years of history stay in SQL.
            recent = counted(started >= window, started < day_start(until + timedelta(days=1)))
            latest_before = (
                counted(started < window)
                .with_only_columns(staff_id, SupervisionSession.kind, func.max(started))
                .group_by(staff_id, SupervisionSession.kind)
            )
            for member_id, kind, started_at in session.execute(union_all(recent, latest_before)):
                supervised.setdefault((member_id, kind), []).append(local_day(started_at))
        return _Data(requirements, members, supervised)

    @staticmethod
    def _evaluate(data: _Data, on: date) -> list[ComplianceRow]:
        rows = []
        for site_id, member in data.members:
            if not member.active_on(on):
                continue
            for site, role, kind, days in data.requirements:
                if site != site_id or role != member.job_role:
                    continue
                last = _last_on_or_before(data.supervised.get((member.id, kind), ()), on)
                due, overdue, status = status_on(last, days, member.start_date, on)
                rows.append(
                    ComplianceRow(
                        site_id,
                        member.id,
                        member.name,
                        member.job_role,
                        kind,
                        days,
                        last,
                        due,
                        overdue,
                        status,
                    )
                )
        return rows

    def rows(self, site_id: uuid.UUID | None = None, on: date | None = None) -> list[ComplianceRow]:
        """Each member of staff against each requirement for their role: at one site, or
        (``site_id`` None) at every site the actor reads supervision at, site by site."""
        sites = self._sites(site_id)
        day = on or local_today()
        with self._reading() as session:
            data = self._load(session, sites, day, day)
        order = {site: n for n, site in enumerate(sites)}
        return sorted(self._evaluate(data, day), key=lambda row: order[row.site_id])

    def series(
        self, site_id: uuid.UUID, on: date | None = None, months: int = SERIES_MONTHS
    ) -> list[CompliancePoint]:
        """Per month, oldest first: of the staff-requirements in force, how many were met."""
        sites = self._sites(site_id)
        day = on or local_today()
        with self._reading() as session:
            data = self._load(session, sites, month_ends(day, months)[0][0], day)
        return self._points(data, day, months)

    def overview(self, site_id: uuid.UUID, on: date | None = None) -> ComplianceOverview:
        """``rows`` and ``series`` of one site from a single read of its supervision."""
        sites = self._sites(site_id)
        day = on or local_today()
        with self._reading() as session:
            data = self._load(session, sites, month_ends(day, SERIES_MONTHS)[0][0], day)
        return ComplianceOverview(self._evaluate(data, day), self._points(data, day, SERIES_MONTHS))

    def _points(self, data: _Data, day: date, months: int) -> list[CompliancePoint]:
        points = []
        for month, measured in month_ends(day, months):
            rows = self._evaluate(data, measured)
            points.append(CompliancePoint(month, measured, len(rows), sum(r.met for r in rows)))
        return points
