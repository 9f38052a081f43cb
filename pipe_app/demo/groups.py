"""Demo group sessions: per site and week, one community meeting and three creative sessions.

Past sessions carry a register with attendance codes; the coming week's are planned.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from pipe_app.demo import phrases
from pipe_app.demo.context import DemoContext, DemoPlacement, DemoSite, at, new_id
from pipe_app.domain import Attendance, GroupFacilitator, GroupSession
from pipe_app.domain.enums import AttendanceCode, GroupKind, GroupStatus, StaffRole

# (weekday, hour, minute, kind); Monday is 0.
WEEK = (
    (0, 11, 0, GroupKind.COMMUNITY_MEETING),
    (1, 18, 30, GroupKind.SOCIALLY_CREATIVE),
    (3, 14, 0, GroupKind.SOCIALLY_CREATIVE),
    (5, 15, 0, GroupKind.SOCIALLY_CREATIVE),
)
CANCELLED = 0.04
CODES = (
    (AttendanceCode.ATTENDED, 0.66),
    (AttendanceCode.ACCEPTABLE_ABSENCE, 0.12),
    (AttendanceCode.REFUSED, 0.08),
    (AttendanceCode.NOT_REQUIRED, 0.06),
    (AttendanceCode.UNACCEPTABLE_ABSENCE, 0.06),
    (AttendanceCode.SUSPENDED, 0.02),
)
FACILITATOR_ROLES = frozenset(
    {
        StaffRole.RESIDENTIAL_WORKER,
        StaffRole.PROBATION_SERVICES_OFFICER,
        StaffRole.ASSISTANT_PSYCHOLOGIST,
        StaffRole.PSYCHOLOGIST,
    }
)
LEAD_ROLES = frozenset({StaffRole.MANAGER, StaffRole.DEPUTY_MANAGER})


def add_groups(session: Session, ctx: DemoContext) -> None:
    monday = ctx.start - timedelta(days=ctx.start.weekday())
    last = ctx.today + timedelta(days=7)
    for site in ctx.sites:
        week = monday
        while week <= last:
            for weekday, hour, minute, kind in WEEK:
                day = week + timedelta(days=weekday)
                if ctx.start <= day <= last:
                    _group(session, ctx, site, day, hour, minute, kind)
            week += timedelta(days=7)


def _group(
    session: Session,
    ctx: DemoContext,
    site: DemoSite,
    day: date,
    hour: int,
    minute: int,
    kind: GroupKind,
) -> None:
    rng = ctx.rng
    if kind is GroupKind.COMMUNITY_MEETING:
        activity, title = "community meeting", "Community meeting"
        invited = ctx.placed(site, day)
        observations = rng.choice(phrases.COMMUNITY_OBSERVATIONS)
    else:
        activity = rng.choice(sorted(phrases.CREATIVE))
        title = f"{activity.capitalize()}: {rng.choice(phrases.CREATIVE[activity])}"
        residents = ctx.placed(site, day, pipe_only=True)
        invited = rng.sample(residents, min(len(residents), rng.randint(5, 10)))
        observations = rng.choice(phrases.GROUP_OBSERVATIONS)
    if day >= ctx.today:
        status = GroupStatus.PLANNED
        observations = ""
    elif rng.random() < CANCELLED:
        status = GroupStatus.CANCELLED
        observations = rng.choice(phrases.CANCELLED)
    else:
        status = GroupStatus.HELD
    by_residents = kind is not GroupKind.COMMUNITY_MEETING and rng.random() < 0.3
    group = GroupSession(
        id=new_id(),
        site_id=site.id,
        kind=kind,
        activity=activity,
        title=title,
        started_at=at(day, hour, minute),
        duration_minutes=60 if kind is GroupKind.COMMUNITY_MEETING else rng.choice((60, 90, 120)),
        planned_by_residents=by_residents,
        resident_planning_note=(
            "Residents chose the plan at the community meeting." if by_residents else ""
        ),
        observations=observations,
        status=status,
    )
    session.add(group)
    ctx.counts["group_sessions"] += 1
    _facilitators(session, ctx, site, day, kind, group)
    if status is not GroupStatus.PLANNED:
        for placement in invited:
            _attendance(session, ctx, group, placement, status)


def _facilitators(
    session: Session,
    ctx: DemoContext,
    site: DemoSite,
    day: date,
    kind: GroupKind,
    group: GroupSession,
) -> None:
    rng = ctx.rng
    chosen = []
    if kind is GroupKind.COMMUNITY_MEETING:
        leads = ctx.staff_at(site, day, LEAD_ROLES)
        chosen += rng.sample(leads, min(1, len(leads)))
    pool = [m for m in ctx.staff_at(site, day, FACILITATOR_ROLES) if m not in chosen]
    chosen += rng.sample(pool, min(len(pool), rng.randint(1, 2)))
    for member in chosen:
        session.add(
            GroupFacilitator(id=new_id(), group_session_id=group.id, staff_member_id=member.id)
        )


def _attendance(
    session: Session,
    ctx: DemoContext,
    group: GroupSession,
    placement: DemoPlacement,
    status: GroupStatus,
) -> None:
    rng = ctx.rng
    if status is GroupStatus.CANCELLED:
        code = AttendanceCode.SESSION_CANCELLED
    else:
        code = rng.choices([c for c, _ in CODES], weights=[w for _, w in CODES])[0]
    notes = phrases.ABSENCE_NOTES.get(code.value)
    session.add(
        Attendance(
            id=new_id(),
            group_session_id=group.id,
            resident_id=placement.resident_id,
            placement_id=placement.id,
            code=code,
            note=rng.choice(notes) if notes else "",
        )
    )
    ctx.counts["attendances"] += 1
