"""Training records against the demo's courses, and supervision through every stage."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, update

from pipe_app.demo import phrases
from pipe_app.demo.context import add_months
from pipe_app.demo.supervision import REQUIREMENTS
from pipe_app.demo.training import COURSES
from pipe_app.domain import (
    Base,
    SupervisionAction,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
    TrainingCourse,
    TrainingRecord,
)
from pipe_app.domain.enums import SupervisionKind, SupervisionStatus
from pipe_app.scale.context import ScaleContext, at, write
from pipe_app.scale.org import R

K, S = SupervisionKind, SupervisionStatus
SUPERVISORS = frozenset({R.PSYCHOLOGIST, R.MANAGER, R.DEPUTY_MANAGER})
GROUP_KINDS = (K.GROUP, K.REFLECTIVE_PRACTICE, K.CASE_CONSULTATION)


def add_training(conn: Connection, ctx: ScaleContext) -> None:
    courses = []
    for plan in COURSES:
        courses.append(
            ctx.stamp(
                {
                    "code": plan.code,
                    "name": plan.name,
                    "provider": plan.provider,
                    "description": plan.description,
                    "renewal_months": plan.renewal_months,
                    "mandatory_for": sorted(role.value for role in plan.mandatory_for),
                }
            )
        )
    write(conn, TrainingCourse, courses, ctx)
    people = [(staff_id, start, end) for post in ctx.posts for staff_id, start, end in post.holders]
    records = []
    for number in range(ctx.plan.training_records):
        staff_id, start, end = people[number % len(people)]
        index = (number + number // len(people)) % len(COURSES)
        plan, course = COURSES[index], courses[index]
        done = ctx.day_between(start, end or ctx.today)
        renewal = plan.renewal_months
        records.append(
            ctx.stamp(
                {
                    "staff_member_id": staff_id,
                    "course_id": course["id"],
                    "completed_on": done,
                    "expires_on": add_months(done, renewal) if renewal else None,
                    "hours": plan.hours,
                    "certificate_attachment_id": None,
                    "notes": "",
                }
            )
        )
    write(conn, TrainingRecord, records, ctx)


def add_supervision(conn: Connection, ctx: ScaleContext) -> None:
    """Older records are locked (parts first, then the lock, as the database demands)."""
    write(
        conn,
        SupervisionRequirement,
        [
            ctx.stamp({"site_id": site.id, "job_role": role, "kind": kind, "frequency_days": days})
            for site in ctx.sites
            for role, kind, days in REQUIREMENTS
        ],
        ctx,
    )
    sessions: list[dict[str, Any]] = []
    supervisees: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    signer = ctx.users.get("psychologist")
    span = (ctx.today - ctx.start).days
    for number in range(ctx.plan.supervision):
        site_index = number % len(ctx.sites)
        day = ctx.start + timedelta(days=number * span // max(1, ctx.plan.supervision))
        kind = ctx.rng.choice((K.INDIVIDUAL_CLINICAL, K.LINE_MANAGEMENT, *GROUP_KINDS))
        supervisor = ctx.rng.choice(ctx.posts_at(site_index, SUPERVISORS)).holder_on(day)
        others = [
            post.holder_on(day)
            for post in ctx.posts_at(site_index, frozenset(R) - SUPERVISORS)
            if post.holder_on(day) != supervisor
        ]
        chosen = ctx.rng.sample(others, min(len(others), 4 if kind in GROUP_KINDS else 1))
        sessions.append(_session(ctx, site_index, kind, supervisor, day, signer))
        session_id = sessions[-1]["id"]
        acknowledged = sessions[-1]["signed_off_at"]
        for staff_id in chosen:
            supervisees.append(
                ctx.stamp(
                    {
                        "session_id": session_id,
                        "staff_member_id": staff_id,
                        "acknowledged_at": acknowledged,
                        "disagreement_note": "",
                    }
                )
            )
        if chosen and ctx.rng.random() < 0.5:
            actions.append(
                ctx.stamp(
                    {
                        "session_id": session_id,
                        "description": ctx.rng.choice(phrases.SUPERVISION_ACTIONS),
                        "owner_id": chosen[0],
                        "due_on": day + timedelta(days=28),
                        "done_at": acknowledged,
                    }
                )
            )
    write(conn, SupervisionSession, sessions, ctx)
    write(conn, SupervisionSupervisee, supervisees, ctx)
    write(conn, SupervisionAction, actions, ctx)
    table = Base.metadata.tables[SupervisionSession.__tablename__]
    conn.execute(
        update(table)
        .where(table.c.status == S.LOCKED.value)
        .values(locked_at=table.c.signed_off_at)
    )


def _session(
    ctx: ScaleContext, site_index: int, kind: Any, supervisor: Any, day: date, signer: Any
) -> dict[str, Any]:
    age = (ctx.today - day).days
    if age > 30 and signer is not None:
        status = S.LOCKED
    else:
        status = ctx.rng.choice((S.DRAFT, S.SUBMITTED, S.ACKNOWLEDGED))
    started = at(day, ctx.rng.choice((10, 13, 15)))
    submitted = started + timedelta(days=1) if status is not S.DRAFT else None
    signed = started + timedelta(days=5) if status is S.LOCKED else None
    return ctx.stamp(
        {
            "id": ctx.new_id(),
            "site_id": ctx.sites[site_index].id,
            "kind": kind,
            "supervisor_id": supervisor,
            "started_at": started,
            "duration_minutes": ctx.rng.choice((60, 60, 90)),
            "themes": sorted(ctx.rng.sample(phrases.SUPERVISION_THEMES, 2)),
            "cases_discussed": [],
            "summary": ctx.rng.choice(phrases.SUPERVISION_SUMMARIES),
            "risk_ethical_issues": "",
            "development_needs": ctx.rng.choice(phrases.DEVELOPMENT_NEEDS),
            "status": status,
            "submitted_at": submitted,
            "signed_off_at": signed,
            "signed_off_by_id": signer if signed else None,
            "locked_at": None,
        }
    )
