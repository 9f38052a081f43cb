"""Picking files to attach (evidence files, training certificates): the types allowed, the
file dialog, dropped files, and reading a file with a plain reason when it cannot be used.

The services check size and content again; this only spares reading a file that is plainly
the wrong type or far too large.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QWidget

from pipe_app.services import evidence as file_rules

FILE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".rtf": "application/rtf",
}
FILE_PATTERNS = " ".join(f"*{ext}" for ext in FILE_TYPES)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def media_type_for(path: Path) -> str | None:
    """The media type of an allowed file (PDF, image, office document), else None."""
    known = FILE_TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed if guessed is not None and guessed.startswith("image/") else None


class FileRefused(Exception):
    """A file that cannot be attached; the message says why (without the file's name)."""


def read_attachable(path: Path) -> tuple[str, bytes]:
    """The media type and bytes of a file fit to attach, or FileRefused saying why not."""
    media = media_type_for(path)
    if media is None:
        raise FileRefused("only PDF, image and office document files can be attached")
    try:
        size = path.stat().st_size
        if size > file_rules.MAX_ATTACHMENT_BYTES:
            raise FileRefused(
                f"the file is {size_text(size)}; "
                f"the largest allowed is {file_rules.MAX_ATTACHMENT_MB} MB"
            )
        return media, path.read_bytes()
    except OSError as exc:
        raise FileRefused(f"could not be read ({exc.strerror or exc})") from exc


def dropped_files(mime: QMimeData) -> list[Path]:
    """The local files in a drag (links and text are not files)."""
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class AskFiles:
    """The open-file dialog; tests patch ``ask`` (several files) or ``ask_one``."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(
            parent, "Attach files", "", f"Evidence files ({FILE_PATTERNS})"
        )
        return [Path(name) for name in names]

    @classmethod
    def ask_one(cls, parent: QWidget | None, title: str, what: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, "", f"{what} ({FILE_PATTERNS})")
        return Path(name) if name else None
