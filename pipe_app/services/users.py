"""Logins: roles, sites, passwords and lockout. Only user managers change them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from pipe_app.domain import StaffMember, User, UserRole, UserSite
from pipe_app.domain.enums import Role
from pipe_app.services.auth import check_password_strength, hash_password
from pipe_app.services.base import Service, check_version, get_live, sync_links
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.permissions import Permission
from pipe_app.services.validation import Checks
from pipe_app.timeutil import utc_now

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    version: int
    username: str
    display_name: str
    roles: frozenset[Role]
    site_ids: frozenset[uuid.UUID]
    staff_member_id: uuid.UUID | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None
    archived: bool


@dataclass(frozen=True)
class UserInput:
    username: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    site_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    staff_member_id: uuid.UUID | None = None


def user_row(user: User) -> UserRow:
    return UserRow(
        user.id,
        user.version,
        user.username,
        user.display_name,
        frozenset(link.role for link in user.role_links if link.archived_at is None),
        frozenset(link.site_id for link in user.site_links if link.archived_at is None),
        user.staff_member_id,
        user.locked_until,
        user.last_sign_in_at,
        user.archived_at is not None,
    )


class UserService(Service):
    def rows(self) -> list[UserRow]:
        self.actor.require(Permission.USER_MANAGE)
        with self._reading() as session:
            users = session.scalars(
                select(User)
                .options(selectinload(User.role_links), selectinload(User.site_links))
                .order_by(User.username)
            ).all()
            return [user_row(user) for user in users if self._may_manage(user_row(user))]

    def _may_manage(self, row: UserRow) -> bool:
        """Administrators manage everyone; managers manage care staff at their own sites."""
        if self.actor.is_system or Role.ADMINISTRATOR in self.actor.roles:
            return True
        return Role.ADMINISTRATOR not in row.roles and row.site_ids <= self.actor.site_ids

    def _checked(self, data: UserInput) -> tuple[str, str]:
        checks = Checks()
        username = checks.text("username", data.username, max_length=64).lower()
        if username and not set(username) <= USERNAME_CHARS:
            checks.fail("username", "may use only letters, digits, '.', '_' and '-'")
        display = checks.text("display_name", data.display_name, max_length=160)
        if not data.roles:
            checks.fail("roles", "choose at least one role")
        if not data.site_ids and Role.ADMINISTRATOR not in data.roles:
            checks.fail("sites", "choose at least one site")
        checks.raise_if_any()
        if not self._may_manage(self._as_row(data)):
            raise PermissionDenied("you may not give a login those roles or sites")
        return username, display

    @staticmethod
    def _as_row(data: UserInput) -> UserRow:
        return UserRow(uuid.uuid4(), 0, "", "", data.roles, data.site_ids, None, None, None, False)

    def create(self, data: UserInput, password: str) -> UserRow:
        self.actor.require(Permission.USER_MANAGE)
        with self._writing() as session:
            username, display = self._checked(data)
            taken = session.scalars(
                select(User.id).where(func.lower(User.username) == username)
            ).first()
            if taken is not None:
                checks = Checks()
                checks.fail("username", f"{username!r} is already taken")
                checks.raise_if_any()
            self._check_staff_link(session, data.staff_member_id, None)
            user = User(
                username=username,
                display_name=display,
                password_hash=hash_password(password),
                staff_member_id=data.staff_member_id,
                failed_sign_ins=0,
            )
            user.role_links = [UserRole(role=role) for role in sorted(data.roles)]
            user.site_links = [UserSite(site_id=site_id) for site_id in data.site_ids]
            session.add(user)
            session.flush()
            return user_row(user)

    def update(self, user_id: uuid.UUID, version: int, data: UserInput) -> UserRow:
        self.actor.require(Permission.USER_MANAGE)
        with self._writing() as session:
            user = get_live(session, User, user_id, "user")
            check_version(user, version)
            if not self._may_manage(user_row(user)):
                raise PermissionDenied("you may not change that login")
            _, display = self._checked(data)
            self._check_staff_link(session, data.staff_member_id, user.id)
            user.display_name = display
            user.staff_member_id = data.staff_member_id
            sync_links(user.role_links, data.roles, lambda role: UserRole(role=role))
            sync_links(user.site_links, data.site_ids, lambda site_id: UserSite(site_id=site_id))
            session.flush()
            return user_row(user)

    @staticmethod
    def _check_staff_link(
        session: Session, staff_member_id: uuid.UUID | None, user_id: uuid.UUID | None
    ) -> None:
        """A staff member has at most one login."""
        if staff_member_id is None:
            return
        get_live(session, StaffMember, staff_member_id, "staff member")
        other = session.scalars(
            select(User.username).where(User.staff_member_id == staff_member_id, User.id != user_id)
        ).first()
        if other is not None:
            raise ValidationError.single(
                "staff_member_id", f"that member of staff already has the login {other!r}"
            )

    def set_password(self, user_id: uuid.UUID, password: str) -> None:
        """An administrator's reset, or the user changing their own password."""
        check_password_strength(password)
        with self._writing() as session:
            user = get_live(session, User, user_id, "user")
            if user.id != self.actor.user_id:
                self.actor.require(Permission.USER_MANAGE)
                if not self._may_manage(user_row(user)):
                    raise PermissionDenied("you may not change that login")
            user.password_hash = hash_password(password)
            user.must_change_password = user.id != self.actor.user_id
            user.failed_sign_ins = 0
            user.locked_until = None

    def unlock(self, user_id: uuid.UUID) -> None:
        self.actor.require(Permission.USER_MANAGE)
        with self._writing() as session:
            user = get_live(session, User, user_id, "user")
            if not self._may_manage(user_row(user)):
                raise PermissionDenied("you may not change that login")
            user.failed_sign_ins = 0
            user.locked_until = None

    def archive(self, user_id: uuid.UUID, version: int) -> None:
        self.actor.require(Permission.USER_MANAGE)
        if user_id == self.actor.user_id:
            raise PermissionDenied("you cannot archive your own login")
        with self._writing() as session:
            user = get_live(session, User, user_id, "user")
            check_version(user, version)
            if not self._may_manage(user_row(user)):
                raise PermissionDenied("you may not change that login")
            user.archived_at = utc_now()
