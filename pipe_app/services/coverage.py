"""How well a site's evidence covers a framework's criteria on a given day.

The rules are pure functions (``criterion_status``, ``review_window_start``) so every boundary
can be tested without a database; ``CoverageService`` reads the records and applies them.
Only approved evidence counts as covering a criterion, and only while it is recent enough:
an assessor wants to see what the house does now, not what it did years ago.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from pipe_app.domain import (
    AccreditationCycle,
    Criterion,
    EvidenceItem,
    EvidenceLink,
    SelfAssessment,
    Site,
    Standard,
)
from pipe_app.domain.enums import EvidenceStatus, SelfAssessmentRating
from pipe_app.services.base import Service, get_live
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Permission
from pipe_app.timeutil import add_months

DEFAULT_REVIEW_MONTHS = 12


class CoverageStatus(StrEnum):
    COVERED = "covered"
    STALE = "stale"
    DRAFT_ONLY = "draft_only"
    NO_EVIDENCE = "no_evidence"
    NOT_APPLICABLE_UNJUSTIFIED = "not_applicable_unjustified"
    NOT_APPLICABLE = "not_applicable"


GAPS = frozenset(
    {
        CoverageStatus.STALE,
        CoverageStatus.DRAFT_ONLY,
        CoverageStatus.NO_EVIDENCE,
        CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED,
    }
)
LABELS = {
    CoverageStatus.COVERED: "Covered",
    CoverageStatus.STALE: "Stale",
    CoverageStatus.DRAFT_ONLY: "Draft only",
    CoverageStatus.NO_EVIDENCE: "No evidence",
    CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED: "Not applicable, no justification",
    CoverageStatus.NOT_APPLICABLE: "Not applicable",
}


@dataclass(frozen=True)
class EvidenceFact:
    """One evidence item as linked to one criterion: all the rules need to know."""

    evidence_item_id: uuid.UUID
    status: EvidenceStatus
    effective_on: date
    item_archived: bool = False
    link_archived: bool = False


@dataclass(frozen=True)
class Assessment:
    rating: SelfAssessmentRating
    justification: str


def review_window_start(on: date, months: int) -> date:
    """The first day evidence still counts as current on ``on`` (inclusive)."""
    return add_months(on, -months)


def criterion_status(
    facts: Iterable[EvidenceFact],
    assessment: Assessment | None,
    on: date,
    review_months: int = DEFAULT_REVIEW_MONTHS,
) -> CoverageStatus:
    """The criterion's coverage on ``on``.

    Archived items and archived links are ignored, as is evidence dated after ``on`` (it
    did not exist yet). Approved evidence dated from the window start to ``on`` covers;
    older approved evidence is stale; unapproved evidence alone is draft only. A
    self-assessment of not applicable overrides evidence, and needs a justification.
    """
    if assessment is not None and assessment.rating == SelfAssessmentRating.NOT_APPLICABLE:
        if assessment.justification.strip():
            return CoverageStatus.NOT_APPLICABLE
        return CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED
    live = [
        fact
        for fact in facts
        if not fact.item_archived and not fact.link_archived and fact.effective_on <= on
    ]
    approved = [fact for fact in live if fact.status == EvidenceStatus.APPROVED]
    start = review_window_start(on, review_months)
    if any(fact.effective_on >= start for fact in approved):
        return CoverageStatus.COVERED
    if approved:
        return CoverageStatus.STALE
    if live:
        return CoverageStatus.DRAFT_ONLY
    return CoverageStatus.NO_EVIDENCE


@dataclass(frozen=True)
class CriterionCoverage:
    criterion_id: uuid.UUID
    code: str
    text: str
    standard_code: str
    status: CoverageStatus
    approved_current: int
    latest_approved_on: date | None
    assessment: Assessment | None

    @property
    def is_gap(self) -> bool:
        return self.status in GAPS


@dataclass(frozen=True)
class Counts:
    """Status counts; the percentage leaves out criteria justified as not applicable."""

    by_status: tuple[tuple[CoverageStatus, int], ...]

    def count(self, status: CoverageStatus) -> int:
        return dict(self.by_status).get(status, 0)

    @property
    def total(self) -> int:
        return sum(number for _, number in self.by_status)

    @property
    def applicable(self) -> int:
        return self.total - self.count(CoverageStatus.NOT_APPLICABLE)

    @property
    def covered_percent(self) -> float:
        return (
            100.0 * self.count(CoverageStatus.COVERED) / self.applicable if self.applicable else 0.0
        )


def count_statuses(criteria: Iterable[CriterionCoverage]) -> Counts:
    tally = dict.fromkeys(CoverageStatus, 0)
    for criterion in criteria:
        tally[criterion.status] += 1
    return Counts(tuple(tally.items()))


@dataclass(frozen=True)
class StandardCoverage:
    standard_id: uuid.UUID
    code: str
    name: str
    statement: str
    criteria: tuple[CriterionCoverage, ...]

    @property
    def counts(self) -> Counts:
        return count_statuses(self.criteria)


@dataclass(frozen=True)
class CoverageReport:
    site_id: uuid.UUID
    framework_id: uuid.UUID
    framework_title: str
    on: date
    review_months: int
    cycle_id: uuid.UUID | None
    standards: tuple[StandardCoverage, ...]

    @property
    def counts(self) -> Counts:
        return count_statuses(c for s in self.standards for c in s.criteria)

    @property
    def gaps(self) -> tuple[CriterionCoverage, ...]:
        return tuple(c for s in self.standards for c in s.criteria if c.is_gap)


def review_months_for(site: Site) -> int:
    return site.evidence_review_months or DEFAULT_REVIEW_MONTHS


class CoverageService(Service):
    def coverage(self, site_id: uuid.UUID, framework_id: uuid.UUID, on: date) -> CoverageReport:
        """Every criterion's status on ``on``, with the self-assessment of the site's latest
        live cycle for this framework (started on or before ``on``, else the latest)."""
        self.actor.require(Permission.EVIDENCE_READ, site_id)
        tree = FrameworkService(self.db, self.actor).tree(framework_id)
        criterion_ids = [c.id for c in tree.criteria()]
        with self._reading() as session:
            site = get_live(session, Site, site_id, "site")
            months = review_months_for(site)
            facts: dict[uuid.UUID, list[EvidenceFact]] = {cid: [] for cid in criterion_ids}
            found = session.execute(
                select(
                    EvidenceLink.criterion_id,
                    EvidenceLink.archived_at,
                    EvidenceItem.id,
                    EvidenceItem.status,
                    EvidenceItem.effective_on,
                    EvidenceItem.archived_at,
                )
                .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_item_id)
                .join(Criterion, Criterion.id == EvidenceLink.criterion_id)
                .join(Standard, Standard.id == Criterion.standard_id)
                .where(EvidenceItem.site_id == site_id, Standard.framework_id == framework_id)
            )
            for criterion_id, link_gone, item_id, status, effective, item_gone in found:
                facts.setdefault(criterion_id, []).append(
                    EvidenceFact(
                        item_id, status, effective, item_gone is not None, link_gone is not None
                    )
                )
            cycles = session.scalars(
                select(AccreditationCycle)
                .where(
                    AccreditationCycle.site_id == site_id,
                    AccreditationCycle.framework_id == framework_id,
                    AccreditationCycle.archived_at.is_(None),
                )
                .order_by(AccreditationCycle.membership_on.desc(), AccreditationCycle.id)
            ).all()
            cycle = next(
                (c for c in cycles if c.membership_on <= on), cycles[0] if cycles else None
            )
            assessments: dict[uuid.UUID, Assessment] = {}
            if cycle is not None:
                for row in session.scalars(
                    select(SelfAssessment).where(
                        SelfAssessment.cycle_id == cycle.id, SelfAssessment.archived_at.is_(None)
                    )
                ):
                    assessments[row.criterion_id] = Assessment(row.rating, row.justification)
        start = review_window_start(on, months)
        standards = []
        for standard in tree.standards:
            rows = []
            for criterion in standard.criteria:
                mine = facts.get(criterion.id, [])
                current = [
                    f
                    for f in mine
                    if f.status == EvidenceStatus.APPROVED
                    and not f.item_archived
                    and not f.link_archived
                    and f.effective_on <= on
                ]
                assessment = assessments.get(criterion.id)
                rows.append(
                    CriterionCoverage(
                        criterion.id,
                        criterion.code,
                        criterion.text,
                        standard.code,
                        criterion_status(mine, assessment, on, months),
                        sum(1 for f in current if f.effective_on >= start),
                        max((f.effective_on for f in current), default=None),
                        assessment,
                    )
                )
            standards.append(
                StandardCoverage(
                    standard.id, standard.code, standard.name, standard.statement, tuple(rows)
                )
            )
        return CoverageReport(
            site_id,
            framework_id,
            f"{tree.name} ({tree.framework_version})",
            on,
            months,
            cycle.id if cycle is not None else None,
            tuple(standards),
        )
