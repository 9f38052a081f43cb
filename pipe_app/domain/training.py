"""Training courses (with renewal and which roles must hold them) and staff records."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pipe_app.domain.base import Entity


class TrainingCourse(Entity):
    __tablename__ = "training_courses"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    provider: Mapped[str] = mapped_column(String(160), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    renewal_months: Mapped[int | None]
    mandatory_for: Mapped[list[str]] = mapped_column(JSON, default=list)


class TrainingRecord(Entity):
    __tablename__ = "training_records"
    __table_args__ = (
        Index("ix_training_records_staff_course", "staff_member_id", "course_id", "completed_on"),
        Index("ix_training_records_expires_on", "expires_on"),  # Today: what lapses soon
    )

    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"))
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("training_courses.id"), index=True)
    completed_on: Mapped[date]
    expires_on: Mapped[date | None]
    hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False), default=0)
    certificate_attachment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("attachments.id")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
