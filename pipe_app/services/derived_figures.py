"""Figures for the evidence pack computed from the operational records, never typed in.

Each figure says in one sentence how it was computed and gives its numbers, so an assessor
can check it. Figures hold no resident's name: a per-resident point carries only the
resident's id, and whoever shows it (the evidence pack) gives it a pseudonym.

Which standards each figure speaks to is a site setting (``Site.settings
["derived_figure_standards"]``, standard names), with ``DEFAULT_STANDARDS`` until a manager
changes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from pipe_app.domain import (
    Attendance,
    GroupSession,
    KeyWorkSession,
    Placement,
    Site,
    StaffMember,
    StaffSite,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
    TrainingCourse,
    TrainingRecord,
)
from pipe_app.domain.enums import (
    AttendanceCode,
    GroupKind,
    GroupStatus,
    SessionStatus,
    StaffRole,
    SupervisionStatus,
)
from pipe_app.services.base import Service, get_live
from pipe_app.services.errors import ValidationError
from pipe_app.services.permissions import Permission
from pipe_app.services.validation import Checks
from pipe_app.timeutil import day_start, local_day

SETTING = "derived_figure_standards"
KEY_WORK, CREATIVE, COMMUNITY, TRAINING, SUPERVISION = (
    "key_work",
    "socially_creative",
    "community_meetings",
    "training",
    "supervision",
)
DEFAULT_STANDARDS: dict[str, tuple[str, ...]] = {
    KEY_WORK: ("Structure", "Belonging"),
    CREATIVE: ("Structure", "Involvement", "Development"),
    COMMUNITY: ("Involvement", "Empowerment"),
    TRAINING: ("Development", "Leadership"),
    SUPERVISION: ("Safety", "Leadership"),
}
# Attendance codes that say the resident was not expected: left out of the rate.
NOT_EXPECTED = frozenset({AttendanceCode.SESSION_CANCELLED, AttendanceCode.NOT_REQUIRED})
SIGNED_OFF = frozenset({SupervisionStatus.SIGNED_OFF, SupervisionStatus.LOCKED})


@dataclass(frozen=True)
class Point:
    """One bar of a figure's chart; ``resident_id`` is set when the bar is one resident."""

    label: str
    value: float
    resident_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    method: str
    numbers: tuple[tuple[str, str], ...]
    chart_title: str
    points: tuple[Point, ...]
    standards: tuple[str, ...]
    percent: float | None = None


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def percent(part: float, whole: float) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def show_percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}%"


def days_placed(arrival: date, departure: date | None, period: Period) -> int:
    """Days of the period the resident was placed (arrival and departure days count)."""
    first = max(arrival, period.start)
    last = min(departure or period.end, period.end)
    return max(0, (last - first).days + 1)


def expected_sessions(days: int, frequency_days: int) -> int:
    """Whole sessions due in ``days`` at one every ``frequency_days`` (none for a short stay)."""
    return days // max(1, frequency_days)


def month_firsts(period: Period) -> list[date]:
    """The first day of each calendar month the period touches (the first may precede it)."""
    firsts, day = [], period.start.replace(day=1)
    while day <= period.end:
        firsts.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return firsts


def month_labels(period: Period) -> list[str]:
    return [f"{day:%b %Y}" for day in month_firsts(period)]


def supervision_compliant(last_on: date | None, frequency_days: int, on: date) -> bool:
    """Compliant while the last signed-off supervision is at most ``frequency_days`` old."""
    return last_on is not None and (on - last_on).days <= frequency_days


def figure_standards(settings: Mapping[str, object] | None) -> dict[str, tuple[str, ...]]:
    """The site's mapping, falling back to the default for any figure it does not name."""
    mapping = dict(DEFAULT_STANDARDS)
    stored = (settings or {}).get(SETTING)
    if isinstance(stored, dict):
        for key, names in stored.items():
            if key in mapping and isinstance(names, list):
                mapping[key] = tuple(str(name) for name in names)
    return mapping


