"""Key-work sessions, group sessions (socially creative and structured) and attendance."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipe_app.domain.base import Entity
from pipe_app.domain.enums import AttendanceCode, GroupKind, GroupStatus, SessionStatus


class KeyWorkSession(Entity):
    __tablename__ = "key_work_sessions"
    __table_args__ = (
        Index("ix_key_work_sessions_site_started", "site_id", "started_at"),
        Index(  # a placement's sessions in date order; the pack counts those held from it
            "ix_key_work_sessions_placement_held",
            "placement_id",
            "started_at",
            "site_id",
            "status",
            "did_not_attend",
            "archived_at",
        ),
        Index("ix_key_work_sessions_worker_started", "key_worker_id", "started_at"),
        Index("ix_key_work_sessions_site_archived", "site_id", "archived_at", "started_at"),
        Index("ix_key_work_sessions_started_id", "started_at", "id"),  # newest first, all sites
    )

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placements.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    key_worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"))
    started_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    planned: Mapped[bool] = mapped_column(default=True)
    did_not_attend: Mapped[bool] = mapped_column(default=False)
    dna_reason: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    resident_voice: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    risk_concern: Mapped[bool] = mapped_column(default=False)
    escalation_note: Mapped[str] = mapped_column(Text, default="")
    actions_agreed: Mapped[str] = mapped_column(Text, default="")
    next_session_on: Mapped[date | None]
    status: Mapped[SessionStatus] = mapped_column(default=SessionStatus.COMPLETE)


class GroupSession(Entity):
    __tablename__ = "group_sessions"
    __table_args__ = (
        Index("ix_group_sessions_site_started", "site_id", "started_at"),
        Index("ix_group_sessions_started_id", "started_at", "id"),  # newest first, all sites
    )

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[GroupKind]
    activity: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    planned_by_residents: Mapped[bool] = mapped_column(default=False)
    resident_planning_note: Mapped[str] = mapped_column(Text, default="")
    observations: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[GroupStatus] = mapped_column(default=GroupStatus.HELD)

    facilitators: Mapped[list[GroupFacilitator]] = relationship(
        back_populates="group_session", cascade="all, delete-orphan"
    )
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="group_session", cascade="all, delete-orphan"
    )


class GroupFacilitator(Entity):
    __tablename__ = "group_facilitators"
    __table_args__ = (UniqueConstraint("group_session_id", "staff_member_id"),)

    group_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("group_sessions.id"))
    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"), index=True)

    group_session: Mapped[GroupSession] = relationship(back_populates="facilitators")


class Attendance(Entity):
    __tablename__ = "attendances"
    __table_args__ = (
        UniqueConstraint("group_session_id", "resident_id"),
        Index("ix_attendances_session_code", "group_session_id", "archived_at", "code"),
    )

    group_session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("group_sessions.id"))
    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("residents.id"), index=True)
    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placements.id"), index=True)
    code: Mapped[AttendanceCode]
    note: Mapped[str] = mapped_column(Text, default="")

    group_session: Mapped[GroupSession] = relationship(back_populates="attendances")
