"""Where things live: packaged data (forms, resources, migrations) and the user's folders.

Packaged data sits inside the installed package (the wheel force-includes ``ui/``,
``resources/`` and ``alembic/``); in a source checkout it sits beside the package.
User folders come from platformdirs and can be redirected with ``PIPE_APP_HOME``
(tests point it at a temporary folder). Both are found without importing anything heavy: the
desktop app reads its forms from here before its first window is drawn.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "PIPE Desk"
ENV_DATABASE_URL = "PIPE_APP_DATABASE_URL"  # the database when --database is not given
APP_AUTHOR = "PIPE"


def _packaged(name: str) -> Path:
    package = Path(__file__).resolve().parent
    for folder in (package / name, package.parent / name):  # installed, then a source checkout
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"PIPE Desk is missing its {name!r} folder; reinstall the app")


def resources_dir() -> Path:
    return _packaged("resources")


def ui_dir() -> Path:
    return _packaged("ui")


def migrations_dir() -> Path:
    return _packaged("alembic")


def _home() -> Path | None:
    value = os.environ.get("PIPE_APP_HOME")
    return Path(value) if value else None


def data_dir() -> Path:
    import platformdirs

    home = _home()
    path = home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    import platformdirs

    home = _home()
    path = home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "pipe-desk.sqlite3"
