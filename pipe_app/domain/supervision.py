"""Clinical supervision: sessions, supervisees, actions, addenda and per-role requirements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipe_app.domain.base import Entity
from pipe_app.domain.enums import StaffRole, SupervisionKind, SupervisionStatus


class SupervisionSession(Entity):
    __tablename__ = "supervision_sessions"
    __table_args__ = (
        Index("ix_supervision_sessions_site_started", "site_id", "started_at"),
        Index("ix_supervision_sessions_status_started", "status", "started_at"),
        Index("ix_supervision_sessions_started_id", "started_at", "id"),  # newest, all sites
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[SupervisionKind]
    supervisor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"), index=True)
    started_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    cases_discussed: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    risk_ethical_issues: Mapped[str] = mapped_column(Text, default="")
    development_needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SupervisionStatus] = mapped_column(default=SupervisionStatus.DRAFT)
    submitted_at: Mapped[datetime | None]
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime | None]

    supervisees: Mapped[list[SupervisionSupervisee]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        # The order lists read them in too (services.supervision), on either database.
        order_by="SupervisionSupervisee.staff_member_id",
    )
    actions: Mapped[list[SupervisionAction]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    addenda: Mapped[list[SupervisionAddendum]] = relationship(
        back_populates="session", order_by="SupervisionAddendum.written_at"
    )


class SupervisionSupervisee(Entity):
    __tablename__ = "supervision_supervisees"
    __table_args__ = (UniqueConstraint("session_id", "staff_member_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_sessions.id"))
    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"), index=True)
    acknowledged_at: Mapped[datetime | None]
    disagreement_note: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[SupervisionSession] = relationship(back_populates="supervisees")


class SupervisionAction(Entity):
    __tablename__ = "supervision_actions"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_sessions.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"))
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None]

    session: Mapped[SupervisionSession] = relationship(back_populates="actions")


class SupervisionAddendum(Entity):
    """A dated correction to a locked record, by a named user; the record itself never changes."""

    __tablename__ = "supervision_addenda"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_sessions.id"), index=True)
    author_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)

    session: Mapped[SupervisionSession] = relationship(back_populates="addenda")


class SupervisionRequirement(Entity):
    """At a site, staff in ``job_role`` need ``kind`` supervision at least every N days."""

    __tablename__ = "supervision_requirements"
    __table_args__ = (UniqueConstraint("site_id", "job_role", "kind"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    job_role: Mapped[StaffRole]
    kind: Mapped[SupervisionKind]
    frequency_days: Mapped[int]
