"""What every service shares: the database, the signed-in actor, one transaction per action."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pipe_app.domain import Entity
from pipe_app.services import audit as _audit  # registers the audit hook
from pipe_app.services.errors import ConflictError, NotFound
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import utc_now

E = TypeVar("E", bound=Entity)

CONFLICT = (
    "someone else saved this record after you opened it; nothing was overwritten. "
    "Reopen it to see their change."
)


class Service:
    def __init__(self, db: Database, actor: Actor) -> None:
        self.db = db
        self.actor = actor

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with self.db.reading() as session:
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One user action: validated, permitted, audited and committed together, or nothing."""
        try:
            with self.db.writing({_audit.ACTOR_KEY: self.actor}) as session:
                yield session
        except StaleDataError:
            raise ConflictError(CONFLICT) from None


def get_live(session: Session, model: type[E], entity_id: uuid.UUID, what: str) -> E:
    obj = session.get(model, entity_id)
    if obj is None or obj.archived_at is not None:
        raise NotFound(f"that {what} does not exist or has been archived")
    return obj


def check_version(obj: Entity, expected: int | None) -> None:
    """Optimistic lock: the caller's copy must be the version it read."""
    if expected is not None and obj.version != expected:
        raise ConflictError(CONFLICT)


def sync_links(
    links: list[Any], wanted: frozenset[Any] | set[Any], make: Callable[[Any], Entity]
) -> None:
    """Make a link collection match ``wanted`` by archiving and restoring, never deleting.

    ``links`` hold a ``key`` (the site or role they link to) via ``link_key``.
    """
    existing: dict[Hashable, Any] = {link_key(link): link for link in links}
    for key, link in existing.items():
        if key not in wanted and link.archived_at is None:
            link.archived_at = utc_now()
        elif key in wanted and link.archived_at is not None:
            link.archived_at = None
    for key in set(wanted) - set(existing):
        links.append(make(key))


def link_key(link: Any) -> Hashable:
    for attribute in ("site_id", "role", "criterion_id", "staff_member_id"):
        if hasattr(link, attribute):
            return getattr(link, attribute)  # type: ignore[no-any-return]
    raise TypeError(f"{type(link).__name__} is not a link")
