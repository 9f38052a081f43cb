"""Training import: every row previewed with its problem, nothing written unless all is well."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pipe_app.domain import TrainingRecord
from pipe_app.domain.enums import Role, StaffRole
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.services.training_import import TrainingImportService, parse_day, parse_hours
from pipe_app.timeutil import local_today

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST
HEADER = "Staff Email,Staff Name,Course Code,Course Name,Completion Date,Hours,Notes\n"


@pytest.fixture
def setup(world):
    """Two courses and a member of staff with an email address, at Crowley House."""
    training = TrainingService(world.db, world.system)
    safeguarding = training.create_course(
        CourseInput("SAFE", "Safeguarding adults", renewal_months=12)
    )
    kuf = training.create_course(CourseInput("KUF2", "KUF Awareness (2 day)"))
    jo = StaffService(world.db, world.system).create(
        StaffInput(
            "Jo",
            "Bloggs",
            StaffRole.RESIDENTIAL_WORKER,
            date(2020, 1, 1),
            frozenset({world.crowley.id}),
            email="jo.bloggs@example.org",
        )
    )
    return world, safeguarding, kuf, jo


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def records(world) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(TrainingRecord)) or 0)


def importer(world, role: Role = MGR, site: str = "crowley") -> TrainingImportService:
    return TrainingImportService(world.db, world.actor(role, site))


def test_parsers_accept_iso_and_uk_dates_and_bounded_hours():
    assert parse_day("2026-03-31") == date(2026, 3, 31)
    assert parse_day("31/03/2026") == date(2026, 3, 31)
    for bad in ("31/02/2026", "03/31/2026", "2026-3-31x", "yesterday"):
        with pytest.raises(ValueError):
            parse_day(bad)
    assert parse_hours("") == 0.0
    assert parse_hours("3,5") == 3.5
    for bad in ("-1", "501", "lots"):
        with pytest.raises(ValueError):
            parse_hours(bad)


def test_preview_reports_each_problem_by_line(setup, tmp_path):
    world, safeguarding, kuf, jo = setup
    TrainingService(world.db, world.system).record(
        TrainingRecordInput(jo.id, kuf.id, date(2025, 5, 1), 14)
    )
    future = (local_today() + timedelta(days=3)).isoformat()
    path = write(
        tmp_path,
        "jo.bloggs@example.org,,SAFE,,2026-01-15,3,first\n"  # line 2: fine
        ",Sam Key_Worker CH,,Safeguarding adults,15/01/2026,2.5,\n"  # 3: fine, by names
        "jo.bloggs@example.org,,SAFE,,31/02/2026,3,\n"  # 4: malformed date
        "nobody@example.org,,SAFE,,2026-01-15,3,\n"  # 5: unknown staff
        ",Jo Bloggs,NOPE,,2026-01-15,3,\n"  # 6: unknown course
        "jo.bloggs@example.org,,KUF2,,01/05/2025,14,\n"  # 7: already recorded
        "JO.BLOGGS@example.org,,safe,,15/01/2026,3,\n"  # 8: same as line 2
        "jo.bloggs@example.org,,KUF2,,2026-01-20,900,\n"  # 9: hours out of range
        "jo.bloggs@example.org,,KUF2,,,3,\n"  # 10: no date
        f"jo.bloggs@example.org,,KUF2,,{future},3,\n"  # 11: in the future
        "\n"  # blank lines are skipped
        ",Sam Key_Worker KL,SAFE,,2026-01-15,1,\n",  # 13: Kirk staff are not visible
    )
    preview = importer(world).preview(path)
    assert [row.line for row in preview.rows] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13]
    assert [row.line for row in preview.valid] == [2, 3]
    first, second = preview.valid
    assert (first.staff_member_id, first.course_id, first.completed_on, first.hours) == (
        jo.id,
        safeguarding.id,
        date(2026, 1, 15),
        3.0,
    )
    assert first.notes == "first"
    assert second.staff_name == "Sam Key_Worker CH" and second.hours == 2.5
    errors = {row.line: row.error or "" for row in preview.errors}
    assert "not a date" in errors[4]
    assert errors[5].startswith("unknown staff")
    assert errors[6].startswith("unknown course")
    assert "already recorded" in errors[7]
    assert errors[8] == "duplicate of line 2 in this file"
    assert "out of range" in errors[9]
    assert errors[10] == "missing value: completion date"
    assert "future" in errors[11]
    assert errors[13].startswith("unknown staff")


def test_nothing_is_written_while_any_row_has_an_error(setup, tmp_path):
    world, *_ = setup
    path = write(
        tmp_path,
        "jo.bloggs@example.org,,SAFE,,2026-01-15,3,\n"
        "jo.bloggs@example.org,,KUF2,,2026-13-01,3,\n"
        "ghost@example.org,,KUF2,,2026-01-01,3,\n",
    )
    service = importer(world)
    preview = service.preview(path)
    assert preview.has_errors and len(preview.valid) == 1
    with pytest.raises(ValidationError, match="2 of 3 rows have errors"):
        service.commit(preview)
    assert records(world) == 0
    written = service.commit(preview, only_valid=True)
    assert records(world) == 1
    (row,) = written
    assert row.completed_on == date(2026, 1, 15)
    assert row.expires_on == date(2027, 1, 15)  # the course renews every 12 months
    again = service.preview(path)
    assert "already recorded" in (again.rows[0].error or "")


def test_a_clean_file_is_written_in_one_go_and_a_stale_preview_writes_nothing(setup, tmp_path):
    world, _, kuf, jo = setup
    path = write(
        tmp_path,
        "jo.bloggs@example.org,,SAFE,,2026-01-15,3,\njo.bloggs@example.org,,KUF2,,2026-02-01,14,\n",
    )
    service = importer(world, PSY)
    preview = service.preview(path)
    assert not preview.has_errors
    # Someone records the second completion by hand between the preview and the commit.
    TrainingService(world.db, world.system).record(
        TrainingRecordInput(jo.id, kuf.id, date(2026, 2, 1), 14)
    )
    with pytest.raises(ValidationError, match="line 3"):
        service.commit(preview)
    assert records(world) == 1
    TrainingService(world.db, world.system).archive(
        *next((r.id, r.version) for r in TrainingService(world.db, world.system).rows())
    )
    assert len(service.commit(preview)) == 2
    assert records(world) == 3


def test_a_file_without_a_required_column_is_one_error(setup, tmp_path):
    world, *_ = setup
    path = write(tmp_path, "jo.bloggs@example.org,SAFE,3\n", header="Email,Course Code,Hours\n")
    preview = importer(world).preview(path)
    assert [(row.line, row.error) for row in preview.rows] == [
        (1, "missing column: completion date")
    ]


def test_alternative_headings_and_a_byte_order_mark(setup, tmp_path):
    world, safeguarding, *_ = setup
    path = tmp_path / "lms.csv"
    path.write_text(
        "\ufeffLearner Email,Module\njo.bloggs@example.org,Safeguarding adults\n",
        encoding="utf-8",
    )
    (row,) = importer(world).preview(path).rows
    assert row.error == "missing column: completion date"
    path.write_text(
        "\ufeffLearner Email,Module,Date Completed\njo.bloggs@example.org,safeguarding ADULTS,"
        "02/03/2026\n",
        encoding="utf-8",
    )
    (row,) = importer(world).preview(path).rows
    assert (row.error, row.course_id, row.completed_on) == (None, safeguarding.id, date(2026, 3, 2))


def test_not_utf8_is_a_clear_error(setup, tmp_path):
    world, *_ = setup
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "Zoë,,SAFE,,2026-01-01,1,\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="UTF-8"):
        importer(world).preview(path)
    with pytest.raises(ValidationError, match="cannot be read"):
        importer(world).preview(tmp_path / "missing.csv")


def test_key_workers_cannot_import(setup, tmp_path):
    world, *_ = setup
    path = write(tmp_path, "jo.bloggs@example.org,,SAFE,,2026-01-15,3,\n")
    with pytest.raises(PermissionDenied):
        importer(world, KW).preview(path)
    preview = importer(world).preview(path)
    with pytest.raises(PermissionDenied):
        importer(world, KW).commit(preview)
    with pytest.raises(PermissionDenied, match="line 2"):
        importer(world, MGR, "kirk").commit(preview)
    assert records(world) == 0


CELLS = st.one_of(
    st.sampled_from(["jo.bloggs@example.org", "Jo Bloggs", "SAFE", "2026-01-15", "15/01/2026"]),
    st.text(max_size=12),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(
        st.sampled_from(
            ["Email", "Staff Name", "Code", "Course", "Date", "Hours", "Notes", "", "Junk"]
        ),
        max_size=7,
    ),
    body=st.lists(st.lists(CELLS, max_size=8), max_size=6),
)
def test_odd_files_give_row_errors_never_a_crash_or_a_partial_write(
    setup, tmp_path_factory, header, body
):
    world, *_ = setup
    path = tmp_path_factory.mktemp("fuzz") / "odd.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(body)
    service = importer(world)
    try:
        preview = service.preview(path)
    except ValidationError:
        return
    assert all(row.ok or row.error for row in preview.rows)
    before = records(world)
    if preview.has_errors:
        with pytest.raises(ValidationError):
            service.commit(preview)
        assert records(world) == before
    written = service.commit(preview, only_valid=True)
    assert records(world) == before + len(written) == before + len(preview.valid)
