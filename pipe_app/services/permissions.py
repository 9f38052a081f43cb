"""Who may do what: roles grant permissions; sites scope them.

Administrators manage users, sites and backups but, holding no care role, do not read
resident records (data minimisation). Psychologists commonly hold both sites.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from pipe_app.domain.enums import Role
from pipe_app.services.errors import PermissionDenied


class Permission(StrEnum):
    RESIDENT_READ = "read residents"
    RESIDENT_WRITE = "change residents and placements"
    KEY_WORK_WRITE = "record key work"
    GROUP_WRITE = "record group sessions"
    STAFF_READ = "read staff"
    STAFF_WRITE = "change staff"
    TRAINING_WRITE = "record training"
    COURSE_MANAGE = "manage training courses"
    SUPERVISION_READ = "read supervision"
    SUPERVISION_WRITE = "write supervision"
    SUPERVISION_SIGN_OFF = "sign off supervision"
    SUPERVISION_REQUIREMENTS = "set supervision requirements"
    EVIDENCE_READ = "read evidence"
    EVIDENCE_WRITE = "write evidence"
    EVIDENCE_APPROVE = "approve evidence"
    ACCREDITATION_MANAGE = "manage accreditation"
    FRAMEWORK_MANAGE = "import frameworks"
    SITE_CREATE = "add sites"
    SITE_MANAGE = "change site settings"
    USER_MANAGE = "manage users"
    BACKUP = "back up and restore"
    AUDIT_READ = "read the audit trail"


_P = Permission
_CARE = {_P.RESIDENT_READ, _P.KEY_WORK_WRITE, _P.GROUP_WRITE, _P.STAFF_READ, _P.EVIDENCE_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.KEY_WORKER: frozenset(_CARE | {_P.SUPERVISION_READ, _P.SUPERVISION_WRITE}),
    Role.MANAGER: frozenset(
        _CARE
        | {
            _P.RESIDENT_WRITE,
            _P.STAFF_WRITE,
            _P.TRAINING_WRITE,
            _P.COURSE_MANAGE,
            _P.SUPERVISION_READ,
            _P.SUPERVISION_WRITE,
            _P.SUPERVISION_REQUIREMENTS,
            _P.EVIDENCE_WRITE,
            _P.EVIDENCE_APPROVE,
            _P.ACCREDITATION_MANAGE,
            _P.FRAMEWORK_MANAGE,
            _P.SITE_MANAGE,
            _P.USER_MANAGE,
            _P.AUDIT_READ,
        }
    ),
    Role.PSYCHOLOGIST: frozenset(
        _CARE
        | {
            _P.TRAINING_WRITE,
            _P.SUPERVISION_READ,
            _P.SUPERVISION_WRITE,
            _P.SUPERVISION_SIGN_OFF,
            _P.SUPERVISION_REQUIREMENTS,
            _P.EVIDENCE_WRITE,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            _P.STAFF_READ,
            _P.STAFF_WRITE,
            _P.SITE_CREATE,
            _P.SITE_MANAGE,
            _P.USER_MANAGE,
            _P.BACKUP,
            _P.AUDIT_READ,
            _P.FRAMEWORK_MANAGE,
            _P.COURSE_MANAGE,
        }
    ),
}

# Permissions that are not about one site's records.
GLOBAL_PERMISSIONS = frozenset(
    {_P.USER_MANAGE, _P.BACKUP, _P.FRAMEWORK_MANAGE, _P.COURSE_MANAGE, _P.SITE_CREATE}
)


@dataclass(frozen=True)
class Actor:
    """The signed-in user as services see them: plain data, safe to hold in the GUI."""

    user_id: uuid.UUID | None
    username: str
    display_name: str
    roles: frozenset[Role]
    site_ids: frozenset[uuid.UUID]
    staff_member_id: uuid.UUID | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        object.__setattr__(self, "permissions", frozenset(granted))

    @classmethod
    def system(cls, site_ids: frozenset[uuid.UUID] = frozenset()) -> Actor:
        """The app itself (set-up, demo data, command-line maintenance): every permission."""
        return cls(None, "system", "PIPE Desk", frozenset(Role), site_ids)

    @property
    def is_system(self) -> bool:
        return self.user_id is None

    def can(self, permission: Permission, site_id: uuid.UUID | None = None) -> bool:
        if permission not in self.permissions:
            return False
        if site_id is None or permission in GLOBAL_PERMISSIONS or self.is_system:
            return True
        # Administrators administer every site, including one made since they signed in.
        return site_id in self.site_ids or Role.ADMINISTRATOR in self.roles

    def require(self, permission: Permission, site_id: uuid.UUID | None = None) -> None:
        if permission not in self.permissions:
            raise PermissionDenied(f"your role does not allow you to {permission.value}")
        if not self.can(permission, site_id):
            raise PermissionDenied(f"you may not {permission.value} at that site")
