"""Frameworks of standards and criteria, evidence with attachments, accreditation cycles."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from pipe_app.domain.base import Entity
from pipe_app.domain.enums import (
    CycleStatus,
    EvidenceKind,
    EvidenceStatus,
    SelfAssessmentRating,
)


class Framework(Entity):
    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("name", "framework_version"),)

    name: Mapped[str] = mapped_column(String(160))
    # ``version`` is every table's optimistic-lock counter; this is the edition of the standards.
    framework_version: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")

    standards: Mapped[list[Standard]] = relationship(
        back_populates="framework", order_by="Standard.position"
    )


class Standard(Entity):
    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    statement: Mapped[str] = mapped_column(Text)
    position: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="standards")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="standard", order_by="Criterion.position"
    )


class Criterion(Entity):
    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("standard_id", "code"),)

    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("standards.id"))
    code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]

    standard: Mapped[Standard] = relationship(back_populates="criteria")


class EvidenceItem(Entity):
    __tablename__ = "evidence_items"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EvidenceKind]
    effective_on: Mapped[date]
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_members.id"))
    narrative: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[EvidenceStatus] = mapped_column(default=EvidenceStatus.DRAFT)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    review_by: Mapped[date | None]
    derivation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="evidence_item", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(back_populates="evidence_item")


class EvidenceLink(Entity):
    __tablename__ = "evidence_links"
    __table_args__ = (UniqueConstraint("evidence_item_id", "criterion_id"),)

    evidence_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("evidence_items.id"))
    criterion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("criteria.id"), index=True)
    rationale: Mapped[str] = mapped_column(Text, default="")

    evidence_item: Mapped[EvidenceItem] = relationship(back_populates="links")


class Attachment(Entity):
    """A file kept inside the database, so a backup is one file and nothing dangles."""

    __tablename__ = "attachments"

    evidence_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("evidence_items.id"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    evidence_item: Mapped[EvidenceItem | None] = relationship(back_populates="attachments")


class AccreditationCycle(Entity):
    __tablename__ = "accreditation_cycles"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)
    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id"))
    membership_on: Mapped[date]
    portfolio_due_on: Mapped[date | None]
    interim_assessment_on: Mapped[date | None]
    award_visit_on: Mapped[date | None]
    award_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    status: Mapped[CycleStatus] = mapped_column(default=CycleStatus.MEMBERSHIP)

    self_assessments: Mapped[list[SelfAssessment]] = relationship(back_populates="cycle")


class SelfAssessment(Entity):
    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("cycle_id", "criterion_id"),)

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accreditation_cycles.id"))
    criterion_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("criteria.id"))
    rating: Mapped[SelfAssessmentRating]
    justification: Mapped[str] = mapped_column(Text, default="")

    cycle: Mapped[AccreditationCycle] = relationship(back_populates="self_assessments")
