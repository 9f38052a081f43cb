"""Coverage of a framework's criteria by evidence: the rules at their boundaries, then the
service on both databases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from pipe_app.domain.enums import EvidenceKind, EvidenceStatus, Role, SelfAssessmentRating
from pipe_app.services.accreditation import AccreditationService, CycleInput
from pipe_app.services.coverage import (
    Assessment,
    CoverageService,
    CoverageStatus,
    EvidenceFact,
    criterion_status,
    review_window_start,
)
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.sites import SiteService
from pipe_app.timeutil import local_today
from tests.services.test_evidence import make_framework

ON = date(2026, 6, 15)
APPROVED, DRAFT = EvidenceStatus.APPROVED, EvidenceStatus.DRAFT
S = CoverageStatus


def fact(effective: date, status: EvidenceStatus = APPROVED, **flags: bool) -> EvidenceFact:
    return EvidenceFact(uuid.uuid4(), status, effective, **flags)


def test_the_window_starts_the_same_day_months_earlier() -> None:
    assert review_window_start(ON, 12) == date(2025, 6, 15)
    assert review_window_start(date(2026, 3, 31), 1) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("effective", "expected"),
    [
        (date(2025, 6, 15), S.COVERED),  # the day the window starts
        (date(2025, 6, 14), S.STALE),  # the day before it
        (ON, S.COVERED),  # the day the window ends
        (ON + timedelta(days=1), S.NO_EVIDENCE),  # not yet in effect on the day
    ],
)
def test_approved_evidence_at_the_window_edges(effective: date, expected: CoverageStatus) -> None:
    assert criterion_status([fact(effective)], None, ON, 12) == expected


def test_the_site_window_length_is_used() -> None:
    old = fact(date(2025, 12, 14))
    assert criterion_status([old], None, ON, 6) == S.STALE
    assert criterion_status([old], None, ON, 12) == S.COVERED
    assert criterion_status([fact(date(2025, 12, 15))], None, ON, 6) == S.COVERED


def test_drafts_never_cover() -> None:
    assert criterion_status([fact(ON, DRAFT)], None, ON) == S.DRAFT_ONLY
    assert criterion_status([fact(ON, DRAFT), fact(date(2020, 1, 1))], None, ON) == S.STALE
    assert criterion_status([fact(ON, DRAFT), fact(ON)], None, ON) == S.COVERED
    assert criterion_status([], None, ON) == S.NO_EVIDENCE


def test_archived_items_and_links_are_ignored() -> None:
    assert criterion_status([fact(ON, item_archived=True)], None, ON) == S.NO_EVIDENCE
    assert criterion_status([fact(ON, link_archived=True)], None, ON) == S.NO_EVIDENCE
    assert criterion_status([fact(ON, DRAFT, link_archived=True)], None, ON) == S.NO_EVIDENCE


def test_not_applicable_needs_a_justification() -> None:
    na = SelfAssessmentRating.NOT_APPLICABLE
    assert criterion_status([], Assessment(na, "  "), ON) == S.NOT_APPLICABLE_UNJUSTIFIED
    assert criterion_status([fact(ON)], Assessment(na, ""), ON) == S.NOT_APPLICABLE_UNJUSTIFIED
    assert criterion_status([], Assessment(na, "No kitchen on site"), ON) == S.NOT_APPLICABLE
    met = Assessment(SelfAssessmentRating.MET, "")
    assert criterion_status([fact(ON)], met, ON) == S.COVERED


# ---- the service --------------------------------------------------------------------------


def _evidence(world, title: str, effective: date, criterion: uuid.UUID, approve: bool):
    service = EvidenceService(world.db, world.system)
    row = service.create(
        EvidenceInput(world.crowley.id, title, EvidenceKind.MINUTES, effective, None, "")
    )
    service.link(row.id, criterion)
    if approve:
        row = service.approve(row.id, row.version)
    return row


def test_coverage_report_counts_gaps_and_self_assessment(world) -> None:
    criteria = make_framework(world, criteria=5)
    today = local_today()
    site = SiteService(world.db, world.system).get(world.crowley.id)
    months = site.evidence_review_months
    _evidence(world, "Recent", today - timedelta(days=3), criteria[0], True)
    _evidence(world, "Old", today.replace(year=today.year - 2), criteria[1], True)
    _evidence(world, "Unapproved", today - timedelta(days=3), criteria[2], False)
    archived = _evidence(world, "Gone", today - timedelta(days=3), criteria[3], True)
    EvidenceService(world.db, world.system).archive(archived.id, archived.version)
    # Evidence at the other site never counts here.
    other = EvidenceService(world.db, world.system).create(
        EvidenceInput(world.kirk.id, "Kirk", EvidenceKind.MINUTES, today, None, "")
    )
    EvidenceService(world.db, world.system).link(other.id, criteria[4])
    framework_id = EvidenceService(world.db, world.system).get(other.id).links[0].criterion_id
    assert framework_id == criteria[4]
    cycles = AccreditationService(world.db, world.system)
    framework = _framework_id(world)
    cycle = cycles.create(CycleInput(world.crowley.id, framework, today - timedelta(days=100)))
    cycles.set_self_assessment(cycle.id, criteria[4], SelfAssessmentRating.NOT_APPLICABLE, "n/a")
    cycles.set_self_assessment(cycle.id, criteria[0], SelfAssessmentRating.MET)

    report = CoverageService(world.db, world.actor(Role.KEY_WORKER)).coverage(
        world.crowley.id, framework, today
    )
    statuses = [c.status for c in report.standards[0].criteria]
    assert statuses == [S.COVERED, S.STALE, S.DRAFT_ONLY, S.NO_EVIDENCE, S.NOT_APPLICABLE]
    assert report.review_months == months
    assert report.cycle_id == cycle.id
    first = report.standards[0].criteria[0]
    assert first.assessment == Assessment(SelfAssessmentRating.MET, "")
    assert first.approved_current == 1 and first.latest_approved_on == today - timedelta(days=3)
    counts = report.counts
    assert (counts.total, counts.applicable, counts.count(S.COVERED)) == (5, 4, 1)
    assert counts.covered_percent == 25.0
    assert [g.code for g in report.gaps] == ["1.2", "1.3", "1.4"]


def _framework_id(world) -> uuid.UUID:
    from pipe_app.services.frameworks import FrameworkService

    row = FrameworkService(world.db, world.system).find("Enabling Environments", "test")
    assert row is not None
    return row.id


def test_coverage_is_refused_at_another_site(world) -> None:
    make_framework(world)
    with pytest.raises(PermissionDenied):
        CoverageService(world.db, world.actor(Role.MANAGER, "kirk")).coverage(
            world.crowley.id, _framework_id(world), local_today()
        )
