"""Training matrix: statuses at their date boundaries, filters, CSV, and the printed PDF."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from pipe_app.domain.enums import Role, StaffRole
from pipe_app.reports.training_matrix import build_matrix, export, matrix_csv, matrix_pdf
from pipe_app.services.errors import NotFound, PermissionDenied, ValidationError
from pipe_app.services.sites import SiteService, site_settings
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.timeutil import add_months

KW, MGR = Role.KEY_WORKER, Role.MANAGER
RW = StaffRole.RESIDENTIAL_WORKER
COMPLETED = date(2025, 6, 10)
EXPIRES = add_months(COMPLETED, 12)


@pytest.fixture
def courses(world):
    """A yearly course every residential worker needs, one only managers need, one optional."""
    training = TrainingService(world.db, world.system)
    safe = training.create_course(
        CourseInput(
            "SAFE",
            "Safeguarding adults and children",
            renewal_months=12,
            mandatory_for=frozenset({RW}),
        )
    )
    lead = training.create_course(
        CourseInput("LEAD", "Leadership", mandatory_for=frozenset({StaffRole.MANAGER}))
    )
    art = training.create_course(CourseInput("ART", "Art therapy taster"))
    kw = world.staff[(KW, "crowley")].id
    training.record(TrainingRecordInput(kw, safe.id, COMPLETED, 6))
    return safe, lead, art


def cell(matrix, staff_id, course_id):
    row = next(r for r in matrix.rows if r.staff_member_id == staff_id)
    return row.cells[[c.id for c in matrix.courses].index(course_id)]


def test_statuses_at_their_date_boundaries(world, courses):
    safe, lead, art = courses
    kw = world.staff[(KW, "crowley")].id
    manager = world.staff[(MGR, "crowley")].id
    actor = world.actor(MGR)

    def status(on: date, **kwargs) -> str:
        return cell(
            build_matrix(world.db, actor, world.crowley.id, on=on, **kwargs), kw, safe.id
        ).status

    assert status(EXPIRES - timedelta(days=61)) == "current"
    assert status(EXPIRES - timedelta(days=60)) == "expiring"
    assert status(EXPIRES - timedelta(days=1)) == "expiring"
    assert status(EXPIRES) == "expired"
    assert status(EXPIRES - timedelta(days=31), expiring_within_days=30) == "current"
    assert status(EXPIRES - timedelta(days=30), expiring_within_days=30) == "expiring"
    matrix = build_matrix(world.db, actor, world.crowley.id, on=EXPIRES)
    assert cell(matrix, manager, lead.id).status == "missing"
    assert cell(matrix, kw, lead.id).status == "not required"
    assert cell(matrix, manager, safe.id).status == "not required"
    assert art.id not in {c.id for c in matrix.courses}  # nobody needs it or has it


def test_the_site_setting_moves_the_expiring_window(world, courses):
    safe, *_ = courses
    sites = SiteService(world.db, world.system)
    site = sites.get(world.crowley.id)
    sites.update_settings(
        site.id, site.version, replace(site_settings(site), training_warning_days=10)
    )
    kw = world.staff[(KW, "crowley")].id
    on = EXPIRES - timedelta(days=11)
    matrix = build_matrix(world.db, world.actor(MGR), world.crowley.id, on=on)
    assert matrix.expiring_within_days == 10
    assert cell(matrix, kw, safe.id).status == "current"
    matrix = build_matrix(world.db, world.actor(MGR), world.crowley.id, on=on + timedelta(days=1))
    assert cell(matrix, kw, safe.id).status == "expiring"


def test_role_filter_and_site_scope(world, courses):
    only = build_matrix(world.db, world.actor(MGR), world.crowley.id, job_roles=[RW])
    assert [r.staff_member_id for r in only.rows] == [world.staff[(KW, "crowley")].id]
    assert [c.code for c in only.courses] == ["SAFE"]
    everyone = build_matrix(world.db, world.actor(KW), world.crowley.id)
    assert world.staff[(KW, "kirk")].id not in {r.staff_member_id for r in everyone.rows}
    with pytest.raises((PermissionDenied, NotFound)):
        build_matrix(world.db, world.actor(MGR, "kirk"), world.crowley.id)


def test_csv_has_a_row_per_person_and_text_statuses(world, courses, tmp_path):
    matrix = build_matrix(world.db, world.actor(MGR), world.crowley.id, on=EXPIRES)
    rows = list(csv.reader(io.StringIO(matrix_csv(matrix))))
    assert rows[0][:2] == ["Staff", "Job role"]
    assert "Safeguarding adults and children" in rows[0]
    kw_row = next(r for r in rows if r[0] == world.staff[(KW, "crowley")].full_name)
    assert f"Expired (expires {EXPIRES.isoformat()})" in kw_row
    assert len(rows) == 1 + len(matrix.rows)
    path = tmp_path / "matrix.csv"
    export(matrix, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    with pytest.raises(ValidationError):
        export(matrix, tmp_path / "matrix.txt")


def test_pdf_repeats_headers_on_every_page_and_names_everyone(world, courses):
    staff = StaffService(world.db, world.system)
    names = []
    for n in range(45):
        member = staff.create(
            StaffInput("Zoë", f"Ñúñez-{n:02d}", RW, date(2020, 1, 1), frozenset({world.crowley.id}))
        )
        names.append(member.full_name)
    matrix = build_matrix(world.db, world.actor(MGR), world.crowley.id)
    reader = PdfReader(io.BytesIO(matrix_pdf(matrix)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = "\n".join(pages)
    for name in names:
        assert name in text
    for number, page in enumerate(pages, start=1):
        assert "Staff member" in page and "Leadership" in page
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in page
    assert "expires within 60 days" in pages[0]  # the legend
    assert "Missing" in text and "Not required" in text


def test_more_courses_than_fit_across_continue_in_a_second_table(world, courses):
    training = TrainingService(world.db, world.system)
    for n in range(12):
        training.create_course(
            CourseInput(f"C{n}", f"Course number {n:02d}", mandatory_for=frozenset({RW}))
        )
    matrix = build_matrix(world.db, world.actor(MGR), world.crowley.id)
    assert len(matrix.courses) == 14
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(matrix_pdf(matrix))).pages]
    assert "Courses 1 to 10 of 14" in pages[0]
    assert any("Courses 11 to 14 of 14" in page for page in pages[1:])
    assert all(page.count(world.staff[(KW, "crowley")].full_name) >= 1 for page in pages)
