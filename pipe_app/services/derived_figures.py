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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import false, or_, select

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
from pipe_app.services.training import training_status
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


def month_labels(period: Period) -> list[str]:
    labels, day = [], period.start.replace(day=1)
    while day <= period.end:
        labels.append(f"{day:%b %Y}")
        day = (day + timedelta(days=32)).replace(day=1)
    return labels


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
        """Every figure for the site over ``start``..``end`` (inclusive)."""
        self.actor.require(Permission.EVIDENCE_READ, site_id)
        if end < start:
            raise ValidationError.single("end", "must be on or after the start of the period")
        period = Period(start, end)
        with self._reading() as session:
            site = get_live(session, Site, site_id, "site")
            mapping = figure_standards(site.settings)
            frequency = site.key_work_frequency_days
        return [
            self._key_work(site_id, period, frequency, mapping[KEY_WORK]),
            self._creative(site_id, period, mapping[CREATIVE]),
            self._community(site_id, period, mapping[COMMUNITY]),
            self._training(site_id, period, mapping[TRAINING]),
            self._supervision(site_id, period, mapping[SUPERVISION]),
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

    # ---- the figures -------------------------------------------------------------------

    def _key_work(
        self, site_id: uuid.UUID, period: Period, frequency: int, standards: tuple[str, ...]
    ) -> Figure:
        with self._reading() as session:
            placements = session.execute(
                select(
                    Placement.id,
                    Placement.resident_id,
                    Placement.actual_arrival,
                    Placement.actual_departure,
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
            held = Counter(
                session.scalars(
                    select(KeyWorkSession.placement_id).where(
                        KeyWorkSession.site_id == site_id,
                        KeyWorkSession.archived_at.is_(None),
                        KeyWorkSession.status == SessionStatus.COMPLETE,
                        KeyWorkSession.did_not_attend == false(),
                        KeyWorkSession.started_at >= day_start(period.start),
                        KeyWorkSession.started_at < day_start(period.end + timedelta(days=1)),
                    )
                )
            )
        per_resident: dict[uuid.UUID, list[int]] = {}
        for placement_id, resident_id, arrival, departure in placements:
            assert arrival is not None  # the query keeps arrived placements only
            expected = expected_sessions(days_placed(arrival, departure, period), frequency)
            totals = per_resident.setdefault(resident_id, [0, 0])
            totals[0] += held.get(placement_id, 0)
            totals[1] += expected
        counted = {rid: t for rid, t in per_resident.items() if t[1] > 0}
        held_total = sum(t[0] for t in counted.values())
        expected_total = sum(t[1] for t in counted.values())
        met = sum(min(t[0], t[1]) for t in counted.values())
        overall = percent(met, expected_total)
        points = tuple(
            Point(f"Resident {n}", min(100.0, percent(t[0], t[1]) or 0.0), rid)
            for n, (rid, t) in enumerate(sorted(counted.items()), start=1)
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

    def _groups(
        self, site_id: uuid.UUID, period: Period, kind: GroupKind
    ) -> list[tuple[uuid.UUID, date, bool]]:
        with self._reading() as session:
            found = session.execute(
                select(
                    GroupSession.id, GroupSession.started_at, GroupSession.planned_by_residents
                ).where(
                    GroupSession.site_id == site_id,
                    GroupSession.archived_at.is_(None),
                    GroupSession.kind == kind,
                    GroupSession.status == GroupStatus.HELD,
                    GroupSession.started_at >= day_start(period.start),
                    GroupSession.started_at < day_start(period.end + timedelta(days=1)),
                )
            ).all()
        return [(gid, local_day(started), bool(planned)) for gid, started, planned in found]

    @staticmethod
    def _by_month(period: Period, days: Iterable[date]) -> tuple[Point, ...]:
        counts = Counter(f"{day:%b %Y}" for day in days)
        return tuple(Point(label, float(counts.get(label, 0))) for label in month_labels(period))

    def _creative(self, site_id: uuid.UUID, period: Period, standards: tuple[str, ...]) -> Figure:
        groups = self._groups(site_id, period, GroupKind.SOCIALLY_CREATIVE)
        ids = [gid for gid, _, _ in groups]
        with self._reading() as session:
            codes = (
                list(
                    session.scalars(
                        select(Attendance.code).where(
                            Attendance.group_session_id.in_(ids), Attendance.archived_at.is_(None)
                        )
                    )
                )
                if ids
                else []
            )
        expected = [code for code in codes if code not in NOT_EXPECTED]
        attended = sum(1 for code in expected if code == AttendanceCode.ATTENDED)
        rate = percent(attended, len(expected))
        weeks = period.days / 7
        per_week = len(groups) / weeks if weeks else 0.0
        return Figure(
            CREATIVE,
            "Socially creative sessions",
            "Socially creative sessions recorded as held in the period, divided by the number "
            "of weeks in the period; the attendance rate is residents marked attended over "
            "everyone on the registers, leaving out 'session cancelled' and 'not required'.",
            (
                ("Sessions held", str(len(groups))),
                ("Sessions per week", f"{per_week:.1f}"),
                ("Register entries", str(len(expected))),
                ("Attendance rate", show_percent(rate)),
            ),
            "Socially creative sessions held per month",
            self._by_month(period, (day for _, day, _ in groups)),
            standards,
            rate,
        )

    def _community(self, site_id: uuid.UUID, period: Period, standards: tuple[str, ...]) -> Figure:
        groups = self._groups(site_id, period, GroupKind.COMMUNITY_MEETING)
        planned = sum(1 for _, _, by_residents in groups if by_residents)
        share = percent(planned, len(groups))
        return Figure(
            COMMUNITY,
            "Community meetings",
            "Community (house) meetings recorded as held in the period, and how many of them "
            "were recorded as planned by residents.",
            (
                ("Meetings held", str(len(groups))),
                ("Planned by residents", str(planned)),
                ("Share planned by residents", show_percent(share)),
            ),
            "Community meetings held per month",
            self._by_month(period, (day for _, day, _ in groups)),
            standards,
            share,
        )

    def _staff(self, site_id: uuid.UUID, on: date) -> list[tuple[uuid.UUID, StaffRole]]:
        """Staff working at the site on ``on``."""
        with self._reading() as session:
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

    def _training(self, site_id: uuid.UUID, period: Period, standards: tuple[str, ...]) -> Figure:
        on = period.end
        staff = self._staff(site_id, on)
        ids = [member_id for member_id, _ in staff]
        with self._reading() as session:
            courses = session.execute(
                select(
                    TrainingCourse.id,
                    TrainingCourse.code,
                    TrainingCourse.name,
                    TrainingCourse.mandatory_for,
                ).where(TrainingCourse.archived_at.is_(None))
            ).all()
            records = (
                session.execute(
                    select(
                        TrainingRecord.staff_member_id,
                        TrainingRecord.course_id,
                        TrainingRecord.completed_on,
                        TrainingRecord.expires_on,
                    ).where(
                        TrainingRecord.staff_member_id.in_(ids),
                        TrainingRecord.archived_at.is_(None),
                        TrainingRecord.completed_on <= on,
                    )
                ).all()
                if ids
                else []
            )
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
        numbers: list[tuple[str, str]] = [("Staff at the site on the last day", str(len(staff)))]
        points = []
        shares = []
        for label, chosen in groups.items():
            course_ids = {c.id for c in chosen}
            roles = {StaffRole(r) for c in chosen for r in (c.mandatory_for or [])}
            who = [m for m, role in staff if not roles or role in roles]
            current = {
                member
                for member, course, _, expires in records
                if course in course_ids and training_status(expires, on) != "expired"
            }
            held = sum(1 for member in who if member in current)
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
        self, site_id: uuid.UUID, period: Period, standards: tuple[str, ...]
    ) -> Figure:
        on = period.end
        staff = self._staff(site_id, on)
        with self._reading() as session:
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
            sessions = (
                session.execute(
                    select(
                        SupervisionSupervisee.staff_member_id,
                        SupervisionSession.kind,
                        SupervisionSession.started_at,
                    )
                    .join(
                        SupervisionSession,
                        SupervisionSession.id == SupervisionSupervisee.session_id,
                    )
                    .where(
                        SupervisionSupervisee.staff_member_id.in_(ids),
                        SupervisionSupervisee.archived_at.is_(None),
                        SupervisionSession.archived_at.is_(None),
                        SupervisionSession.site_id == site_id,
                        or_(
                            SupervisionSession.locked_at.is_not(None),
                            SupervisionSession.status.in_(SIGNED_OFF),
                        ),
                        SupervisionSession.started_at < day_start(on + timedelta(days=1)),
                    )
                ).all()
                if ids
                else []
            )
        last: dict[tuple[uuid.UUID, str], date] = {}
        for member, kind, started in sessions:
            day = local_day(started)
            key = (member, str(kind))
            if key not in last or day > last[key]:
                last[key] = day
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
