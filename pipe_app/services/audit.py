"""Every change is audited, automatically, in the transaction that makes it.

A ``before_flush`` hook turns each new, changed or deleted record into an ``audit_events``
row naming the actor, the action and each changed field before and after. Services cannot
forget to audit, and a change without a known actor is refused.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from pipe_app.domain import AuditEvent, Entity
from pipe_app.domain.enums import AuditAction
from pipe_app.services.permissions import Actor

ACTOR_KEY = "pipe_actor"
SKIPPED = frozenset({"created_at", "updated_at", "version"})
REDACTED = frozenset({"password_hash"})


def plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def _changes(obj: Entity, *, new: bool) -> dict[str, dict[str, Any]]:
    state = inspect(obj)
    changes: dict[str, dict[str, Any]] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED or key == "id":
            continue
        if new:
            if key == "content":
                continue
            after = getattr(obj, key)
            changes[key] = {
                "before": None,
                "after": "<redacted>" if key in REDACTED else plain(after),
            }
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        if key in REDACTED:
            changes[key] = {"before": "<redacted>", "after": "<redacted>"}
        else:
            changes[key] = {"before": plain(before), "after": plain(after)}
    return changes


def _action(obj: Entity, changes: dict[str, dict[str, Any]]) -> AuditAction:
    archived = changes.get("archived_at")
    if archived is not None and archived["before"] is None:
        return AuditAction.ARCHIVE
    if archived is not None and archived["after"] is None:
        return AuditAction.RESTORE
    return AuditAction.UPDATE


def _event(actor: Actor, action: AuditAction, obj: Entity, changes: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        id=uuid.uuid4(),
        user_id=actor.user_id,
        username=actor.username,
        action=action,
        entity_type=type(obj).__tablename__,
        entity_id=obj.id,
        site_id=getattr(obj, "site_id", None),
        changes=changes,
    )


def record(session: Session, action: AuditAction, entity_type: str, **details: Any) -> None:
    """An audit row for something that is not a record change (sign-in, export, backup)."""
    actor: Actor = session.info[ACTOR_KEY]
    session.add(
        AuditEvent(
            id=uuid.uuid4(),
            user_id=actor.user_id,
            username=actor.username,
            action=action,
            entity_type=entity_type,
            entity_id=details.pop("entity_id", None),
            site_id=details.pop("site_id", None),
            changes=plain(details),
        )
    )


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    entities = [
        (obj, kind)
        for kind, objects in (
            ("new", session.new),
            ("dirty", session.dirty),
            ("gone", session.deleted),
        )
        for obj in objects
        if isinstance(obj, Entity)
    ]
    if not entities:
        return
    actor = session.info.get(ACTOR_KEY)
    if not isinstance(actor, Actor):
        raise RuntimeError("a change reached the database without a known user; refused")
    for obj, kind in entities:
        if kind == "new":
            if obj.id is None:
                obj.id = uuid.uuid4()
            session.add(_event(actor, AuditAction.CREATE, obj, _changes(obj, new=True)))
        elif kind == "gone":
            session.add(_event(actor, AuditAction.DELETE, obj, {}))
        elif session.is_modified(obj, include_collections=False):
            changes = _changes(obj, new=False)
            if changes:
                session.add(_event(actor, _action(obj, changes), obj, changes))
