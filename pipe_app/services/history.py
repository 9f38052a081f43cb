"""The audit trail of one record, shown only to people allowed to read that record.

Resident data (residents, placements, key work, groups, registers) needs RESIDENT_READ at
the record's site, even for holders of AUDIT_READ: administrators audit the system but do
not read resident records. Other records need AUDIT_READ or the record type's own read
permission, and for site-scoped records, the record's site among the user's sites.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from pipe_app.domain import (
    Attachment,
    Attendance,
    AuditEvent,
    Base,
    EvidenceLink,
    GroupFacilitator,
    KeyWorkerAssignment,
    Placement,
    SelfAssessment,
    StaffSite,
    SupervisionAction,
    SupervisionAddendum,
    SupervisionSupervisee,
    TrainingRecord,
)
from pipe_app.domain.enums import AuditAction
from pipe_app.services.audit import REDACTED
from pipe_app.services.base import Service
from pipe_app.services.errors import NotFound, PermissionDenied, ValidationError
from pipe_app.services.permissions import Permission

RESIDENT_DATA = frozenset(
    {
        "residents",
        "placements",
        "key_worker_assignments",
        "key_work_sessions",
        "group_sessions",
        "group_facilitators",
        "attendances",
    }
)

# Besides AUDIT_READ, who may read the history of these (at the record's site, if it has one).
READ_PERMISSION: dict[str, Permission] = {
    "staff_members": Permission.STAFF_READ,
    "staff_sites": Permission.STAFF_READ,
    "training_courses": Permission.STAFF_READ,
    "evidence_items": Permission.EVIDENCE_READ,
    "evidence_links": Permission.EVIDENCE_READ,
    "accreditation_cycles": Permission.EVIDENCE_READ,
    "self_assessments": Permission.EVIDENCE_READ,
    "frameworks": Permission.EVIDENCE_READ,
    "standards": Permission.EVIDENCE_READ,
    "criteria": Permission.EVIDENCE_READ,
}

# Records whose site is their parent's: (model, parent key column, parent table).
PARENTS: dict[str, tuple[type[Base], str, str]] = {
    "key_worker_assignments": (KeyWorkerAssignment, "placement_id", "placements"),
    "attendances": (Attendance, "group_session_id", "group_sessions"),
    "group_facilitators": (GroupFacilitator, "group_session_id", "group_sessions"),
    "training_records": (TrainingRecord, "staff_member_id", "staff_members"),
    "supervision_supervisees": (SupervisionSupervisee, "session_id", "supervision_sessions"),
    "supervision_actions": (SupervisionAction, "session_id", "supervision_sessions"),
    "supervision_addenda": (SupervisionAddendum, "session_id", "supervision_sessions"),
    "evidence_links": (EvidenceLink, "evidence_item_id", "evidence_items"),
    "attachments": (Attachment, "evidence_item_id", "evidence_items"),
    "self_assessments": (SelfAssessment, "cycle_id", "accreditation_cycles"),
}


@dataclass(frozen=True)
class HistoryRow:
    occurred_at: datetime
    username: str
    action: AuditAction
    changes: Mapping[str, Any]


def _models() -> dict[str, type[Base]]:
    return {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def _scrub(value: Any) -> Any:
    """A read-only copy without secrets, whatever an older row may hold."""
    if isinstance(value, dict):
        return MappingProxyType(
            {key: _scrub(item) for key, item in value.items() if key not in REDACTED}
        )
    if isinstance(value, list):
        return tuple(_scrub(item) for item in value)
    return value


def record_sites(
    session: Session, entity_type: str, entity_id: uuid.UUID
) -> frozenset[uuid.UUID] | None:
    """The sites a record belongs to, or None when it belongs to no site (users, courses)."""
    if entity_type == "sites":
        return frozenset({entity_id})
    if entity_type == "residents":
        return frozenset(
            session.scalars(
                select(Placement.site_id).where(
                    Placement.resident_id == entity_id, Placement.archived_at.is_(None)
                )
            )
        )
    if entity_type == "staff_members":
        return frozenset(
            session.scalars(
                select(StaffSite.site_id).where(
                    StaffSite.staff_member_id == entity_id, StaffSite.archived_at.is_(None)
                )
            )
        )
    if entity_type in PARENTS:
        model, column, parent_type = PARENTS[entity_type]
        columns = inspect(model).columns
        parent_id = session.scalar(select(columns[column]).where(columns["id"] == entity_id))
        if parent_id is None:
            return frozenset() if entity_type in RESIDENT_DATA else None
        return record_sites(session, parent_type, parent_id)
    table = _models().get(entity_type)
    if table is not None and "site_id" in inspect(table).columns:
        columns = inspect(table).columns
        site_id = session.scalar(select(columns["site_id"]).where(columns["id"] == entity_id))
        return frozenset({site_id}) if site_id is not None else frozenset()
    # Not a record table (sign-ins, backups): the events say which site, if any.
    logged = {
        site_id
        for site_id in session.scalars(
            select(AuditEvent.site_id).where(
                AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id
            )
        )
        if site_id is not None
    }
    return frozenset(logged) if logged else None


class AuditTrailService(Service):
    def history(self, entity_type: str, entity_id: uuid.UUID) -> list[HistoryRow]:
        """Every audited change to one record, oldest first."""
        if not isinstance(entity_type, str) or not entity_type.strip():
            raise ValidationError.single("entity_type", "is required")
        with self._reading() as session:
            sites = record_sites(session, entity_type, entity_id)
            self._check_may_read(entity_type, sites)
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.occurred_at, AuditEvent.id)
            ).all()
            return [
                HistoryRow(event.occurred_at, event.username, event.action, _scrub(event.changes))
                for event in events
            ]

    def _check_may_read(self, entity_type: str, sites: frozenset[uuid.UUID] | None) -> None:
        actor = self.actor
        if actor.is_system:
            return
        if entity_type in RESIDENT_DATA:
            actor.require(Permission.RESIDENT_READ)
            allowed = sites is not None and bool(sites & actor.site_ids)
        else:
            own = READ_PERMISSION.get(entity_type)
            if entity_type != "sites" and not (
                Permission.AUDIT_READ in actor.permissions
                or (own is not None and own in actor.permissions)
            ):
                raise PermissionDenied("your role does not allow you to read that history")
            allowed = sites is None or bool(sites & actor.site_ids)
        if not allowed:
            raise NotFound("that record does not exist or is not at your sites")
