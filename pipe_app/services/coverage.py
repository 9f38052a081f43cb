"""How well a site's evidence covers a framework's criteria on a given day.

The rules are pure functions (``criterion_status``, ``review_window_start``) so every boundary
can be tested without a database; ``CoverageService`` sums the records in SQL into the
``EvidenceSummary`` that ``criterion_status`` works from and applies the same rule to it.
Only approved evidence counts as covering a criterion, and only while it is recent enough:
an assessor wants to see what the house does now, not what it did years ago.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import case, func, select

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
from pipe_app.services.base import Service
from pipe_app.services.errors import NotFound
from pipe_app.services.frameworks import framework_tree
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


@dataclass(frozen=True)
class EvidenceSummary:
    """A criterion's live evidence in effect on a day (archived items and links, and evidence
    dated after the day, left out): all its coverage status depends on."""

    approved_current: int = 0  # approved and dated from the window start to the day
    latest_approved_on: date | None = None
    unapproved: int = 0


def summarise(
    facts: Iterable[EvidenceFact], on: date, review_months: int = DEFAULT_REVIEW_MONTHS
) -> EvidenceSummary:
    live = [
        fact
        for fact in facts
        if not fact.item_archived and not fact.link_archived and fact.effective_on <= on
    ]
    approved = [fact.effective_on for fact in live if fact.status == EvidenceStatus.APPROVED]
    start = review_window_start(on, review_months)
    return EvidenceSummary(
        sum(1 for day in approved if day >= start),
        max(approved, default=None),
        len(live) - len(approved),
    )


def summary_status(summary: EvidenceSummary, assessment: Assessment | None) -> CoverageStatus:
    """The coverage status from the summary of the criterion's evidence on a day."""
    if assessment is not None and assessment.rating == SelfAssessmentRating.NOT_APPLICABLE:
        if assessment.justification.strip():
            return CoverageStatus.NOT_APPLICABLE
        return CoverageStatus.NOT_APPLICABLE_UNJUSTIFIED
    if summary.approved_current:
        return CoverageStatus.COVERED
    if summary.latest_approved_on is not None:
        return CoverageStatus.STALE
    if summary.unapproved:
        return CoverageStatus.DRAFT_ONLY
    return CoverageStatus.NO_EVIDENCE


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
    return summary_status(summarise(facts, on, review_months), assessment)


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
        with self._reading() as session:
            tree = framework_tree(session, framework_id)
            site = session.execute(
                select(Site.evidence_review_months).where(
                    Site.id == site_id, Site.archived_at.is_(None)
                )
            ).first()
            if site is None:
                raise NotFound("that site does not exist or has been archived")
            months = site.evidence_review_months or DEFAULT_REVIEW_MONTHS
            start = review_window_start(on, months)
            # What ``summarise`` works out from the facts, summed in SQL: the rows are then a
            # few per criterion, not one per piece of evidence.
            effective = EvidenceItem.effective_on
            summed = session.execute(
                select(
                    EvidenceLink.criterion_id,
                    EvidenceItem.status,
                    func.count(),
                    func.count(case((effective >= start, 1))),
                    func.max(effective),
                )
                .join(EvidenceItem, EvidenceItem.id == EvidenceLink.evidence_item_id)
                .join(Criterion, Criterion.id == EvidenceLink.criterion_id)
                .join(Standard, Standard.id == Criterion.standard_id)
                .where(
                    EvidenceItem.site_id == site_id,
                    Standard.framework_id == framework_id,
                    EvidenceLink.archived_at.is_(None),
                    EvidenceItem.archived_at.is_(None),
                    effective <= on,
                )
                .group_by(EvidenceLink.criterion_id, EvidenceItem.status)
            )
            summaries: dict[uuid.UUID, EvidenceSummary] = {}
            for criterion_id, status, count, current, latest in summed:
                before = summaries.get(criterion_id, EvidenceSummary())
                if status == EvidenceStatus.APPROVED:
                    summary = replace(before, approved_current=current, latest_approved_on=latest)
                else:
                    summary = replace(before, unapproved=before.unapproved + count)
                summaries[criterion_id] = summary
            cycles = session.execute(
                select(AccreditationCycle.id, AccreditationCycle.membership_on)
                .where(
                    AccreditationCycle.site_id == site_id,
                    AccreditationCycle.framework_id == framework_id,
                    AccreditationCycle.archived_at.is_(None),
                )
                .order_by(AccreditationCycle.membership_on.desc(), AccreditationCycle.id)
            ).all()
            cycle = next(
                (c.id for c in cycles if c.membership_on <= on), cycles[0].id if cycles else None
            )
            assessments: dict[uuid.UUID, Assessment] = {}
            if cycle is not None:
                for criterion_id, rating, justification in session.execute(
                    select(
                        SelfAssessment.criterion_id,
                        SelfAssessment.rating,
                        SelfAssessment.justification,
                    ).where(SelfAssessment.cycle_id == cycle, SelfAssessment.archived_at.is_(None))
                ):
                    assessments[criterion_id] = Assessment(rating, justification)
        standards = []
        for standard in tree.standards:
            rows = []
            for criterion in standard.criteria:
                summary = summaries.get(criterion.id, EvidenceSummary())
                assessment = assessments.get(criterion.id)
                rows.append(
                    CriterionCoverage(
                        criterion.id,
                        criterion.code,
                        criterion.text,
                        standard.code,
                        summary_status(summary, assessment),
                        summary.approved_current,
                        summary.latest_approved_on,
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
            cycle,
            tuple(standards),
        )
