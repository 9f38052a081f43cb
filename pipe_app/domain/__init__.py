"""The data model. Importing this package registers every table on ``Base.metadata``."""

from pipe_app.domain.accreditation import (
    AccreditationCycle,
    Attachment,
    Criterion,
    EvidenceItem,
    EvidenceLink,
    Framework,
    SelfAssessment,
    Standard,
)
from pipe_app.domain.audit import AuditEvent
from pipe_app.domain.base import Base, Entity
from pipe_app.domain.organisation import Site, StaffMember, StaffSite, User, UserRole, UserSite
from pipe_app.domain.residents import KeyWorkerAssignment, Placement, Resident
from pipe_app.domain.sessions import Attendance, GroupFacilitator, GroupSession, KeyWorkSession
from pipe_app.domain.supervision import (
    SupervisionAction,
    SupervisionAddendum,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
)
from pipe_app.domain.training import TrainingCourse, TrainingRecord

__all__ = [
    "AccreditationCycle",
    "Attachment",
    "Attendance",
    "AuditEvent",
    "Base",
    "Criterion",
    "Entity",
    "EvidenceItem",
    "EvidenceLink",
    "Framework",
    "GroupFacilitator",
    "GroupSession",
    "KeyWorkSession",
    "KeyWorkerAssignment",
    "Placement",
    "Resident",
    "SelfAssessment",
    "Site",
    "StaffMember",
    "StaffSite",
    "Standard",
    "SupervisionAction",
    "SupervisionAddendum",
    "SupervisionRequirement",
    "SupervisionSession",
    "SupervisionSupervisee",
    "TrainingCourse",
    "TrainingRecord",
    "User",
    "UserRole",
    "UserSite",
]
