"""`pipe-app report ...` and `pipe-app import training` through a fresh process, both backends."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import func, select

from pipe_app.domain import TrainingRecord
from pipe_app.domain.enums import Role, StaffRole
from pipe_app.services.training import CourseInput, TrainingService
from pipe_app.timeutil import local_today
from tests.cli.helpers import ok, one_line_failure, run_cli


def url_of(world) -> str:
    return world.db.url.render_as_string(hide_password=False)


def records(world) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(TrainingRecord)) or 0)


def test_training_matrix_as_csv_and_pdf(world, tmp_path: Path) -> None:
    TrainingService(world.db, world.system).create_course(
        CourseInput("SAFE", "Safeguarding", mandatory_for=frozenset({StaffRole.RESIDENTIAL_WORKER}))
    )
    home, url = tmp_path / "home", url_of(world)
    name = world.staff[(Role.KEY_WORKER, "crowley")].full_name
    csv_file = tmp_path / "matrix.csv"
    out = ok(
        run_cli(
            home,
            "report",
            "training-matrix",
            "--database",
            url,
            "--site",
            "Crowley House",
            "--output",
            str(csv_file),
        )
    )
    assert "Wrote the training matrix for Crowley House" in out
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.startswith("Staff,Job role,Safeguarding")
    assert f"{name},Residential worker,Missing" in text
    pdf_file = tmp_path / "matrix.pdf"
    ok(
        run_cli(
            home,
            "report",
            "training-matrix",
            "--database",
            url,
            "--site",
            "Crowley House",
            "--role",
            "residential_worker",
            "--output",
            str(pdf_file),
        )
    )
    page = PdfReader(io.BytesIO(pdf_file.read_bytes())).pages[0].extract_text()
    assert name in page and "Safeguarding" in page and "OFFICIAL-SENSITIVE" in page
    failure = one_line_failure(
        run_cli(
            home,
            "report",
            "training-matrix",
            "--database",
            url,
            "--site",
            "Nowhere",
            "--output",
            str(pdf_file),
        ),
        1,
    )
    assert "no site called 'Nowhere'" in failure
    one_line_failure(
        run_cli(
            home,
            "report",
            "training-matrix",
            "--database",
            url,
            "--site",
            "Crowley House",
            "--output",
            str(tmp_path / "matrix.txt"),
        ),
        2,
    )


def test_supervision_summary_pdf(world, tmp_path: Path) -> None:
    home, url, out_file = tmp_path / "home", url_of(world), tmp_path / "supervision.pdf"
    today = local_today()
    out = ok(
        run_cli(
            home,
            "report",
            "supervision",
            "--database",
            url,
            "--site",
            "Kirk Lodge",
            "--from",
            (today - timedelta(days=30)).isoformat(),
            "--to",
            today.isoformat(),
            "--output",
            str(out_file),
        )
    )
    assert "Wrote the supervision summary for Kirk Lodge" in out
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(out_file.read_bytes())).pages)
    assert "Supervision summary: Kirk Lodge" in text
    assert not re.search(r"[A-Za-z][0-9]{6}", text)
    one_line_failure(
        run_cli(
            home,
            "report",
            "supervision",
            "--database",
            url,
            "--site",
            "Kirk Lodge",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-01",
            "--output",
            str(out_file),
        ),
        2,
    )


def test_import_training_refuses_a_file_with_errors_unless_asked(world, tmp_path: Path) -> None:
    TrainingService(world.db, world.system).create_course(CourseInput("SAFE", "Safeguarding"))
    home, url = tmp_path / "home", url_of(world)
    file = tmp_path / "lms.csv"
    file.write_text(
        "Staff Name,Course Code,Completion Date,Hours\n"
        "Sam Key_Worker CH,SAFE,2026-01-15,3\n"
        "Sam Manager CH,SAFE,15/01/2026,2\n"
        "Nobody Known,SAFE,2026-01-15,3\n"
        "Sam Manager CH,SAFE,2026-13-40,3\n",
        encoding="utf-8",
    )
    refused = run_cli(home, "import", "training", str(file), "--database", url)
    assert "line 4: unknown staff" in refused.stdout
    assert "line 5: completion date" in refused.stdout
    assert "4 rows, 2 ready to import, 2 with errors." in refused.stdout
    assert "nothing was imported" in one_line_failure(refused, 1)
    assert records(world) == 0
    dry = ok(run_cli(home, "import", "training", str(file), "--dry-run", "--database", url))
    assert "Dry run: nothing was imported." in dry
    assert records(world) == 0
    done = ok(run_cli(home, "import", "training", str(file), "--only-valid", "--database", url))
    assert "Imported 2 training records." in done
    assert records(world) == 2
    again = run_cli(home, "import", "training", str(file), "--only-valid", "--database", url)
    assert "already recorded" in ok(again) and "Imported 0 training records." in again.stdout
    assert records(world) == 2
