"""The `pipe-app` entry point: the desktop app starts without loading the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipe_app.__main__ import desktop_database
from tests.cli.helpers import ok, run_cli


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], (True, None)),
        (["--database", "sqlite:///x.db"], (True, "sqlite:///x.db")),
        (["--database=sqlite:///x.db"], (True, "sqlite:///x.db")),
        (["--version"], (False, None)),
        (["--help"], (False, None)),
        (["db", "current"], (False, None)),
        (["--database", "sqlite:///x.db", "db", "current"], (False, None)),
        (["--database", "--version"], (False, None)),
    ],
)
def test_only_a_plain_start_or_a_database_opens_the_desktop(argv, expected):
    assert desktop_database(argv) == expected


def test_anything_else_is_the_command_line(tmp_path: Path):
    assert ok(run_cli(tmp_path, "--version")).strip() == "pipe-app 0.1.0"
    refused = run_cli(tmp_path, "no-such-command")
    assert refused.returncode == 2
    assert refused.stderr.startswith("pipe-app: ")


def test_the_first_window_loads_no_database_code(tmp_path: Path):
    """What the sign-in dialog needs, and nothing the database or the reports need."""
    probe = (
        "import sys\n"
        "from pipe_app.__main__ import main\n"
        "from pipe_app.gui.app import Launcher, run\n"
        "from pipe_app.gui.sign_in import SignInDialog\n"
        "heavy = ('sqlalchemy', 'alembic', 'reportlab', 'argon2', 'pipe_app.services',\n"
        "         'pipe_app.storage', 'pipe_app.cli', 'logging.handlers')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "[]", done.stdout
