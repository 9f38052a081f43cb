"""Packaged Designer forms, icons and the style sheet, found through ``pipe_app.paths``."""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QApplication, QWidget

from pipe_app import paths

W = TypeVar("W", bound=QObject)


def warm_up_form_loader() -> None:
    """Qt's form loader costs ~80 ms the first time in a process: pay it in idle time."""
    holder = QWidget()
    load_form("training_record_form", holder)
    holder.deleteLater()


def load_form(name: str, parent: QWidget) -> QWidget:
    """Build ``ui/<name>.ui`` inside ``parent``, so forms stay editable in Qt Designer."""
    path = paths.ui_dir() / f"{name}.ui"
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"PIPE Desk is missing its form {path}; reinstall the app")
    try:
        form = QUiLoader().load(file, parent)
    finally:
        file.close()
    if form is None:
        raise RuntimeError(f"the form {path} could not be read")
    return form


def child(form: QWidget, kind: type[W], name: str) -> W:
    """A named widget from a loaded form; a missing one is a packaging bug, so fail loudly."""
    found = form.findChild(kind, name)
    if found is None:
        raise LookupError(f"form {form.objectName()!r} has no {kind.__name__} named {name!r}")
    return found


@cache
def icon(name: str) -> QIcon:
    return QIcon(str(paths.resources_dir() / "icons" / f"{name}.svg"))


def app_icon() -> QIcon:
    return icon("app")


def style_sheet() -> str:
    """The packaged style sheet; ``{icons}`` in it stands for the packaged icon folder."""
    text = (paths.resources_dir() / "style.qss").read_text(encoding="utf-8")
    return text.replace("{icons}", (paths.resources_dir() / "icons").as_posix())


def apply_look(app: QApplication) -> None:
    """One calm, consistent look: Fusion for predictable widgets, then the style sheet."""
    app.setStyle("Fusion")
    font = app.font()
    font.setPointSizeF(max(font.pointSizeF(), 10.0))
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1f6f78"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#1a5c8a"))
    app.setPalette(palette)
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
