"""Sites (premises), staff and the logins that act on their behalf."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pipe_app.domain.base import Entity
from pipe_app.domain.enums import APType, Role, StaffRole


class Site(Entity):
    __tablename__ = "sites"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    ap_type: Mapped[APType]
    address: Mapped[str] = mapped_column(Text, default="")
    beds: Mapped[int]
    key_work_frequency_days: Mapped[int] = mapped_column(default=7)
    evidence_review_months: Mapped[int] = mapped_column(default=12)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StaffMember(Entity):
    __tablename__ = "staff_members"

    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80), index=True)
    job_role: Mapped[StaffRole] = mapped_column(index=True)
    email: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    site_links: Mapped[list[StaffSite]] = relationship(
        back_populates="staff_member", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class StaffSite(Entity):
    """A staff member works at a site (psychologists often at both)."""

    __tablename__ = "staff_sites"
    __table_args__ = (UniqueConstraint("staff_member_id", "site_id"),)

    staff_member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_members.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)

    staff_member: Mapped[StaffMember] = relationship(back_populates="site_links")


class User(Entity):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(200))
    staff_member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_members.id"), unique=True
    )
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_sign_in_at: Mapped[datetime | None]

    role_links: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    site_links: Mapped[list[UserSite]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class UserRole(Entity):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    role: Mapped[Role]

    user: Mapped[User] = relationship(back_populates="role_links")


class UserSite(Entity):
    __tablename__ = "user_sites"
    __table_args__ = (UniqueConstraint("user_id", "site_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sites.id"), index=True)

    user: Mapped[User] = relationship(back_populates="site_links")
