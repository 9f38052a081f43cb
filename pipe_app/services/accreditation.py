"""Accreditation cycles per site, and the site's self-assessment against each criterion.

A cycle runs membership -> portfolio -> interim assessment -> award visit -> award, and an
award lasts three years. Its status is the latest of those milestones whose date has come.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pipe_app.domain import (
    AccreditationCycle,
    Criterion,
    Framework,
    SelfAssessment,
    Site,
    Standard,
)
from pipe_app.domain.enums import CycleStatus, SelfAssessmentRating
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound, ValidationError
from pipe_app.services.permissions import Permission
from pipe_app.services.validation import Checks
from pipe_app.timeutil import add_months, local_today, utc_now

AWARD_MONTHS = 36
JUSTIFY = frozenset({SelfAssessmentRating.NOT_MET, SelfAssessmentRating.NOT_APPLICABLE})
MILESTONES = (
    ("membership_on", CycleStatus.MEMBERSHIP),
    ("portfolio_due_on", CycleStatus.PORTFOLIO),
    ("interim_assessment_on", CycleStatus.INTERIM_ASSESSMENT),
    ("award_visit_on", CycleStatus.AWARD_VISIT),
    ("award_on", CycleStatus.AWARDED),
)


@dataclass(frozen=True)
class CycleInput:
    site_id: uuid.UUID
    framework_id: uuid.UUID
    membership_on: date
    portfolio_due_on: date | None = None
    interim_assessment_on: date | None = None
    award_visit_on: date | None = None
    award_on: date | None = None


@dataclass(frozen=True)
class CycleRow:
    id: uuid.UUID
    version: int
    site_id: uuid.UUID
    framework_id: uuid.UUID
    framework_name: str
    membership_on: date
    portfolio_due_on: date | None
    interim_assessment_on: date | None
    award_visit_on: date | None
    award_on: date | None
    expires_on: date | None
    status: CycleStatus


@dataclass(frozen=True)
class SelfAssessmentRow:
    id: uuid.UUID
    version: int
    cycle_id: uuid.UUID
    criterion_id: uuid.UUID
    criterion_code: str
    standard_code: str
    rating: SelfAssessmentRating
    justification: str


@dataclass(frozen=True)
class CycleDetail:
    cycle: CycleRow
    self_assessments: tuple[SelfAssessmentRow, ...]


def cycle_status(dates: dict[str, date | None], expires_on: date | None, on: date) -> CycleStatus:
    """The latest milestone reached on ``on``; an expired award has lapsed."""
    if expires_on is not None and on >= expires_on:
        return CycleStatus.LAPSED
    status = CycleStatus.MEMBERSHIP
    for field, milestone in MILESTONES:
        day = dates.get(field)
        if day is not None and day <= on:
            status = milestone
    return status


def award_expiry(award_on: date | None) -> date | None:
    """When an award lapses: three years after it was given (None until it is)."""
    return add_months(award_on, AWARD_MONTHS) if award_on is not None else None


def _dates(cycle: AccreditationCycle | CycleInput) -> dict[str, date | None]:
    return {field: getattr(cycle, field) for field, _ in MILESTONES}


def _cycle_row(cycle: AccreditationCycle, framework: Framework) -> CycleRow:
    return CycleRow(
        cycle.id,
        cycle.version,
        cycle.site_id,
        cycle.framework_id,
        f"{framework.name} ({framework.framework_version})",
        cycle.membership_on,
        cycle.portfolio_due_on,
        cycle.interim_assessment_on,
        cycle.award_visit_on,
        cycle.award_on,
        cycle.expires_on,
        cycle_status(_dates(cycle), cycle.expires_on, local_today()),
    )


class AccreditationService(Service):
    # ---- reads -------------------------------------------------------------------------

    def _query(self, site_id: uuid.UUID | None) -> Select[AccreditationCycle, Framework]:
        query = (
            select(AccreditationCycle, Framework)
            .join(Framework, Framework.id == AccreditationCycle.framework_id)
            .where(AccreditationCycle.archived_at.is_(None))
        )
        if site_id is not None:
            self.actor.require(Permission.EVIDENCE_READ, site_id)
            return query.where(AccreditationCycle.site_id == site_id)
        self.actor.require(Permission.EVIDENCE_READ)
        if not self.actor.is_system:
            query = query.where(AccreditationCycle.site_id.in_(sorted(self.actor.site_ids)))
        return query

    def rows(self, *, site_id: uuid.UUID | None = None) -> list[CycleRow]:
        query = self._query(site_id).order_by(AccreditationCycle.membership_on.desc())
        with self._reading() as session:
            return [_cycle_row(cycle, framework) for cycle, framework in session.execute(query)]

    def get(self, cycle_id: uuid.UUID) -> CycleDetail:
        with self._reading() as session:
            found = session.execute(
                self._query(None).where(AccreditationCycle.id == cycle_id)
            ).first()
            if found is None:
                raise NotFound("that accreditation cycle does not exist or is at another site")
            cycle, framework = found
            assessments = session.execute(
                select(SelfAssessment, Criterion.code, Standard.code)
                .join(Criterion, Criterion.id == SelfAssessment.criterion_id)
                .join(Standard, Standard.id == Criterion.standard_id)
                .where(SelfAssessment.cycle_id == cycle.id, SelfAssessment.archived_at.is_(None))
                .order_by(Standard.position, Criterion.position)
            ).all()
            return CycleDetail(
                _cycle_row(cycle, framework),
                tuple(_assessment_row(a, code, std) for a, code, std in assessments),
            )

    # ---- cycles ------------------------------------------------------------------------

    @staticmethod
    def _checked(data: CycleInput) -> dict[str, object]:
        checks = Checks()
        values: dict[str, object] = {
            "site_id": data.site_id,
            "framework_id": data.framework_id,
        }
        previous: tuple[str, date] | None = None
        for field, _ in MILESTONES:
            day = checks.day(field, getattr(data, field), required=field == "membership_on")
            values[field] = day
            if day is None:
                continue
            if previous is not None:
                checks.order(previous[0], previous[1], field, day)
            previous = (field, day)
        checks.raise_if_any()
        expires = award_expiry(data.award_on)
        values["expires_on"] = expires
        values["status"] = cycle_status(_dates(data), expires, local_today())
        return values

    @staticmethod
    def _framework(session: Session, framework_id: uuid.UUID) -> Framework:
        framework = session.get(Framework, framework_id)
        if framework is None or framework.archived_at is not None:
            raise ValidationError.single("framework_id", "is not a current framework")
        return framework

    def _cycle_for_write(self, session: Session, cycle_id: uuid.UUID) -> AccreditationCycle:
        cycle = get_live(session, AccreditationCycle, cycle_id, "accreditation cycle")
        if not self.actor.can(Permission.EVIDENCE_READ, cycle.site_id):
            raise NotFound("that accreditation cycle does not exist or is at another site")
        self.actor.require(Permission.ACCREDITATION_MANAGE, cycle.site_id)
        return cycle

    def create(self, data: CycleInput) -> CycleRow:
        values = self._checked(data)
        self.actor.require(Permission.ACCREDITATION_MANAGE, data.site_id)
        with self._writing() as session:
            get_live(session, Site, data.site_id, "site")
            framework = self._framework(session, data.framework_id)
            cycle = AccreditationCycle(**values)
            session.add(cycle)
            session.flush()
            return _cycle_row(cycle, framework)

    def update(self, cycle_id: uuid.UUID, version: int, data: CycleInput) -> CycleRow:
        values = self._checked(data)
        with self._writing() as session:
            cycle = self._cycle_for_write(session, cycle_id)
            check_version(cycle, version)
            if data.site_id != cycle.site_id:
                raise ValidationError.single("site_id", "a cycle cannot move to another site")
            framework = self._framework(session, data.framework_id)
            if data.framework_id != cycle.framework_id and any(
                a.archived_at is None for a in cycle.self_assessments
            ):
                raise ValidationError.single(
                    "framework_id", "cannot change once criteria have been self-assessed"
                )
            for key, value in values.items():
                setattr(cycle, key, value)
            session.flush()
            return _cycle_row(cycle, framework)

    def archive(self, cycle_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            cycle = self._cycle_for_write(session, cycle_id)
            check_version(cycle, version)
            cycle.archived_at = utc_now()

    # ---- self-assessment ---------------------------------------------------------------

    def set_self_assessment(
        self,
        cycle_id: uuid.UUID,
        criterion_id: uuid.UUID,
        rating: SelfAssessmentRating | str,
        justification: str = "",
        *,
        version: int | None = None,
    ) -> SelfAssessmentRow:
        """Rate one criterion; saying it is not met or does not apply needs a reason."""
        checks = Checks()
        chosen = checks.choice("rating", rating, SelfAssessmentRating)
        why = checks.text("justification", justification, max_length=8000, required=False)
        if chosen in JUSTIFY and not why:
            checks.fail("justification", f"is required when the rating is {chosen.value}")
        checks.raise_if_any()
        assert chosen is not None
        with self._writing() as session:
            cycle = self._cycle_for_write(session, cycle_id)
            found = session.execute(
                select(Criterion, Standard.code)
                .join(Standard, Standard.id == Criterion.standard_id)
                .where(
                    Criterion.id == criterion_id,
                    Criterion.archived_at.is_(None),
                    Standard.framework_id == cycle.framework_id,
                )
            ).first()
            if found is None:
                raise ValidationError.single(
                    "criterion_id", "is not a criterion of this cycle's framework"
                )
            criterion, standard_code = found
            assessment = next(
                (a for a in cycle.self_assessments if a.criterion_id == criterion_id), None
            )
            if assessment is None:
                assessment = SelfAssessment(cycle_id=cycle.id, criterion_id=criterion_id)
                session.add(assessment)
            else:
                check_version(assessment, version)
            assessment.rating, assessment.justification = chosen, why
            assessment.archived_at = None
            session.flush()
            return _assessment_row(assessment, criterion.code, standard_code)


def _assessment_row(
    assessment: SelfAssessment, criterion_code: str, standard_code: str
) -> SelfAssessmentRow:
    return SelfAssessmentRow(
        assessment.id,
        assessment.version,
        assessment.cycle_id,
        assessment.criterion_id,
        criterion_code,
        standard_code,
        assessment.rating,
        assessment.justification,
    )
