"""Key-work sessions spread over each stay, and group sessions with facilitators and registers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from pipe_app.demo import phrases
from pipe_app.demo.groups import CODES, FACILITATOR_ROLES
from pipe_app.domain import Attendance, GroupFacilitator, GroupSession, KeyWorkSession
from pipe_app.domain.enums import AttendanceCode, GroupKind, GroupStatus, SessionStatus
from pipe_app.scale.context import ScaleContext, at, write

KINDS = (
    GroupKind.COMMUNITY_MEETING,
    GroupKind.SOCIALLY_CREATIVE,
    GroupKind.SOCIALLY_CREATIVE,
    GroupKind.STRUCTURED_GROUP,
    GroupKind.ENRICHMENT,
)


def add_key_work(conn: Connection, ctx: ScaleContext) -> None:
    """``plan.key_work`` sessions, shared among stays by how many days each has lasted."""
    stays = [p for p in ctx.placements if p.arrived and p.last_day(ctx.today) > p.arrival]
    lengths = [(p.last_day(ctx.today) - p.arrival).days for p in stays]
    total = sum(lengths) or 1
    shares = [ctx.plan.key_work * length // total for length in lengths]
    for index in range(ctx.plan.key_work - sum(shares)):
        shares[index % len(shares)] += 1
    rows: list[dict[str, Any]] = []
    for placement, length, share in zip(stays, lengths, shares, strict=True):
        site = ctx.sites[placement.site_index]
        for number in range(share):
            day = placement.arrival + timedelta(days=1 + number * max(1, length - 1) // share)
            rows.append(_key_work(ctx, placement.id, site.id, placement.worker_on(day), day))
        if len(rows) >= 50_000:
            write(conn, KeyWorkSession, rows, ctx)
            rows = []
    write(conn, KeyWorkSession, rows, ctx)


def _key_work(
    ctx: ScaleContext, placement_id: Any, site_id: Any, worker: Any, day: Any
) -> dict[str, Any]:
    rng = ctx.rng
    dna = rng.random() < 0.09
    risk = not dna and rng.random() < 0.03
    recent = (ctx.today - day).days <= 3
    return ctx.stamp(
        {
            "placement_id": placement_id,
            "site_id": site_id,
            "key_worker_id": worker,
            "started_at": at(day, rng.randint(9, 19), rng.choice((0, 15, 30, 45))),
            "duration_minutes": 15 if dna else rng.choice((20, 30, 45, 60)),
            "planned": rng.random() > 0.05,
            "did_not_attend": dna,
            "dna_reason": rng.choice(phrases.DNA_REASONS) if dna else "",
            "topics": [] if dna else sorted(rng.sample(phrases.KEY_WORK_TOPICS, 2)),
            "resident_voice": "" if dna else rng.choice(phrases.RESIDENT_VOICE),
            "summary": "" if dna else rng.choice(phrases.SUMMARIES),
            "risk_concern": risk,
            "escalation_note": rng.choice(phrases.ESCALATIONS) if risk else "",
            "actions_agreed": "" if dna else rng.choice(phrases.ACTIONS_AGREED),
            "next_session_on": day + timedelta(days=7),
            "status": SessionStatus.DRAFT if recent else SessionStatus.COMPLETE,
        }
    )


def add_groups(conn: Connection, ctx: ScaleContext) -> None:
    """Evenly spread sessions per site; past ones held (a few cancelled) with a register."""
    groups: list[dict[str, Any]] = []
    leads: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    per_site = max(1, ctx.plan.group_sessions // len(ctx.sites))
    span = (ctx.today + timedelta(days=7) - ctx.start).days
    quota = ctx.plan.attendances / max(1, ctx.plan.group_sessions)
    codes, weights = [c for c, _ in CODES], [w for _, w in CODES]
    for site_index, site in enumerate(ctx.sites):
        facilitators = ctx.posts_at(site_index, FACILITATOR_ROLES)
        for number in range(per_site):
            day = ctx.start + timedelta(days=number * span // per_site)
            kind = KINDS[number % len(KINDS)]
            activity = ctx.rng.choice(sorted(phrases.CREATIVE))
            title = f"{activity.capitalize()}: {ctx.rng.choice(phrases.CREATIVE[activity])}"
            status = GroupStatus.PLANNED if day >= ctx.today else GroupStatus.HELD
            if status is GroupStatus.HELD and ctx.rng.random() < 0.04:
                status = GroupStatus.CANCELLED
            group_id = ctx.new_id()
            groups.append(
                ctx.stamp(
                    {
                        "id": group_id,
                        "site_id": site.id,
                        "kind": kind,
                        "activity": activity,
                        "title": title,
                        "started_at": at(day, ctx.rng.choice((11, 14, 18))),
                        "duration_minutes": ctx.rng.choice((60, 90, 120)),
                        "planned_by_residents": ctx.rng.random() < 0.3,
                        "resident_planning_note": "",
                        "observations": ""
                        if status is GroupStatus.PLANNED
                        else ctx.rng.choice(phrases.GROUP_OBSERVATIONS),
                        "status": status,
                    }
                )
            )
            for post in ctx.rng.sample(facilitators, min(2, len(facilitators))):
                leads.append(
                    ctx.stamp(
                        {"group_session_id": group_id, "staff_member_id": post.holder_on(day)}
                    )
                )
            if status is GroupStatus.PLANNED:
                continue
            placed = ctx.placed_on(site_index, day)
            wanted = int(quota) + (1 if ctx.rng.random() < quota % 1 else 0)
            for placement in ctx.rng.sample(placed, min(len(placed), wanted)):
                code = (
                    AttendanceCode.SESSION_CANCELLED
                    if status is GroupStatus.CANCELLED
                    else ctx.rng.choices(codes, weights)[0]
                )
                notes = phrases.ABSENCE_NOTES.get(code.value)
                marks.append(
                    ctx.stamp(
                        {
                            "group_session_id": group_id,
                            "resident_id": placement.resident_id,
                            "placement_id": placement.id,
                            "code": code,
                            "note": ctx.rng.choice(notes) if notes else "",
                        }
                    )
                )
    write(conn, GroupSession, groups, ctx)
    write(conn, GroupFacilitator, leads, ctx)
    write(conn, Attendance, marks, ctx)
