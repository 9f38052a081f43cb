"""Lint, format and types are part of the suite, so one command checks everything."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_never_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "pipe_app").rglob("*.py"):
        relative = path.relative_to(ROOT / "pipe_app")
        if "gui" in relative.parts or relative.name in ("cli.py", "__main__.py"):
            continue  # the GUI, and the entry point that starts it lazily
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.startswith(("PySide6", "shiboken6", "pipe_app.gui")) for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_layouts_are_nested_through_nest() -> None:
    """PySide wraps the items of a layout nested with ``addLayout``/``insertLayout``; those
    wrappers go stale (``pipe_app.gui.layouts``). Only ``nest`` may call them."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "pipe_app").rglob("*.py")
        if path.name != "layouts.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".addLayout(" in line or ".insertLayout(" in line
    ]
    assert offenders == []
