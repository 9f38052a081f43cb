"""Opening a stored evidence file, or saving a copy of it where the user chooses.

Opening writes the file under its own (made safe) name into a private folder of this run of
the app, readable only by this user, and hands it to the system's viewer; the folder is
removed when the app closes, so no copy of special category data is left lying about.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from pipe_app.gui.problems import as_sentence, describe_failure
from pipe_app.services.evidence import EvidenceService

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)
_LONGEST = 150
_folder: tempfile.TemporaryDirectory[str] | None = None


class NoViewer(Exception):
    """The system has no program for this kind of file."""


def file_problem(exc: BaseException, doing: str) -> str:
    """What went wrong with a file, as a sentence (the disk's own words when it refused)."""
    if isinstance(exc, NoViewer):
        return as_sentence(f"Could not {doing}: {exc}")
    if isinstance(exc, OSError):
        return as_sentence(f"Could not {doing}: {exc.strerror or exc}")
    return describe_failure(exc, doing)


def safe_file_name(name: str) -> str:
    """A name any file system accepts: no folders, no reserved or hidden names, not too long."""
    cleaned = _UNSAFE.sub("_", name).strip(" .") or "attachment"
    if _RESERVED.fullmatch(cleaned):
        cleaned = f"_{cleaned}"
    if len(cleaned) > _LONGEST:
        suffix = Path(cleaned).suffix[:20]
        cleaned = cleaned[: _LONGEST - len(suffix)] + suffix
    return cleaned


def private_folder() -> Path:
    """This run's own temporary folder (mode 0700), removed when the app exits."""
    global _folder
    if _folder is None:
        _folder = tempfile.TemporaryDirectory(prefix="pipe-desk-", ignore_cleanup_errors=True)
    return Path(_folder.name)


def write_private_copy(file_name: str, content: bytes) -> Path:
    """The file under its own name, in a fresh sub-folder so two files of one name never clash."""
    folder = Path(tempfile.mkdtemp(dir=private_folder()))
    path = folder / safe_file_name(file_name)
    path.write_bytes(content)
    return path


def open_attachment(service: EvidenceService, attachment_id: uuid.UUID, file_name: str) -> Path:
    """Fetch the file, keep a private copy and open it with the system's viewer.

    Raises OSError when it cannot be written, and NoViewer when nothing opens it."""
    path = write_private_copy(file_name, service.attachment_content(attachment_id))
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        raise NoViewer(f"no program on this computer opens {path.name}")
    return path


class AskCopyPath:
    """Where to save a copy; tests patch ``ask``."""

    @classmethod
    def ask(cls, parent: QWidget | None, file_name: str) -> Path | None:
        suggested = str(Path.home() / safe_file_name(file_name))
        name, _ = QFileDialog.getSaveFileName(parent, "Save a copy of the file", suggested)
        return Path(name) if name else None


def save_copy(
    parent: QWidget | None, service: EvidenceService, attachment_id: uuid.UUID, file_name: str
) -> Path | None:
    """Ask where, then write the file there; None when the user cancelled."""
    target = AskCopyPath.ask(parent, file_name)
    if target is None:
        return None
    target.write_bytes(service.attachment_content(attachment_id))
    return target
