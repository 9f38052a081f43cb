"""The app's log: a small rotating file in the user's log folder.

The log is for diagnosing faults, so it holds what the app did, never who it was about:
code never logs resident names, CRNs or passwords. As defence in depth a filter and the
formatter blank anything shaped like a CRN (one letter and six digits), including text
that reaches the log through an exception message or a library.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

from pipe_app import paths

LOG_FILE_NAME = "pipe-desk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

CRN_SHAPED = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][0-9]{6}(?![0-9])")
REDACTED = "[CRN]"


def redact(text: str) -> str:
    return CRN_SHAPED.sub(REDACTED, text)


class RedactCrnFilter(logging.Filter):
    """Replaces CRN-shaped text in a record's message before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """Also redacts the finished line, so tracebacks and exception text are covered."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class AppLogHandler(RotatingFileHandler):
    """The app's own handler, so a second ``setup_logging()`` can recognise it."""


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to ``pipe-desk.log`` (1 MB x 5) in the log folder; returns its path.

    Safe to call more than once. A log folder that cannot be written does not stop the app.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, AppLogHandler):
            return Path(handler.baseFilename)
    try:
        path = paths.log_dir() / LOG_FILE_NAME
        handler = AppLogHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setLevel(level)
    handler.addFilter(RedactCrnFilter())
    handler.setFormatter(RedactingFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    return path
