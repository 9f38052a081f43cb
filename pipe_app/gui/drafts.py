"""Local drafts of open forms, so a crash or a forced close never loses what was typed.

A draft is one JSON file per form in ``<data dir>/drafts/<username>/``: the user's own data
folder, because drafts hold resident data. Files are written atomically (a temporary file,
then a rename) and deleted when the record is saved or the user discards the changes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from pipe_app import paths
from pipe_app.timeutil import to_utc, utc_now

log = logging.getLogger(__name__)

DRAFT_FORMAT = 1
NEW = "new"
_SAFE = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class DraftKey:
    """Which form a draft belongs to: its kind and the record (None for a new record)."""

    kind: str
    record_id: uuid.UUID | None = None

    @property
    def file_name(self) -> str:
        record = str(self.record_id) if self.record_id is not None else NEW
        return f"{_safe(self.kind)}--{record}.json"


@dataclass(frozen=True)
class Draft:
    key: DraftKey
    title: str
    saved_at: datetime
    version: int | None
    values: dict[str, Any]


@dataclass(frozen=True)
class DraftInfo:
    """One unsaved form for the Today page.

    To reopen it, emit ``record_requested(page_for(info.kind), info.key)``: the page's
    ``open_record`` accepts a DraftKey and shows the form with the draft's content.
    """

    kind: str
    title: str
    saved_at: datetime
    key: DraftKey


# Which main-window page reopens a draft of each kind (forms register themselves).
PAGE_FOR_KIND: dict[str, str] = {"key_work": "key_work"}


def page_for(kind: str) -> str | None:
    return PAGE_FOR_KIND.get(kind)


def _safe(text: str) -> str:
    return _SAFE.sub("_", text.strip().lower()).lstrip(".") or "_"


def drafts_dir(username: str) -> Path:
    """The user's own drafts folder, readable only by them where the system allows."""
    folder = paths.data_dir() / "drafts" / _safe(username)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_draft(
    username: str, key: DraftKey, title: str, values: dict[str, Any], version: int | None = None
) -> Draft:
    draft = Draft(key, title, utc_now(), version, dict(values))
    document = {
        "format": DRAFT_FORMAT,
        "kind": key.kind,
        "record_id": str(key.record_id) if key.record_id is not None else None,
        "title": title,
        "saved_at": draft.saved_at.isoformat(),
        "version": version,
        "values": values,
    }
    _write_atomically(drafts_dir(username) / key.file_name, json.dumps(document, indent=1))
    return draft


def _read(path: Path) -> Draft | None:
    """A draft file, or None when it is unreadable (a half-written file is never left)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        record = document.get("record_id")
        key = DraftKey(str(document["kind"]), uuid.UUID(record) if record else None)
        saved_at = to_utc(datetime.fromisoformat(document["saved_at"]))
        version = document.get("version")
        values = document["values"]
        if not isinstance(values, dict):
            return None
        return Draft(
            key,
            str(document.get("title", "")),
            saved_at,
            version if isinstance(version, int) else None,
            values,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring unreadable draft %s", path)
        return None


def load_draft(username: str, key: DraftKey) -> Draft | None:
    path = drafts_dir(username) / key.file_name
    return _read(path) if path.exists() else None


def delete_draft(username: str, key: DraftKey) -> None:
    (drafts_dir(username) / key.file_name).unlink(missing_ok=True)


def drafts_for(username: str, kind: str | None = None) -> list[DraftInfo]:
    """The user's unsaved forms, newest first (for Today, and for offering them back)."""
    found = [_read(path) for path in drafts_dir(username).glob("*.json")]
    infos = [
        DraftInfo(draft.key.kind, draft.title, draft.saved_at, draft.key)
        for draft in found
        if draft is not None and (kind is None or draft.key.kind == kind)
    ]
    return sorted(infos, key=lambda info: info.saved_at, reverse=True)


class Autosaver(QObject):
    """Every few seconds, asks ``save_now`` to write a draft (the form decides if it is dirty)."""

    INTERVAL_MS = 3000

    def __init__(self, save_now: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(save_now)

    def start(self) -> None:
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()
