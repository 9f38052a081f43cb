"""`pipe-app evidence-pack`: a PDF on success, one clear line and a non-zero exit otherwise."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipe_app.domain.enums import APType, EvidenceKind
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteInput, SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.cli.helpers import ok, one_line_failure, run_cli


@pytest.fixture
def url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "pipe.sqlite3"
    shutil.copyfile(sqlite_template, path)
    address = f"sqlite:///{path}"
    db = Database.open(address)
    try:
        system = Actor.system()
        site = SiteService(db, system).create(SiteInput("Crowley House", "CH", APType.PIPE, 22))
        framework = FrameworkService(db, system).install_builtin()
        criterion = FrameworkService(db, system).tree(framework.id).criteria()[0]
        evidence = EvidenceService(db, system)
        row = evidence.create(
            EvidenceInput(
                site.id, "Garden project photos", EvidenceKind.PHOTO, local_today(), None, ""
            )
        )
        evidence.link(row.id, criterion.id, "Residents tried something new")
        evidence.approve(row.id, row.version)
    finally:
        db.dispose()
    return address


def _pack(home: Path, url: str, *args: str) -> list[str]:
    today = local_today()
    base = ["evidence-pack", "--database", url, "--site", "Crowley House"]
    base += ["--from", str(today - timedelta(days=365)), "--to", str(today)]
    return [*base, *args]


def test_writes_the_pack(tmp_path: Path, url: str) -> None:
    home = tmp_path / "home"
    target = tmp_path / "pack.pdf"
    out = ok(run_cli(home, *_pack(home, url, "--output", str(target))))
    assert out.startswith("Wrote the evidence pack for Crowley House")
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Garden project photos" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "PIPE Desk (command line)" in text


def test_refusals_are_one_line(tmp_path: Path, url: str) -> None:
    home = tmp_path / "home"
    target = str(tmp_path / "pack.pdf")
    today = local_today()
    unknown = run_cli(
        home,
        *_pack(home, url, "--output", target)[:4],
        "Nowhere House",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
        "--output",
        target,
    )
    assert "no site called 'Nowhere House'" in one_line_failure(unknown, 1)
    empty = run_cli(
        home,
        "evidence-pack",
        "--database",
        url,
        "--site",
        "Crowley House",
        "--from",
        str(today),
        "--to",
        str(today - timedelta(days=1)),
        "--output",
        target,
    )
    assert "the period is empty" in one_line_failure(empty, 2)
    invalid = run_cli(
        home,
        "evidence-pack",
        "--database",
        url,
        "--site",
        "Crowley House",
        "--from",
        "2026-02-30",
        "--to",
        str(date(2026, 3, 1)),
        "--output",
        target,
    )
    assert "not a date" in one_line_failure(invalid, 2)
    nowhere = run_cli(home, *_pack(home, url, "--output", str(tmp_path / "no" / "pack.pdf")))
    assert "does not exist" in one_line_failure(nowhere, 1)
    folder = run_cli(home, *_pack(home, url, "--output", str(tmp_path)))
    assert "is a folder" in one_line_failure(folder, 1)
    framework = run_cli(home, *_pack(home, url, "--output", target, "--framework", "Bogus"))
    assert "no framework called 'Bogus'" in one_line_failure(framework, 1)
    assert not Path(target).exists()
