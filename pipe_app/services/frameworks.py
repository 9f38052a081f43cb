"""Frameworks of standards and criteria: the built-in Enabling Environments set and site imports.

A site that holds its own criteria (the Royal College's portfolio pack, a local rewording, the
probation inspection standards) imports them from a file as a NEW framework version. Existing
versions are never changed, because evidence links and self-assessments point at their criteria.
The file formats are described in ``framework_files``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipe_app.domain import Criterion, Framework, Standard
from pipe_app.services.base import Service
from pipe_app.services.errors import NotFound, PermissionDenied, ValidationError
from pipe_app.services.framework_files import FrameworkSpec, builtin_path, parse_framework_file
from pipe_app.services.permissions import Permission

BUILTIN_SOURCE = "Built into PIPE Desk"


# Read-only rows handed to callers -----------------------------------------------------------


@dataclass(frozen=True)
class FrameworkRow:
    id: uuid.UUID
    version: int
    name: str
    framework_version: str
    description: str
    source: str
    standard_count: int
    criterion_count: int
    created_at: datetime
    archived_at: datetime | None

    @property
    def title(self) -> str:
        return f"{self.name} ({self.framework_version})"


@dataclass(frozen=True)
class CriterionNode:
    id: uuid.UUID
    code: str
    text: str
    guidance: str
    position: int


@dataclass(frozen=True)
class StandardNode:
    id: uuid.UUID
    code: str
    name: str
    statement: str
    position: int
    criteria: tuple[CriterionNode, ...]


@dataclass(frozen=True)
class FrameworkTree:
    id: uuid.UUID
    version: int
    name: str
    framework_version: str
    description: str
    source: str
    standards: tuple[StandardNode, ...]

    def criteria(self) -> list[CriterionNode]:
        return [criterion for standard in self.standards for criterion in standard.criteria]


# The service ----------------------------------------------------------------------------------


def _counts(session: Session, framework_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    if not framework_ids:
        return {}
    query = (
        select(
            Standard.framework_id, func.count(func.distinct(Standard.id)), func.count(Criterion.id)
        )
        .outerjoin(
            Criterion,
            (Criterion.standard_id == Standard.id) & Criterion.archived_at.is_(None),
        )
        .where(Standard.framework_id.in_(framework_ids), Standard.archived_at.is_(None))
        .group_by(Standard.framework_id)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in session.execute(query)}


def framework_tree(session: Session, framework_id: uuid.UUID) -> FrameworkTree:
    """A live framework's live standards (by position) with their live criteria (by position),
    in two queries of plain columns (callers check the actor may read frameworks)."""
    found = session.execute(
        select(
            Framework.id,
            Framework.version,
            Framework.name,
            Framework.framework_version,
            Framework.description,
            Framework.source,
        ).where(Framework.id == framework_id, Framework.archived_at.is_(None))
    ).first()
    if found is None:
        raise NotFound("that framework does not exist or has been archived")
    rows = session.execute(
        select(
            Standard.id,
            Standard.code,
            Standard.name,
            Standard.statement,
            Standard.position,
            Criterion.id,
            Criterion.code,
            Criterion.text,
            Criterion.guidance,
            Criterion.position,
        )
        .outerjoin(
            Criterion,
            and_(Criterion.standard_id == Standard.id, Criterion.archived_at.is_(None)),
        )
        .where(Standard.framework_id == framework_id, Standard.archived_at.is_(None))
        .order_by(Standard.position, Standard.id, Criterion.position)
    )
    standards: dict[uuid.UUID, tuple[tuple[str, str, str, int], list[CriterionNode]]] = {}
    for standard_id, code, name, statement, position, *criterion in rows:
        _, criteria = standards.setdefault(standard_id, ((code, name, statement, position), []))
        if criterion[0] is not None:
            criteria.append(CriterionNode(*criterion))
    return FrameworkTree(
        *found,
        tuple(
            StandardNode(standard_id, *standard, tuple(criteria))
            for standard_id, (standard, criteria) in standards.items()
        ),
    )


def _row(framework: Framework, counts: tuple[int, int]) -> FrameworkRow:
    return FrameworkRow(
        framework.id,
        framework.version,
        framework.name,
        framework.framework_version,
        framework.description,
        framework.source,
        counts[0],
        counts[1],
        framework.created_at,
        framework.archived_at,
    )


class FrameworkService(Service):
    """Frameworks are shared reference data (no resident or site data), readable by every role."""

    def _require_read(self) -> None:
        if not (
            self.actor.can(Permission.EVIDENCE_READ) or self.actor.can(Permission.FRAMEWORK_MANAGE)
        ):
            raise PermissionDenied("your role does not allow you to read frameworks")

    def rows(self, *, include_archived: bool = False) -> list[FrameworkRow]:
        self._require_read()
        with self._reading() as session:
            query = select(Framework).order_by(Framework.name, Framework.framework_version)
            if not include_archived:
                query = query.where(Framework.archived_at.is_(None))
            frameworks = list(session.scalars(query))
            counts = _counts(session, [framework.id for framework in frameworks])
            return [_row(item, counts.get(item.id, (0, 0))) for item in frameworks]

    def find(self, name: str, framework_version: str) -> FrameworkRow | None:
        self._require_read()
        with self._reading() as session:
            framework = _existing(session, name, framework_version)
            if framework is None:
                return None
            return _row(framework, _counts(session, [framework.id]).get(framework.id, (0, 0)))

    def tree(self, framework_id: uuid.UUID) -> FrameworkTree:
        self._require_read()
        with self._reading() as session:
            return framework_tree(session, framework_id)

    def install_builtin(self) -> FrameworkRow:
        """Load the packaged Enabling Environments set once; later calls return it unchanged."""
        self.actor.require(Permission.FRAMEWORK_MANAGE)
        spec = parse_framework_file(builtin_path())
        with self._reading() as session:
            existing = _existing(session, spec.name, spec.framework_version)
            if existing is not None:
                counts = _counts(session, [existing.id]).get(existing.id, (0, 0))
                return _row(existing, counts)
        return self._create(spec, BUILTIN_SOURCE)

    def import_file(self, path: Path | str) -> FrameworkRow:
        """A site's own criteria set from a YAML or CSV file, as a new framework version."""
        self.actor.require(Permission.FRAMEWORK_MANAGE)
        spec = parse_framework_file(path)
        return self._create(spec, spec.source)

    def _create(self, spec: FrameworkSpec, source: str) -> FrameworkRow:
        duplicate = ValidationError.single(
            f"line {spec.line}",
            f"{spec.name!r} version {spec.framework_version!r} already exists; "
            "give the new criteria set a different version",
        )
        try:
            with self._writing() as session:
                if _existing(session, spec.name, spec.framework_version) is not None:
                    raise duplicate
                framework = Framework(
                    name=spec.name,
                    framework_version=spec.framework_version,
                    description=spec.description,
                    source=source,
                )
                session.add(framework)
                for position, standard_spec in enumerate(spec.standards, start=1):
                    standard = Standard(
                        framework=framework,
                        code=standard_spec.code,
                        name=standard_spec.name,
                        statement=standard_spec.statement,
                        position=position,
                    )
                    session.add(standard)
                    for place, criterion in enumerate(standard_spec.criteria, start=1):
                        session.add(
                            Criterion(
                                standard=standard,
                                code=criterion.code,
                                text=criterion.text,
                                guidance=criterion.guidance,
                                position=place,
                            )
                        )
                session.flush()
                criteria = sum(len(standard.criteria) for standard in spec.standards)
                return _row(framework, (len(spec.standards), criteria))
        except IntegrityError:
            # Someone imported the same name and version at the same moment.
            raise duplicate from None


def _existing(session: Session, name: str, framework_version: str) -> Framework | None:
    """Name and version match ignoring case, archived or not: the pair is the identity."""
    wanted = (name.casefold(), framework_version.casefold())
    for framework in session.scalars(select(Framework)):
        if (framework.name.casefold(), framework.framework_version.casefold()) == wanted:
            return framework
    return None
