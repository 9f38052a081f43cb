"""Enabling Environments award cycles over the years, each site's with its self-assessment.

A site joins, builds its portfolio for a year, is assessed, and holds the award for three
years; it joins the next cycle a year before the award expires. So ten years hold three or
four cycles a site: the older ones awarded, the newest in whatever stage today finds it.
Every criterion is rated in a finished cycle, about two in three in one still under way.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from pipe_app.demo.accreditation import RATINGS
from pipe_app.domain import AccreditationCycle, Criterion, Framework, SelfAssessment, Standard
from pipe_app.domain.enums import CycleStatus
from pipe_app.scale.context import ScaleContext, write
from pipe_app.services.accreditation import award_expiry, cycle_status
from pipe_app.timeutil import add_months


def _stages(membership: date) -> dict[str, date]:
    """A cycle's milestones: assessed a year after joining, awarded four months later."""
    award = add_months(membership, 16)
    expires = award_expiry(award)
    assert expires is not None  # an award given has an expiry
    return {
        "membership_on": membership,
        "portfolio_due_on": add_months(membership, 12),
        "interim_assessment_on": add_months(membership, 13),
        "award_visit_on": add_months(membership, 14),
        "award_on": award,
        "expires_on": expires,
    }


def _dates(stages: dict[str, date], today: date, finished: bool) -> dict[str, date | None]:
    """A finished cycle's every date; one under way, those passed and its portfolio's due."""
    if finished:
        return dict(stages)
    return {
        name: day if day <= today or name == "portfolio_due_on" else None
        for name, day in stages.items()
    }


def add_cycles(conn: Connection, ctx: ScaleContext) -> None:
    framework = conn.scalar(select(Framework.id).order_by(Framework.created_at).limit(1))
    criteria = list(
        conn.scalars(
            select(Criterion.id)
            .join(Standard, Criterion.standard_id == Standard.id)
            .where(Standard.framework_id == framework)
            .order_by(Standard.position, Criterion.position)
        )
    )
    if framework is None or not criteria:
        return
    cycles: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    for site in ctx.sites:
        membership = ctx.day_between(ctx.start, ctx.start + timedelta(days=180))
        while membership <= ctx.today:
            stages = _stages(membership)
            status = cycle_status(dict(stages), None, ctx.today)  # the milestone reached
            finished = status == CycleStatus.AWARDED
            cycle_id = ctx.new_id()
            cycles.append(
                ctx.stamp(
                    {
                        "id": cycle_id,
                        "site_id": site.id,
                        "framework_id": framework,
                        "status": status,
                        **_dates(stages, ctx.today, finished),
                    }
                )
            )
            ratings += _self_assessment(ctx, cycle_id, criteria, 1.0 if finished else 0.6)
            membership = add_months(stages["expires_on"], -12)
    write(conn, AccreditationCycle, cycles, ctx)
    write(conn, SelfAssessment, ratings, ctx)


def _self_assessment(
    ctx: ScaleContext, cycle_id: uuid.UUID, criteria: list[uuid.UUID], share: float
) -> list[dict[str, Any]]:
    rows = []
    for criterion_id in criteria:
        if ctx.rng.random() >= share:
            continue
        rating, why = ctx.rng.choices(RATINGS, (0.7, 0.22, 0.08))[0]
        rows.append(
            ctx.stamp(
                {
                    "cycle_id": cycle_id,
                    "criterion_id": criterion_id,
                    "rating": rating,
                    "justification": why,
                }
            )
        )
    return rows
