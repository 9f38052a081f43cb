"""Passwords (argon2) and sign-in, with lockout after repeated failures."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pipe_app.domain import Site, User
from pipe_app.domain.enums import AuditAction, Role
from pipe_app.services import audit
from pipe_app.services.errors import AuthenticationError, ValidationError
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import format_local, utc_now

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
# One hash to verify against when the username is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not a real password at all")


def has_users(db: Database) -> bool:
    """Whether any login exists (archived ones count: the database has been set up)."""
    with db.reading() as session:
        return session.scalars(select(User.id).limit(1)).first() is not None


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password:
        raise ValidationError.single(field, "cannot start or end with a space")


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(session: Session, user: User) -> Actor:
    """Administrators administer every site; everyone else works at the sites they hold."""
    roles = frozenset(link.role for link in user.role_links if link.archived_at is None)
    if Role.ADMINISTRATOR in roles:
        site_ids = frozenset(session.scalars(select(Site.id).where(Site.archived_at.is_(None))))
    else:
        site_ids = frozenset(link.site_id for link in user.site_links if link.archived_at is None)
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=roles,
        site_ids=site_ids,
        staff_member_id=user.staff_member_id,
    )


def _named(name: str) -> Select[User]:
    return select(User).where(func.lower(User.username) == name, User.archived_at.is_(None))


def warm_sign_in(db: Database) -> None:
    """Look up no one the way ``sign_in`` looks a user up, so its statement is compiled
    before the first person signs in (start-up runs this while they type)."""
    with db.reading() as session:
        session.scalars(_named("")).one_or_none()


def sign_in(db: Database, username: str, password: str) -> Actor:
    """The signed-in Actor, or AuthenticationError with a message fit to show."""
    name = username.strip().lower()
    refused = AuthenticationError("the username or password is not right")
    with db.writing({audit.ACTOR_KEY: Actor.system()}) as session:
        user = session.scalars(_named(name)).one_or_none()
        if user is None:
            _verify(_DUMMY_HASH, password)
            raise refused
        now = utc_now()
        if user.locked_until is not None and user.locked_until > now:
            raise AuthenticationError(
                f"this account is locked after {MAX_FAILED_SIGN_INS} failed sign-ins "
                f"until {format_local(user.locked_until)}; an administrator can unlock it"
            )
        if not _verify(user.password_hash, password):
            user.failed_sign_ins += 1
            if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                user.locked_until = now + LOCKOUT
            session.info[audit.ACTOR_KEY] = actor_for(session, user)
            audit.record(session, AuditAction.SIGN_IN_FAILED, "users", entity_id=user.id)
            failure: AuthenticationError = refused
        else:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.failed_sign_ins = 0
            user.locked_until = None
            user.last_sign_in_at = now
            actor = actor_for(session, user)
            session.info[audit.ACTOR_KEY] = actor
            audit.record(session, AuditAction.SIGN_IN, "users", entity_id=user.id)
            return actor
    raise failure
