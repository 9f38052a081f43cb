"""`pip install .` must carry the forms, resources and migrations inside the package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_forms_resources_and_migrations(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("pipe_desk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "pipe_app/alembic/env.py",
        "pipe_app/alembic/script.py.mako",
        "pipe_app/alembic/versions/0001_initial_schema.py",
        "pipe_app/resources/frameworks/enabling_environments.yaml",
        "pipe_app/py.typed",
    ):
        assert expected in names, f"{expected} is missing from the wheel"
    assert any(name.startswith("pipe_app/ui/") and name.endswith(".ui") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "pipe-app = pipe_app.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