class DerivedFigureService(Service):
    def figures(self, site_id: uuid.UUID, start: date, end: date) -> list[Figure]:
        """Every figure for the site over ``start``..``end`` (inclusive), counted by the
        database: one session of a few aggregate statements, however long the history."""
        self.actor.require(Permission.EVIDENCE_READ, site_id)
        if end < start:
            raise ValidationError.single("end", "must be on or after the start of the period")
        period = Period(start, end)
        with self._reading() as session:
            site = get_live(session, Site, site_id, "site")
            mapping = figure_standards(site.settings)
            frequency = site.key_work_frequency_days
            groups = _group_counts(session, site_id, period)
            staff = _staff(session, site_id, end)
            return [
                _key_work(session, site_id, period, frequency, mapping[KEY_WORK]),
                _creative(
                    session, site_id, period, groups[GroupKind.SOCIALLY_CREATIVE], mapping[CREATIVE]
                ),
                _community(period, groups[GroupKind.COMMUNITY_MEETING], mapping[COMMUNITY]),
                _training(session, staff, end, mapping[TRAINING]),
                _supervision(session, site_id, staff, end, mapping[SUPERVISION]),
            ]

    def standards_mapping(self, site_id: uuid.UUID) -> dict[str, tuple[str, ...]]:
        self.actor.require(Permission.EVIDENCE_READ, site_id)
        with self._reading() as session:
            return figure_standards(get_live(session, Site, site_id, "site").settings)

    def set_standards_mapping(
        self, site_id: uuid.UUID, mapping: Mapping[str, Iterable[str]]
    ) -> dict[str, tuple[str, ...]]:
        """A manager chooses which standards each figure is shown under in the pack."""
        checks = Checks()
        cleaned: dict[str, list[str]] = {}
        for key, names in mapping.items():
            if key not in DEFAULT_STANDARDS:
                checks.fail(key, f"is not a figure; choose from {', '.join(DEFAULT_STANDARDS)}")
                continue
            chosen = [checks.text(key, name, max_length=120) for name in names]
            cleaned[key] = list(dict.fromkeys(name for name in chosen if name))
        checks.raise_if_any()
        self.actor.require(Permission.ACCREDITATION_MANAGE, site_id)
        with self._writing() as session:
            site = get_live(session, Site, site_id, "site")
            settings = dict(site.settings or {})
            stored = dict(settings.get(SETTING) or {})
            stored.update(cleaned)
            settings[SETTING] = stored
            site.settings = settings  # a new dict, so the JSON change is seen and audited
            session.flush()
            return figure_standards(site.settings)


# ---- the figures ----------------------------------------------------------------------


def _day_range(column: Any, start: date, end: date) -> ColumnElement[bool]:
    """The stored time falls on a UK day from ``start`` to ``end`` (inclusive)."""
    return and_(column >= day_start(start), column < day_start(end + timedelta(days=1)))


def _by_id(item: tuple[uuid.UUID, Any]) -> int:
    """Sorts by id as ids sort, comparing numbers rather than ``UUID`` objects."""
    return item[0].int


