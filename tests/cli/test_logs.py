"""The log redacts anything shaped like a CRN, wherever it comes from."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from pipe_app.logs import (
    AppLogHandler,
    RedactCrnFilter,
    RedactingFormatter,
    redact,
    setup_logging,
)


def test_redact_blanks_crn_shapes_only() -> None:
    assert redact("moved X123456 and b654321.") == "moved [CRN] and [CRN]."
    kept = "pipe-desk-backup-20261126T123748Z.sqlite3 AB1234567 X1234567 revision 0003"
    assert redact(kept) == kept


def test_filter_and_formatter_redact_messages_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactCrnFilter())
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.cli.redaction")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning("placement for %s saved", "Q765432")
        logger.warning("literal Z111111 in the message")
        try:
            raise ValueError("duplicate CRN K222222")
        except ValueError:
            logger.exception("import failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for crn in ("Q765432", "Z111111", "K222222"):
        assert crn not in text
    assert "ValueError: duplicate CRN [CRN]" in text
    assert "placement for [CRN] saved" in text


def test_setup_logging_writes_to_the_log_folder_once(app_home: Path) -> None:
    root = logging.getLogger()
    level = root.level
    try:
        path = setup_logging()
        assert setup_logging() == path
        assert path == app_home / "logs" / "pipe-desk.log"
        assert sum(isinstance(h, AppLogHandler) for h in root.handlers) == 1
        logging.getLogger("tests.cli").info("resident R909090 left")
        for handler in root.handlers:
            handler.flush()
        assert "resident [CRN] left" in path.read_text(encoding="utf-8")
    finally:
        for handler in [h for h in root.handlers if isinstance(h, AppLogHandler)]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
