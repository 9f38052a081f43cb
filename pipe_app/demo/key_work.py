"""Demo key work: each placement at its site's frequency, with gaps, DNAs and late write-ups."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from pipe_app.demo import phrases
from pipe_app.demo.context import DemoContext, DemoPlacement, DemoSite, at, new_id
from pipe_app.domain import KeyWorkSession
from pipe_app.domain.enums import SessionStatus

SKIPPED = 0.07  # a due session that never happened
DNA = 0.09
UNPLANNED = 0.05
RISK = 0.03


def add_key_work(session: Session, ctx: DemoContext) -> None:
    for site in ctx.sites:
        for placement in ctx.placements:
            if placement.site_id == site.id and placement.arrival is not None:
                _placement_sessions(session, ctx, site, placement)


def _placement_sessions(
    session: Session, ctx: DemoContext, site: DemoSite, placement: DemoPlacement
) -> None:
    rng = ctx.rng
    assert placement.arrival is not None
    last = (placement.departure or ctx.today) - timedelta(days=1)
    last = min(last, ctx.today - timedelta(days=1))
    day = placement.arrival + timedelta(days=rng.randint(1, 4))
    spread = 1 if site.frequency_days <= 7 else 3
    while day <= last:
        if day >= ctx.start and rng.random() >= SKIPPED:
            _session(session, ctx, site, placement, day, planned=True)
            if rng.random() < UNPLANNED:
                extra = day + timedelta(days=rng.randint(1, 3))
                if extra <= last:
                    _session(session, ctx, site, placement, extra, planned=False)
        day += timedelta(days=site.frequency_days + rng.randint(-spread, spread + 1))


def _session(
    session: Session,
    ctx: DemoContext,
    site: DemoSite,
    placement: DemoPlacement,
    day: date,
    *,
    planned: bool,
) -> None:
    rng = ctx.rng
    worker = placement.key_worker_on(day)
    if worker is None:
        return
    dna = planned and rng.random() < DNA
    risk = not dna and rng.random() < RISK
    recent = (ctx.today - day).days <= 3
    record = KeyWorkSession(
        id=new_id(),
        placement_id=placement.id,
        site_id=site.id,
        key_worker_id=worker,
        started_at=at(day, rng.randint(9, 19), rng.choice((0, 15, 30, 45))),
        duration_minutes=15 if dna else rng.choice((20, 30, 30, 45, 45, 60)),
        planned=planned,
        did_not_attend=dna,
        dna_reason=rng.choice(phrases.DNA_REASONS) if dna else "",
        topics=[] if dna else sorted(rng.sample(phrases.KEY_WORK_TOPICS, rng.randint(1, 3))),
        resident_voice="" if dna else rng.choice(phrases.RESIDENT_VOICE),
        summary="" if dna else rng.choice(phrases.SUMMARIES),
        risk_concern=risk,
        escalation_note=rng.choice(phrases.ESCALATIONS) if risk else "",
        actions_agreed="" if dna else rng.choice(phrases.ACTIONS_AGREED),
        next_session_on=day + timedelta(days=site.frequency_days if not dna else 1),
        status=SessionStatus.DRAFT if recent and rng.random() < 0.4 else SessionStatus.COMPLETE,
    )
    session.add(record)
    ctx.counts["key_work_sessions"] += 1
