"""Every expected failure is one clear line on stderr, no traceback, and a non-zero exit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli.helpers import one_line_failure, run_cli


@pytest.fixture
def files(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n", encoding="utf-8")
    live = tmp_path / "live.sqlite3"
    shutil.copyfile(sqlite_template, live)
    return {
        "text": str(text),
        "live_file": str(live),
        "live": f"sqlite:///{live}",
        "new": f"sqlite:///{tmp_path / 'new.sqlite3'}",
    }


CASES = {
    "bad url": (["--database", "nonsense", "db", "current"], 1, "not a URL"),
    "unsupported database": (["--database", "mysql://u@h/x", "db", "upgrade"], 1, "not supported"),
    "unreachable server": (
        ["--database", "postgresql+psycopg://nobody@127.0.0.1:1/x", "db", "upgrade"],
        1,
        "cannot use the database postgresql+psycopg://nobody@127.0.0.1:1/x",
    ),
    "text file as database": (["--database", "sqlite:///{text}", "demo"], 1, "not a database"),
    "text file as backup": (["--database", "{live}", "restore", "{text}", "--yes"], 1, "backup"),
    "unwritable backup path": (["--database", "{live}", "backup", "{text}/b.sqlite3"], 1, "folder"),
    "missing database file": (["--database", "{new}", "backup", "b.sqlite3"], 1, "no database"),
    "unknown sub-command": (["frobnicate"], 2, "invalid choice"),
    "bad --site": (["--database", "{new}", "init", "--site", "Only a name"], 2, "Name,CODE,beds"),
    "no admin and no terminal": (["--database", "{new}", "init"], 2, "--admin-username"),
    "weak admin password": (
        [
            "--database",
            "{new}",
            "init",
            "--admin-username",
            "a",
            "--admin-name",
            "A",
            "--admin-password-stdin",
        ],
        1,
        "password: must be at least 10 characters",
    ),
    "restore without --yes or terminal": (
        ["--database", "{new}", "restore", "{live_file}"],
        2,
        "--yes",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_expected_failure_is_one_line(case: str, app_home: Path, files: dict[str, str]) -> None:
    args, code, expected = CASES[case]
    line = one_line_failure(
        run_cli(app_home, *(arg.format(**files) for arg in args), stdin="short\n"), code
    )
    assert expected in line
