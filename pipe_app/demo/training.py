"""Demo training: the courses named in DOMAIN.md, and records with some expired or expiring."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipe_app.demo.context import DemoContext, DemoStaff, add_months, new_id
from pipe_app.domain import TrainingCourse, TrainingRecord
from pipe_app.domain.enums import StaffRole

R = StaffRole
CARE = (R.RESIDENTIAL_WORKER, R.PROBATION_SERVICES_OFFICER, R.DEPUTY_MANAGER, R.MANAGER)
CLINICAL = (R.PSYCHOLOGIST, R.ASSISTANT_PSYCHOLOGIST)
EXPIRING_DAYS = 60


@dataclass(frozen=True)
class CoursePlan:
    code: str
    name: str
    provider: str
    renewal_months: int | None
    mandatory_for: tuple[StaffRole, ...]
    hours: float
    description: str = ""


COURSES = (
    CoursePlan(
        "KUF-AWARE",
        "KUF Awareness (2-day)",
        "OPD Pathway KUF team",
        None,
        (*CARE, *CLINICAL),
        14,
        "Personality disorder awareness; delivered by two trainers, one with lived experience.",
    ),
    CoursePlan("KUF-WOMEN", "Women's KUF Awareness", "OPD Pathway KUF team", None, (), 7),
    CoursePlan("PIPE-IND", "PIPE induction", "Trust psychology team", None, (*CARE, *CLINICAL), 7),
    CoursePlan(
        "EE",
        "Enabling Environments",
        "Trust psychology team",
        None,
        (R.MANAGER, R.DEPUTY_MANAGER, *CLINICAL),
        3,
    ),
    CoursePlan("TIP", "Trauma-informed practice", "Trust learning and development", None, CARE, 6),
    CoursePlan(
        "SAFEGUARD",
        "Safeguarding adults and children",
        "HMPPS learning",
        36,
        (*CARE, *CLINICAL, R.ADMINISTRATOR),
        6,
    ),
    CoursePlan("SSH", "Suicide and self-harm", "HMPPS learning", 12, CARE, 3),
    CoursePlan(
        "MHA",
        "Mental health awareness",
        "Trust learning and development",
        36,
        (R.RESIDENTIAL_WORKER, R.PROBATION_SERVICES_OFFICER),
        6,
    ),
    CoursePlan(
        "FIRST-AID", "First aid at work", "External provider", 36, (R.RESIDENTIAL_WORKER,), 6
    ),
    CoursePlan(
        "DEESC",
        "De-escalation",
        "HMPPS learning",
        12,
        (R.RESIDENTIAL_WORKER, R.PROBATION_SERVICES_OFFICER, R.DEPUTY_MANAGER),
        6,
    ),
)


def add_training(session: Session, ctx: DemoContext) -> None:
    courses = _courses(session, ctx)
    women = {site.id for site in ctx.sites if site.women}
    for index, member in enumerate(ctx.staff):
        for plan, course_id, renewal in courses:
            required = member.job_role in plan.mandatory_for
            if plan.code == "KUF-WOMEN":
                required = bool(member.site_ids & women) and member.job_role != R.ADMINISTRATOR
            if required or ctx.rng.random() < 0.05:
                _records(session, ctx, member, index, plan, course_id, renewal)


def _courses(session: Session, ctx: DemoContext) -> list[tuple[CoursePlan, uuid.UUID, int | None]]:
    """The courses, reusing any that already exist with the same code."""
    existing = {course.code: course for course in session.scalars(select(TrainingCourse))}
    found = []
    for plan in COURSES:
        course = existing.get(plan.code)
        if course is None:
            course = TrainingCourse(
                id=new_id(),
                code=plan.code,
                name=plan.name,
                provider=plan.provider,
                description=plan.description,
                renewal_months=plan.renewal_months,
                mandatory_for=sorted(role.value for role in plan.mandatory_for),
            )
            session.add(course)
            ctx.counts["training_courses"] += 1
        found.append((plan, course.id, course.renewal_months))
    return found


def _records(
    session: Session,
    ctx: DemoContext,
    member: DemoStaff,
    index: int,
    plan: CoursePlan,
    course_id: uuid.UUID,
    renewal: int | None,
) -> None:
    rng, today = ctx.rng, ctx.today
    last_day = member.end or today
    first_day = member.start + timedelta(days=14)
    if first_day >= last_day:
        return
    if renewal is None:
        if member.end is None and member.start > ctx.start and rng.random() < 0.3:
            return  # a new starter who has not done it yet
        span = (last_day - first_day).days
        _record(
            session, ctx, member, course_id, first_day + timedelta(rng.randint(0, span)), None, plan
        )
        return
    # Renewable: the latest completion decides; older ones stay as history.
    forced = {0: "expired", 1: "expiring"}.get(index % 9) if plan.code == "SSH" else None
    state = forced or rng.choices(["current", "expired", "expiring"], [0.8, 0.1, 0.1])[0]
    period = (add_months(today, renewal) - today).days
    if state == "expired":
        latest = today - timedelta(days=period + rng.randint(5, 120))
    elif state == "expiring":
        latest = today - timedelta(days=period - rng.randint(5, EXPIRING_DAYS - 5))
    else:
        latest = today - timedelta(days=rng.randint(30, max(31, period - EXPIRING_DAYS - 10)))
    latest = min(max(latest, first_day), last_day)
    history = add_months(latest, -renewal)
    if history > first_day and rng.random() < 0.5:
        _record(session, ctx, member, course_id, history, add_months(history, renewal), plan)
    _record(session, ctx, member, course_id, latest, add_months(latest, renewal), plan)


def _record(
    session: Session,
    ctx: DemoContext,
    member: DemoStaff,
    course_id: uuid.UUID,
    completed: date,
    expires: date | None,
    plan: CoursePlan,
) -> None:
    session.add(
        TrainingRecord(
            id=new_id(),
            staff_member_id=member.id,
            course_id=course_id,
            completed_on=completed,
            expires_on=expires,
            hours=plan.hours,
            notes="",
        )
    )
    ctx.counts["training_records"] += 1
