"""Run `pipe-app` as a user would: a fresh process, from an unrelated folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from pipe_app.domain import Base
from pipe_app.storage.database import Database


def run_cli(
    home: Path, *args: str, stdin: str = "", timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m pipe_app ARGS`` with cwd and PIPE_APP_HOME in ``home``, no PYTHONPATH."""
    home.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PIPE_APP_DATABASE_URL")
    }
    env["PIPE_APP_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pipe_app", *args],
        cwd=home,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def one_line_failure(result: subprocess.CompletedProcess[str], code: int) -> str:
    """An expected failure: the exit code, one 'pipe-app: ' line on stderr, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert "Traceback" not in output, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipe-app: "), result.stderr
    return lines[0]


def row_counts(url: str) -> dict[str, int]:
    db = Database.open(url)
    try:
        with db.reading() as session:
            return {
                table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in Base.metadata.sorted_tables
            }
    finally:
        db.dispose()