def _key_work(
    session: Session, site_id: uuid.UUID, period: Period, frequency: int, standards: tuple[str, ...]
) -> Figure:
    held = (
        select(func.count())  # count(*): a covering index on the sessions would answer it
        .select_from(KeyWorkSession)
        .where(
            KeyWorkSession.placement_id == Placement.id,
            KeyWorkSession.site_id == site_id,
            KeyWorkSession.archived_at.is_(None),
            KeyWorkSession.status == SessionStatus.COMPLETE,
            KeyWorkSession.did_not_attend == false(),
            _day_range(KeyWorkSession.started_at, period.start, period.end),
        )
        .correlate(Placement)
        .scalar_subquery()
    )
    placements = session.execute(
        select(
            Placement.resident_id, Placement.actual_arrival, Placement.actual_departure, held
        ).where(
            Placement.site_id == site_id,
            Placement.archived_at.is_(None),
            Placement.actual_arrival.is_not(None),
            Placement.actual_arrival <= period.end,
            or_(
                Placement.actual_departure.is_(None),
                Placement.actual_departure >= period.start,
            ),
        )
    ).all()
    per_resident: dict[uuid.UUID, list[int]] = {}
    for resident_id, arrival, departure, sessions in placements:
        assert arrival is not None  # the query keeps arrived placements only
        expected = expected_sessions(days_placed(arrival, departure, period), frequency)
        totals = per_resident.setdefault(resident_id, [0, 0])
        totals[0] += sessions
        totals[1] += expected
    counted = {rid: t for rid, t in per_resident.items() if t[1] > 0}
    held_total = sum(t[0] for t in counted.values())
    expected_total = sum(t[1] for t in counted.values())
    met = sum(min(t[0], t[1]) for t in counted.values())
    overall = percent(met, expected_total)
    points = tuple(
        Point(f"Resident {n}", min(100.0, percent(t[0], t[1]) or 0.0), rid)
        for n, (rid, t) in enumerate(sorted(counted.items(), key=_by_id), start=1)
    )
    return Figure(
        KEY_WORK,
        "Key-work sessions held against expected",
        f"For each resident placed during the period, sessions expected are the days placed "
        f"in the period divided by the site's frequency of one session every {frequency} "
        "days (whole sessions); sessions held are completed key-work sessions the resident "
        "attended. Compliance counts held sessions up to the number expected, over all "
        "expected sessions.",
        (
            ("Residents with key work due", str(len(counted))),
            ("Sessions held", str(held_total)),
            ("Sessions expected", str(expected_total)),
            ("Compliance", show_percent(overall)),
        ),
        "Key-work compliance per resident (%)",
        points,
        standards,
        overall,
    )


@dataclass(frozen=True)
class GroupCounts:
    held: int
    planned_by_residents: int
    by_month: tuple[Point, ...]


def _held_groups(site_id: uuid.UUID, period: Period) -> ColumnElement[bool]:
    return and_(
        GroupSession.site_id == site_id,
        GroupSession.archived_at.is_(None),
        GroupSession.status == GroupStatus.HELD,
        _day_range(GroupSession.started_at, period.start, period.end),
    )


def _group_counts(
    session: Session, site_id: uuid.UUID, period: Period
) -> dict[GroupKind, GroupCounts]:
    """Held sessions of each kind in the period, how many residents planned, and how many
    fell in each calendar month (UK days), counted in one statement: each session's month
    is the number of months after the first that have begun by its start."""
    months = month_firsts(period)
    starts = [day_start(first) for first in months[1:]]
    month: ColumnElement[int] = (
        case(
            *((GroupSession.started_at < begun, n) for n, begun in enumerate(starts)),
            else_=len(starts),
        ).label("month")
        if starts
        else literal(0).label("month")  # one month: nothing to group by
    )
    found: dict[GroupKind, list[int]] = {}
    for kind, index, held, planned in session.execute(
        select(
            GroupSession.kind,
            month,
            func.count(),
            func.count(case((GroupSession.planned_by_residents == true(), 1))),
        )
        .where(_held_groups(site_id, period))
        .group_by(GroupSession.kind, *([month] if starts else []))
    ):
        totals = found.setdefault(kind, [0, 0] + [0] * len(months))
        totals[0] += held
        totals[1] += planned
        totals[2 + index] = held
    counts = {}
    for kind in GroupKind:
        held, planned, *monthly = found.get(kind, [0, 0] + [0] * len(months))
        points = tuple(
            Point(f"{first:%b %Y}", float(n)) for first, n in zip(months, monthly, strict=True)
        )
        counts[kind] = GroupCounts(held, planned, points)
    return counts


