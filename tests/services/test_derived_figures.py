"""Figures computed from the records: the arithmetic at its edges, then each figure from real
records on both databases, and the site's mapping of figures to standards."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from pipe_app.domain import SupervisionSession, SupervisionSupervisee
from pipe_app.domain.enums import (
    AttendanceCode,
    GroupKind,
    Role,
    SessionStatus,
    StaffRole,
    SupervisionKind,
    SupervisionStatus,
)
from pipe_app.services import audit
from pipe_app.services.derived_figures import (
    DEFAULT_STANDARDS,
    SETTING,
    DerivedFigureService,
    Period,
    days_placed,
    expected_sessions,
    figure_standards,
    month_labels,
    supervision_compliant,
)
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.groups import AttendanceInput, GroupInput, GroupService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import ResidentService
from pipe_app.services.supervision import SupervisionService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import local_today, to_utc, utc_now

KW, MGR = Role.KEY_WORKER, Role.MANAGER
P = Period(date(2026, 1, 1), date(2026, 1, 31))


def test_days_placed_counts_arrival_and_departure_days() -> None:
    assert days_placed(date(2026, 1, 1), None, P) == 31
    assert days_placed(date(2025, 6, 1), date(2026, 1, 1), P) == 1
    assert days_placed(date(2026, 1, 31), None, P) == 1
    assert days_placed(date(2026, 2, 1), None, P) == 0
    assert days_placed(date(2025, 1, 1), date(2025, 12, 31), P) == 0


def test_expected_sessions_are_whole_sessions() -> None:
    assert expected_sessions(31, 7) == 4
    assert expected_sessions(6, 7) == 0
    assert expected_sessions(14, 14) == 1
    assert expected_sessions(10, 0) == 10  # a nonsense frequency never divides by zero


def test_supervision_is_compliant_up_to_the_last_day_of_the_frequency() -> None:
    on = date(2026, 3, 31)
    assert supervision_compliant(on - timedelta(days=28), 28, on)
    assert not supervision_compliant(on - timedelta(days=29), 28, on)
    assert not supervision_compliant(None, 28, on)


def test_mapping_falls_back_to_the_default_per_figure() -> None:
    assert figure_standards(None) == DEFAULT_STANDARDS
    mine = figure_standards({SETTING: {"key_work": ["Belonging"], "unknown": ["x"]}})
    assert mine["key_work"] == ("Belonging",)
    assert mine["supervision"] == DEFAULT_STANDARDS["supervision"]
    assert "unknown" not in mine


def test_month_labels_cover_the_period() -> None:
    assert month_labels(Period(date(2025, 12, 15), date(2026, 2, 1))) == [
        "Dec 2025",
        "Jan 2026",
        "Feb 2026",
    ]


# ---- from the records ---------------------------------------------------------------------


def _at(day: date, hour: int = 11) -> datetime:
    return to_utc(datetime.combine(day, time(hour)))


def _figures(world, start: date, end: date) -> dict[str, object]:
    figures = DerivedFigureService(world.db, world.actor(KW)).figures(world.crowley.id, start, end)
    return {figure.key: figure for figure in figures}


def test_key_work_compliance_counts_attended_complete_sessions(world) -> None:
    today = local_today()
    resident = world.admit("crowley", arrival_days_ago=60)
    placement = ResidentService(world.db, world.system).get(resident).placement_id
    worker = world.staff[(KW, "crowley")].id
    service = KeyWorkService(world.db, world.system)
    for days_ago, dna, status in (
        (2, False, SessionStatus.COMPLETE),
        (9, False, SessionStatus.COMPLETE),
        (16, False, SessionStatus.COMPLETE),
        (20, True, SessionStatus.COMPLETE),  # did not attend: not held
        (22, False, SessionStatus.DRAFT),  # not finished: not held
        (40, False, SessionStatus.COMPLETE),  # before the period
    ):
        service.record(
            KeyWorkInput(
                placement_id=placement,
                key_worker_id=worker,
                started_at=_at(today - timedelta(days=days_ago)),
                did_not_attend=dna,
                dna_reason="Unwell" if dna else "",
                status=status,
            )
        )
    figure = _figures(world, today - timedelta(days=27), today)["key_work"]
    numbers = dict(figure.numbers)  # type: ignore[attr-defined]
    assert numbers["Sessions held"] == "3"
    assert numbers["Sessions expected"] == "4"  # 28 days at one a week
    assert numbers["Compliance"] == "75%"
    [point] = figure.points  # type: ignore[attr-defined]
    assert point.resident_id == resident and point.value == 75.0
    assert "Alex" not in point.label and "Example" not in point.label


def test_groups_and_community_meetings(world) -> None:
    today = local_today()
    resident = world.admit("crowley", arrival_days_ago=60)
    other = world.admit("crowley", arrival_days_ago=60)
    staff = frozenset({world.staff[(KW, "crowley")].id})
    groups = GroupService(world.db, world.system)
    creative = groups.create(
        GroupInput(
            world.crowley.id,
            GroupKind.SOCIALLY_CREATIVE,
            "cooking",
            "",
            _at(today - timedelta(days=3), 18),
            facilitator_ids=staff,
        )
    )
    groups.set_attendance(
        creative.id,
        creative.version,
        [
            AttendanceInput(resident, AttendanceCode.ATTENDED),
            AttendanceInput(other, AttendanceCode.NOT_REQUIRED),
        ],
    )
    for planned in (True, False):
        groups.create(
            GroupInput(
                world.crowley.id,
                GroupKind.COMMUNITY_MEETING,
                "house meeting",
                "",
                _at(today - timedelta(days=5), 10 if planned else 12),
                facilitator_ids=staff,
                planned_by_residents=planned,
            )
        )
    figures = _figures(world, today - timedelta(days=13), today)
    creative_numbers = dict(figures["socially_creative"].numbers)  # type: ignore[attr-defined]
    assert creative_numbers["Sessions held"] == "1"
    assert creative_numbers["Sessions per week"] == "0.5"
    assert creative_numbers["Attendance rate"] == "100%"  # 'not required' is left out
    community = dict(figures["community_meetings"].numbers)  # type: ignore[attr-defined]
    assert community["Meetings held"] == "2"
    assert community["Planned by residents"] == "1"
    assert community["Share planned by residents"] == "50%"


def test_training_counts_current_records_of_staff_who_need_them(world) -> None:
    today = local_today()
    training = TrainingService(world.db, world.system)
    kuf = training.create_course(
        CourseInput(
            "KUF-T", "KUF Awareness (test)", mandatory_for=frozenset({"residential_worker"})
        )
    )
    training.create_course(
        CourseInput(
            "PIPE-T",
            "PIPE induction (test)",
            renewal_months=12,
            mandatory_for=frozenset({"residential_worker"}),
        )
    )
    worker = world.staff[(KW, "crowley")].id
    training.record(TrainingRecordInput(worker, kuf.id, today - timedelta(days=100)))
    figure = _figures(world, today - timedelta(days=30), today)["training"]
    numbers = dict(figure.numbers)  # type: ignore[attr-defined]
    assert numbers["KUF awareness: current / staff who need it"] == "1 / 1"
    assert numbers["PIPE induction: current / staff who need it"] == "0 / 1"


def _supervision(world, supervisee, days_ago: int, status: SupervisionStatus) -> None:
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        record = SupervisionSession(
            site_id=world.crowley.id,
            kind=SupervisionKind.LINE_MANAGEMENT,
            supervisor_id=world.staff[(MGR, "crowley")].id,
            started_at=_at(local_today() - timedelta(days=days_ago)),
            duration_minutes=60,
            status=SupervisionStatus.SUBMITTED,
        )
        record.supervisees = [SupervisionSupervisee(staff_member_id=supervisee)]
        session.add(record)
        session.flush()  # the supervisee first: a locked record takes no new rows
        record.status = status
        record.locked_at = utc_now() if status == SupervisionStatus.LOCKED else None


def test_supervision_counts_only_signed_off_records_within_the_frequency(world) -> None:
    SupervisionService(world.db, world.system).set_requirement(
        world.crowley.id, StaffRole.RESIDENTIAL_WORKER, SupervisionKind.LINE_MANAGEMENT, 28
    )
    worker = world.staff[(KW, "crowley")].id
    today = local_today()
    _supervision(world, worker, 40, SupervisionStatus.LOCKED)
    _supervision(world, worker, 3, SupervisionStatus.SUBMITTED)  # not signed off: ignored
    numbers = dict(_figures(world, today - timedelta(days=30), today)["supervision"].numbers)  # type: ignore[attr-defined]
    assert numbers["Staff with a supervision requirement"] == "1"
    assert numbers["Compliance"] == "0%"
    _supervision(world, worker, 28, SupervisionStatus.LOCKED)
    numbers = dict(_figures(world, today - timedelta(days=30), today)["supervision"].numbers)  # type: ignore[attr-defined]
    assert numbers["Compliance"] == "100%"


def test_the_manager_maps_figures_to_standards(world) -> None:
    manager = DerivedFigureService(world.db, world.actor(MGR))
    mapped = manager.set_standards_mapping(world.crowley.id, {"key_work": ["Belonging", "Safety"]})
    assert mapped["key_work"] == ("Belonging", "Safety")
    assert mapped["training"] == DEFAULT_STANDARDS["training"]
    figures = _figures(world, local_today() - timedelta(days=7), local_today())
    assert figures["key_work"].standards == ("Belonging", "Safety")  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as error:
        manager.set_standards_mapping(world.crowley.id, {"nonsense": ["Belonging"]})
    assert "nonsense" in str(error.value)
    with pytest.raises(PermissionDenied):
        DerivedFigureService(world.db, world.actor(KW)).set_standards_mapping(
            world.crowley.id, {"key_work": ["Safety"]}
        )
    assert DerivedFigureService(world.db, world.actor(KW)).standards_mapping(world.crowley.id)[
        "key_work"
    ] == ("Belonging", "Safety")


def test_an_inverted_period_is_refused(world) -> None:
    with pytest.raises(ValidationError):
        _figures(world, local_today(), local_today() - timedelta(days=1))


def test_groups_fall_in_the_uk_month_they_were_held(world) -> None:
    """Each month's bar counts the sessions of its UK days: one late on a month's last day
    and one just after midnight on the next fall either side of the line."""
    today = local_today()
    first = today.replace(day=1)
    last_of_before = first - timedelta(days=1)
    staff = frozenset({world.staff[(KW, "crowley")].id})
    groups = GroupService(world.db, world.system)
    for day, hour in ((last_of_before, 23), (first, 0), (first, 0)):
        groups.create(
            GroupInput(
                world.crowley.id,
                GroupKind.SOCIALLY_CREATIVE,
                "cooking",
                "",
                to_utc(datetime.combine(day, time(hour, 30))),
                facilitator_ids=staff,
            )
        )
    start = last_of_before.replace(day=1)
    creative = _figures(world, start, today)["socially_creative"]
    assert [(p.label, p.value) for p in creative.points] == [  # type: ignore[attr-defined]
        (f"{start:%b %Y}", 1.0),
        (f"{first:%b %Y}", 2.0),
    ]
    community = _figures(world, start, today)["community_meetings"]
    assert [p.value for p in community.points] == [0.0, 0.0]  # type: ignore[attr-defined]
    one_month = _figures(world, first, today)["socially_creative"]
    assert [(p.label, p.value) for p in one_month.points] == [  # type: ignore[attr-defined]
        (f"{first:%b %Y}", 2.0)
    ]
    assert dict(one_month.numbers)["Sessions held"] == "2"  # type: ignore[attr-defined]


def test_key_work_points_follow_resident_id_order(world) -> None:
    residents = [world.admit("crowley", arrival_days_ago=60) for _ in range(4)]
    figure = _figures(world, local_today() - timedelta(days=27), local_today())["key_work"]
    assert [p.resident_id for p in figure.points] == sorted(residents)  # type: ignore[attr-defined]
    assert [p.label for p in figure.points] == [  # type: ignore[attr-defined]
        f"Resident {n}" for n in range(1, 5)
    ]
