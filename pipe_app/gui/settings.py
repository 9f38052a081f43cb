"""Per-desktop preferences (window layout, last page) in QSettings.

Always the INI format in the user scope, so ``QSettings.setPath(IniFormat, UserScope, folder)``
moves them anywhere on every platform (tests and the screenshot script point it at a
temporary folder).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

ORGANISATION = "PIPE"
SERVER_URL_KEY = "database/server"  # the site server chosen at first run (no password)
APPLICATION = "PIPE Desk"


def make_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def use_settings_folder(folder: str) -> None:
    """Keep settings in ``folder`` from now on (tests, screenshots, portable installs)."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