def _creative(
    session: Session,
    site_id: uuid.UUID,
    period: Period,
    groups: GroupCounts,
    standards: tuple[str, ...],
) -> Figure:
    expected, attended = session.execute(
        select(func.count(), func.count(case((Attendance.code == AttendanceCode.ATTENDED, 1))))
        .join(GroupSession, GroupSession.id == Attendance.group_session_id)
        .where(
            _held_groups(site_id, period),
            GroupSession.kind == GroupKind.SOCIALLY_CREATIVE,
            Attendance.archived_at.is_(None),
            Attendance.code.not_in(sorted(NOT_EXPECTED)),
        )
    ).one()
    rate = percent(attended, expected)
    weeks = period.days / 7
    per_week = groups.held / weeks if weeks else 0.0
    return Figure(
        CREATIVE,
        "Socially creative sessions",
        "Socially creative sessions recorded as held in the period, divided by the number "
        "of weeks in the period; the attendance rate is residents marked attended over "
        "everyone on the registers, leaving out 'session cancelled' and 'not required'.",
        (
            ("Sessions held", str(groups.held)),
            ("Sessions per week", f"{per_week:.1f}"),
            ("Register entries", str(expected)),
            ("Attendance rate", show_percent(rate)),
        ),
        "Socially creative sessions held per month",
        groups.by_month,
        standards,
        rate,
    )


def _community(period: Period, groups: GroupCounts, standards: tuple[str, ...]) -> Figure:
    share = percent(groups.planned_by_residents, groups.held)
    return Figure(
        COMMUNITY,
        "Community meetings",
        "Community (house) meetings recorded as held in the period, and how many of them "
        "were recorded as planned by residents.",
        (
            ("Meetings held", str(groups.held)),
            ("Planned by residents", str(groups.planned_by_residents)),
            ("Share planned by residents", show_percent(share)),
        ),
        "Community meetings held per month",
        groups.by_month,
        standards,
        share,
    )


def _staff(session: Session, site_id: uuid.UUID, on: date) -> list[tuple[uuid.UUID, StaffRole]]:
    """Staff working at the site on ``on``."""
    return [
        (member_id, role)
        for member_id, role in session.execute(
            select(StaffMember.id, StaffMember.job_role)
            .join(StaffSite, StaffSite.staff_member_id == StaffMember.id)
            .where(
                StaffSite.site_id == site_id,
                StaffSite.archived_at.is_(None),
                StaffMember.archived_at.is_(None),
                StaffMember.start_date <= on,
                or_(StaffMember.end_date.is_(None), StaffMember.end_date >= on),
            )
            .order_by(StaffMember.id)
        )
    ]


def _training(
    session: Session,
    staff: list[tuple[uuid.UUID, StaffRole]],
    on: date,
    standards: tuple[str, ...],
) -> Figure:
    courses = session.execute(
        select(
            TrainingCourse.id,
            TrainingCourse.code,
            TrainingCourse.name,
            TrainingCourse.mandatory_for,
        ).where(TrainingCourse.archived_at.is_(None))
    ).all()
    groups = {
        "KUF awareness": [
            c
            for c in courses
            if "kuf" in f"{c.code} {c.name}".lower() and "aware" in c.name.lower()
        ],
        "PIPE induction": [
            c for c in courses if "pipe induction" in c.name.lower() or c.code == "PIPE-IND"
        ],
    }
    ids = [member_id for member_id, _ in staff]
    wanted = sorted({c.id for chosen in groups.values() for c in chosen})
    # Who holds a current record of each group's courses: a row a member of staff, with a
    # flag a group (not a row a record).
    holding: list[set[uuid.UUID]] = [set() for _ in groups]
    if ids and wanted:
        for member, *flags in session.execute(
            select(
                TrainingRecord.staff_member_id,
                *(
                    func.max(case((TrainingRecord.course_id.in_([c.id for c in chosen]), 1)))
                    for chosen in groups.values()
                ),
            )
            .where(
                TrainingRecord.staff_member_id.in_(ids),
                TrainingRecord.course_id.in_(wanted),
                TrainingRecord.archived_at.is_(None),
                TrainingRecord.completed_on <= on,
                # not expired on the day, as training.training_status says
                or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on > on),
            )
            .group_by(TrainingRecord.staff_member_id)
        ):
            for group, flag in zip(holding, flags, strict=True):
                if flag:
                    group.add(member)
    numbers: list[tuple[str, str]] = [("Staff at the site on the last day", str(len(staff)))]
    points = []
    shares = []
    for (label, chosen), holders in zip(groups.items(), holding, strict=True):
        roles = {StaffRole(r) for c in chosen for r in (c.mandatory_for or [])}
        who = [m for m, role in staff if not roles or role in roles]
        held = sum(1 for member in who if member in holders)
        share = percent(held, len(who))
        shares.append(share)
        numbers.append((f"{label}: current / staff who need it", f"{held} / {len(who)}"))
        numbers.append((f"{label} (%)", show_percent(share)))
        points.append(Point(label, share or 0.0))
    known = [s for s in shares if s is not None]
    return Figure(
        TRAINING,
        "Staff training: KUF awareness and PIPE induction",
        "Staff working at the site on the last day of the period whose role makes the "
        "course mandatory (every member of staff if no role does), and how many of them "
        "hold a completed, unexpired record of it on that day; any KUF awareness course "
        "(including the women's course) counts for KUF awareness.",
        tuple(numbers),
        "Staff with current training (%)",
        tuple(points),
        standards,
        min(known) if known else None,
    )


