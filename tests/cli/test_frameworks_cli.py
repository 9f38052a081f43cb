"""`pipe-app frameworks import FILE`: a new framework version, or one line naming the problem."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import ok, one_line_failure, row_counts, run_cli

DATA = Path(__file__).resolve().parent.parent / "data" / "frameworks"


def test_import_adds_a_version_and_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'pipe.sqlite3'}"
    ok(
        run_cli(
            home,
            "--database",
            url,
            "init",
            "--admin-username",
            "admin",
            "--admin-name",
            "Pat Admin",
            "--admin-password-stdin",
            stdin="a long password\n",
        )
    )
    out = ok(
        run_cli(home, "frameworks", "import", str(DATA / "site_criteria.yaml"), "--database", url)
    )
    assert out.strip().splitlines()[-1].startswith("Imported ")
    listed = ok(run_cli(home, "frameworks", "list", "--database", url))
    assert "Enabling Environments (PIPE Desk 2026)" in listed
    assert len(listed.strip().splitlines()) == 2

    before = row_counts(url)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: Local\nversion: '1'\nstandards:\n  - code: '1'\n    name: Belonging\n",
        encoding="utf-8",
    )
    line = one_line_failure(run_cli(home, "frameworks", "import", str(bad), "--database", url), 1)
    assert "line 4" in line and "statement" in line
    again = one_line_failure(
        run_cli(home, "frameworks", "import", str(DATA / "site_criteria.yaml"), "--database", url),
        1,
    )
    assert "already exists" in again
    assert row_counts(url) == before
