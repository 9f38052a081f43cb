"""Demo evidence linked to criteria, and an accreditation cycle per site.

Needs a framework with criteria (the built-in one is installed first when available); with
none, this phase writes nothing and says so.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipe_app.demo.context import DemoContext, DemoSite, add_months, at, new_id
from pipe_app.domain import (
    AccreditationCycle,
    Attachment,
    Criterion,
    EvidenceItem,
    EvidenceLink,
    Framework,
    SelfAssessment,
    Standard,
)
from pipe_app.domain.enums import (
    CycleStatus,
    EvidenceKind,
    EvidenceStatus,
    SelfAssessmentRating,
    StaffRole,
)

K = EvidenceKind
# (title, kind, standard positions it speaks to, why it is evidence)
TEMPLATES = (
    ("Community meeting minutes", K.MINUTES, (5, 8), "Residents and staff decide together."),
    ("Photos of the garden project", K.PHOTO, (4, 7), "Residents tried something new."),
    ("Resident questionnaire results", K.QUESTIONNAIRE, (1, 6), "How residents experience us."),
    ("Staff questionnaire results", K.QUESTIONNAIRE, (1, 9), "How staff experience the team."),
    ("House rules and induction pack", K.DOCUMENT, (2, 3), "Expectations made clear."),
    ("Reflective practice themes", K.NARRATIVE, (6, 9), "Support is there for staff too."),
    ("Easy-read guide to the PIPE", K.DOCUMENT, (3,), "Different ways of communicating."),
    ("Residents planned the summer outing", K.NARRATIVE, (5, 8), "Residents led the plan."),
    ("College outreach visit", K.NARRATIVE, (10,), "Links with the wider community."),
    ("Key-work frequency report", K.DOCUMENT, (1, 7), "Key work happens as planned."),
    ("Leadership away-day notes", K.MINUTES, (9,), "Leaders own the environment."),
    ("Probation partnership meeting notes", K.MINUTES, (10, 2), "External links reviewed."),
)
AUTHOR_ROLES = frozenset(
    {
        StaffRole.MANAGER,
        StaffRole.DEPUTY_MANAGER,
        StaffRole.PSYCHOLOGIST,
        StaffRole.ASSISTANT_PSYCHOLOGIST,
        StaffRole.RESIDENTIAL_WORKER,
    }
)
ITEMS_PER_SITE = 18


def _framework(session: Session) -> tuple[uuid.UUID, dict[int, list[uuid.UUID]]] | None:
    """The oldest framework that has criteria: its id and criteria by standard position."""
    for framework in session.scalars(
        select(Framework).where(Framework.archived_at.is_(None)).order_by(Framework.created_at)
    ):
        rows = session.execute(
            select(Standard.position, Criterion.id)
            .join(Criterion, Criterion.standard_id == Standard.id)
            .where(Standard.framework_id == framework.id, Criterion.archived_at.is_(None))
            .order_by(Standard.position, Criterion.position)
        ).all()
        if rows:
            by_position: dict[int, list[uuid.UUID]] = {}
            for position, criterion_id in rows:
                by_position.setdefault(position, []).append(criterion_id)
            return framework.id, by_position
    return None


def add_accreditation(session: Session, ctx: DemoContext) -> None:
    found = _framework(session)
    if found is None:
        ctx.notes.append("no framework with criteria is installed: evidence and cycles skipped")
        return
    framework_id, criteria = found
    for site in ctx.sites:
        _evidence(session, ctx, site, criteria)
        _cycle(session, ctx, site, framework_id, criteria)


def _evidence(
    session: Session, ctx: DemoContext, site: DemoSite, criteria: dict[int, list[uuid.UUID]]
) -> None:
    rng = ctx.rng
    positions = sorted(criteria)
    approver = ctx.user_for(site, StaffRole.MANAGER)
    for index in range(ITEMS_PER_SITE):
        title, kind, wanted, rationale = TEMPLATES[index % len(TEMPLATES)]
        effective = ctx.start + timedelta(days=rng.randint(0, (ctx.today - ctx.start).days - 1))
        authors = ctx.staff_at(site, effective, AUTHOR_ROLES)
        approved = (
            approver is not None and (ctx.today - effective).days > 30 and rng.random() < 0.85
        )
        item = EvidenceItem(
            id=new_id(),
            site_id=site.id,
            title=f"{title}, {effective:%B %Y}",
            kind=kind,
            effective_on=effective,
            author_id=rng.choice(authors).id if authors else None,
            narrative=f"{rationale} Collected at the house in {effective:%B %Y}.",
            status=EvidenceStatus.APPROVED if approved else EvidenceStatus.DRAFT,
            approved_by_id=approver if approved else None,
            approved_at=at(effective + timedelta(days=rng.randint(3, 14)), 12)
            if approved
            else None,
            review_by=add_months(effective, site.review_months),
            derivation={},
        )
        session.add(item)
        ctx.counts["evidence_items"] += 1
        chosen: set[uuid.UUID] = set()
        for position in wanted:
            pool = criteria.get(position) or criteria[rng.choice(positions)]
            chosen.add(rng.choice(pool))
        for criterion_id in sorted(chosen):
            session.add(
                EvidenceLink(
                    id=new_id(),
                    evidence_item_id=item.id,
                    criterion_id=criterion_id,
                    rationale=rationale,
                )
            )
            ctx.counts["evidence_links"] += 1
        if kind in (K.MINUTES, K.DOCUMENT, K.PHOTO):
            _attach(session, ctx, item, title, kind, effective)


def _attach(
    session: Session, ctx: DemoContext, item: EvidenceItem, title: str, kind: K, day: date
) -> None:
    slug = title.lower().replace(" ", "-").replace(",", "")
    if kind is K.PHOTO:
        name, media, content = f"{slug}.png", "image/png", _png(ctx.rng.randint(0, 0xFFFFFF))
    else:
        name, media = f"{slug}-{day:%Y-%m}.txt", "text/plain"
        content = (
            f"{title} ({day:%d %B %Y})\n\nDemo document: made-up content for trying PIPE Desk.\n"
            "Present: residents and staff (not named in evidence).\n"
            "Agreed: actions recorded and reviewed at the next meeting.\n"
        ).encode()
    session.add(
        Attachment(
            id=new_id(),
            evidence_item_id=item.id,
            file_name=name,
            media_type=media,
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
    )
    ctx.counts["attachments"] += 1


def _png(colour: int, size: int = 16) -> bytes:
    """A small solid-colour PNG, so photo evidence opens in any viewer."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = colour.to_bytes(3, "big")
    rows = b"".join(b"\x00" + pixel * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# A self-assessment's ratings, each with its justification (the scale data's too).
RATINGS = (
    (SelfAssessmentRating.MET, "Evidence linked shows this is part of everyday practice."),
    (SelfAssessmentRating.PARTLY_MET, "Happens, but not yet consistently across shifts."),
    (SelfAssessmentRating.NOT_MET, "Not yet in place; an action is in the team plan."),
)


def _cycle(
    session: Session,
    ctx: DemoContext,
    site: DemoSite,
    framework_id: uuid.UUID,
    criteria: dict[int, list[uuid.UUID]],
) -> None:
    """Crowley House holds the award; Kirk Lodge is building its portfolio."""
    exists = session.scalars(
        select(AccreditationCycle.id).where(AccreditationCycle.site_id == site.id)
    ).first()
    if exists is not None:
        ctx.notes.append(f"kept the existing accreditation cycle at site {site.code}")
        return
    rng, today = ctx.rng, ctx.today
    if site.women:
        membership = add_months(today, -30)
        award = add_months(membership, 16)
        cycle = AccreditationCycle(
            id=new_id(),
            site_id=site.id,
            framework_id=framework_id,
            membership_on=membership,
            portfolio_due_on=add_months(membership, 12),
            interim_assessment_on=add_months(membership, 13),
            award_visit_on=add_months(membership, 14),
            award_on=award,
            expires_on=add_months(award, 36),
            status=CycleStatus.AWARDED,
        )
        rated_share = 1.0
    else:
        membership = add_months(today, -8)
        cycle = AccreditationCycle(
            id=new_id(),
            site_id=site.id,
            framework_id=framework_id,
            membership_on=membership,
            portfolio_due_on=add_months(membership, 12),
            interim_assessment_on=None,
            award_visit_on=None,
            award_on=None,
            expires_on=None,
            status=CycleStatus.PORTFOLIO,
        )
        rated_share = 0.6
    session.add(cycle)
    ctx.counts["accreditation_cycles"] += 1
    weights = [0.85, 0.15, 0.0] if site.women else [0.5, 0.35, 0.15]
    for position in sorted(criteria):
        for criterion_id in criteria[position]:
            if rng.random() >= rated_share:
                continue
            rating, why = rng.choices(RATINGS, weights)[0]
            session.add(
                SelfAssessment(
                    id=new_id(),
                    cycle_id=cycle.id,
                    criterion_id=criterion_id,
                    rating=rating,
                    justification=why,
                )
            )
            ctx.counts["self_assessments"] += 1