def _supervision(
    session: Session,
    site_id: uuid.UUID,
    staff: list[tuple[uuid.UUID, StaffRole]],
    on: date,
    standards: tuple[str, ...],
) -> Figure:
    requirements = session.execute(
        select(
            SupervisionRequirement.job_role,
            SupervisionRequirement.kind,
            SupervisionRequirement.frequency_days,
        ).where(
            SupervisionRequirement.site_id == site_id,
            SupervisionRequirement.archived_at.is_(None),
        )
    ).all()
    ids = [member_id for member_id, _ in staff]
    # Only whether a session falls within the longest frequency matters: older ones are not read.
    since = on - timedelta(days=max((days for _, _, days in requirements), default=0))
    latest = (
        session.execute(
            select(
                SupervisionSupervisee.staff_member_id,
                SupervisionSession.kind,
                func.max(SupervisionSession.started_at),
            )
            .join(SupervisionSession, SupervisionSession.id == SupervisionSupervisee.session_id)
            .where(
                SupervisionSupervisee.staff_member_id.in_(ids),
                SupervisionSupervisee.archived_at.is_(None),
                SupervisionSession.archived_at.is_(None),
                SupervisionSession.site_id == site_id,
                or_(
                    SupervisionSession.locked_at.is_not(None),
                    SupervisionSession.status.in_(sorted(SIGNED_OFF)),
                ),
                _day_range(SupervisionSession.started_at, since, on),
            )
            .group_by(SupervisionSupervisee.staff_member_id, SupervisionSession.kind)
        ).all()
        if ids and requirements
        else []
    )
    # The latest time is on the latest UK day: the day a time falls on never goes backwards.
    last = {(member, str(kind)): local_day(started) for member, kind, started in latest}
    needing = 0
    compliant = 0
    for member, role in staff:
        mine = [(str(kind), days) for r, kind, days in requirements if r == role]
        if not mine:
            continue
        needing += 1
        if all(supervision_compliant(last.get((member, k)), d, on) for k, d in mine):
            compliant += 1
    share = percent(compliant, needing)
    return Figure(
        SUPERVISION,
        "Supervision compliance",
        "Staff working at the site on the last day of the period whose role has a "
        "supervision requirement, and how many of them had, for every requirement, a "
        "signed-off (locked) supervision of that kind within the required number of days "
        "before that day. Drafts and records awaiting sign-off do not count.",
        (
            ("Staff with a supervision requirement", str(needing)),
            ("Within their required frequency", str(compliant)),
            ("Compliance", show_percent(share)),
        ),
        "Staff within their supervision frequency (%)",
        (Point("Compliant", share or 0.0), Point("Not compliant", 100.0 - (share or 0.0)))
        if share is not None
        else (),
        standards,
        share,
    )
