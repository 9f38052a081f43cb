"""The report views' reads (training matrix, supervision compliance, coverage, framework tree)
at the edges their column and summed queries must keep: the history before the compliance
series, evidence that no longer or not yet counts, tied training records, archived criteria."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from pipe_app.domain import Criterion, Framework, Standard
from pipe_app.domain.enums import EvidenceKind, Role, StaffRole
from pipe_app.services import audit
from pipe_app.services.coverage import CoverageService, CoverageStatus
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.supervision_compliance import month_ends
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import local_today, utc_now
from tests.services.test_evidence import make_framework
from tests.services.test_supervision_compliance import compliance, requirement, supervise

S = CoverageStatus

# ---- supervision compliance: the history before the series ---------------------------------


def test_the_latest_supervision_before_the_series_is_the_one_that_counts(world):
    requirement(world, days=60)
    member = StaffService(world.db, world.system).create(
        StaffInput(
            "Long",
            "Server",
            StaffRole.RESIDENTIAL_WORKER,
            local_today() - timedelta(days=2000),
            frozenset({world.crowley.id}),
        )
    )
    first_month = month_ends(local_today())[0][0]
    older, latest = first_month - timedelta(days=300), first_month - timedelta(days=1)
    supervise(world, member.id, older)
    supervise(world, member.id, latest)
    overview = compliance(world).overview(world.crowley.id)
    (row,) = [r for r in overview.rows if r.staff_member_id == member.id]
    assert row.last_on == latest
    assert row.days_overdue == max(0, (local_today() - latest - timedelta(days=60)).days)
    # The first month end is at most 31 days after the supervision the day before it.
    assert overview.points[0].met == 1  # them (the key worker was never supervised)
    # Asked about a day before the series, the same person is judged by what came before it.
    (then,) = [
        r
        for r in compliance(world).rows(world.crowley.id, latest - timedelta(days=1))
        if r.staff_member_id == member.id
    ]
    assert (then.last_on, then.status) == (older, "overdue")


# ---- coverage: what no longer counts, what does not count yet -----------------------------


def _evidence(world, criterion: uuid.UUID, effective: date, *, approve: bool = True):
    service = EvidenceService(world.db, world.system)
    row = service.create(
        EvidenceInput(world.crowley.id, "Minutes", EvidenceKind.MINUTES, effective, None, "")
    )
    service.link(row.id, criterion)
    return service.approve(row.id, row.version) if approve else row


def test_coverage_counts_only_live_evidence_in_effect_on_the_day(world):
    criteria = make_framework(world, criteria=4)
    today = local_today()
    on = today - timedelta(days=10)
    evidence = EvidenceService(world.db, world.system)
    _evidence(world, criteria[0], on - timedelta(days=5))
    _evidence(world, criteria[0], on - timedelta(days=20))
    _evidence(world, criteria[0], today)  # after ``on``: counts only from today
    _evidence(world, criteria[1], today.replace(year=today.year - 3))
    _evidence(world, criteria[1], on - timedelta(days=1), approve=False)
    unlinked = _evidence(world, criteria[2], on - timedelta(days=3))
    evidence.unlink(unlinked.id, criteria[2])
    _evidence(world, criteria[2], today, approve=False)
    _evidence(world, criteria[3], on - timedelta(days=2), approve=False)
    gone = _evidence(world, criteria[3], on - timedelta(days=2))
    evidence.archive(gone.id, gone.version)
    framework = FrameworkService(world.db, world.system).find("Enabling Environments", "test")
    assert framework is not None
    service = CoverageService(world.db, world.actor(Role.KEY_WORKER))

    def read(day: date) -> list[tuple[CoverageStatus, int, date | None]]:
        report = service.coverage(world.crowley.id, framework.id, day)
        return [
            (c.status, c.approved_current, c.latest_approved_on)
            for c in report.standards[0].criteria
        ]

    old = today.replace(year=today.year - 3)
    assert read(on) == [
        (S.COVERED, 2, on - timedelta(days=5)),
        (S.STALE, 0, old),
        (S.NO_EVIDENCE, 0, None),
        (S.DRAFT_ONLY, 0, None),
    ]
    assert read(today) == [
        (S.COVERED, 3, today),
        (S.STALE, 0, old),
        (S.DRAFT_ONLY, 0, None),
        (S.DRAFT_ONLY, 0, None),
    ]


# ---- the framework tree ------------------------------------------------------------------


def test_the_tree_is_live_standards_and_criteria_by_position(world):
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        framework = Framework(name="Ordered", framework_version="1")
        second = Standard(framework=framework, code="B", name="B", statement="", position=2)
        first = Standard(framework=framework, code="A", name="A", statement="", position=1)
        empty = Standard(framework=framework, code="C", name="C", statement="", position=3)
        gone = Standard(framework=framework, code="D", name="D", statement="", position=4)
        for standard, codes in ((second, ("B.2", "B.1")), (first, ("A.3", "A.1", "A.2"))):
            for code in codes:
                session.add(
                    Criterion(standard=standard, code=code, text=code, position=int(code[-1]))
                )
        dropped = Criterion(standard=first, code="A.9", text="old", position=9)
        session.add_all([framework, empty, gone, dropped])
        session.flush()
        framework_id = framework.id
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        for standard in session.get_one(Framework, framework_id).standards:
            if standard.code == "D":
                standard.archived_at = utc_now()
            for criterion in standard.criteria:
                if criterion.code == "A.9":
                    criterion.archived_at = utc_now()
    tree = FrameworkService(world.db, world.actor(Role.KEY_WORKER)).tree(framework_id)
    assert [(s.code, [c.code for c in s.criteria]) for s in tree.standards] == [
        ("A", ["A.1", "A.2", "A.3"]),
        ("B", ["B.1", "B.2"]),
        ("C", []),
    ]
    assert (tree.name, tree.framework_version) == ("Ordered", "1")
    row = next(r for r in FrameworkService(world.db, world.system).rows() if r.id == framework_id)
    assert (row.standard_count, row.criterion_count) == (3, 5)


# ---- the training matrix -----------------------------------------------------------------


def test_of_two_records_alike_the_matrix_shows_the_lowest_id(world):
    training = TrainingService(world.db, world.system)
    course = training.create_course(
        CourseInput("FIRE", "Fire safety", renewal_months=12, mandatory_for=frozenset())
    )
    kw = world.staff[(Role.KEY_WORKER, "crowley")].id
    day = local_today() - timedelta(days=30)
    made = [training.record(TrainingRecordInput(kw, course.id, day, 2)) for _ in range(3)]
    sheet = TrainingService(world.db, world.actor(Role.MANAGER)).sheet(world.crowley.id)
    (cell,) = [c for c in sheet.cells if c.staff_member_id == kw and c.course_id == course.id]
    assert cell.record_id == min(r.id for r in made)
    assert cell.status == "current"
    assert [c.id for c in sheet.courses] == [c.id for c in training.courses()]
    assert len(sheet.cells) == len(sheet.members) * len(sheet.courses)
    assert kw in {m.id for m in sheet.members}
