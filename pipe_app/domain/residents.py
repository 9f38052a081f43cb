"""Residents, their placements at a site, and who their key worker was when."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipe_app.domain.base import Entity
from pipe_app.domain.enums import DepartureReason, ReleaseType, RoshLevel, SentenceType


class Resident(Entity):
    __tablename__ = "residents"
    __table_args__ = (
        # The Residents list's name order, so a page is read along it and stops (0007).
        Index(
            "ix_residents_name_order",
            func.lower(text("family_name")),
            func.lower(text("given_name")),
            "id",
        ),
    )

    crn: Mapped[str] = mapped_column(String(7), unique=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80), index=True)
    preferred_name: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date]
    gender: Mapped[str] = mapped_column(String(40))
    pronouns: Mapped[str | None] = mapped_column(String(40))

    placements: Mapped[list[Placement]] = relationship(back_populates="resident")


class Placement(Entity):
    __tablename__ = "placements"
    __table_args__ = (
        Index("ix_placements_site_arrival", "site_id", "actual_arrival"),
        # A resident's placements, latest first: which one the Residents list shows (0007).
        Index("ix_placements_resident_latest", "resident_id", "expected_arrival", "id"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("residents.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"))
    expected_arrival: Mapped[date]
    actual_arrival: Mapped[date | None]
    expected_departure: Mapped[date]
    actual_departure: Mapped[date | None]
    sentence_type: Mapped[SentenceType]
    release_type: Mapped[ReleaseType]
    rosh_overall: Mapped[RoshLevel]
    rosh_children: Mapped[RoshLevel | None]
    rosh_public: Mapped[RoshLevel | None]
    rosh_known_adult: Mapped[RoshLevel | None]
    rosh_staff: Mapped[RoshLevel | None]
    is_pipe: Mapped[bool] = mapped_column(default=True)
    departure_reason: Mapped[DepartureReason | None]
    departure_notes: Mapped[str] = mapped_column(Text, default="")

    resident: Mapped[Resident] = relationship(back_populates="placements")
    key_worker_assignments: Mapped[list[KeyWorkerAssignment]] = relationship(
        back_populates="placement", order_by="KeyWorkerAssignment.from_date"
    )


class KeyWorkerAssignment(Entity):
    __tablename__ = "key_worker_assignments"

    placement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("placements.id"), index=True)
    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"), index=True)
    from_date: Mapped[date]
    to_date: Mapped[date | None]

    placement: Mapped[Placement] = relationship(back_populates="key_worker_assignments")
