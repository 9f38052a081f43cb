"""Turn failures into sentences a member of staff can act on (details go to the log)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

NO_DATABASE = (
    "the database did not answer; check the network connection, or ask your administrator "
    "whether the database server is running"
)


def as_sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else f"{text}."


def describe_failure(exc: BaseException, doing: str = "") -> str:
    """A PipeError is already a sentence; anything else is logged and summarised."""
    from sqlalchemy.exc import DBAPIError

    from pipe_app.services.errors import PipeError

    if isinstance(exc, PipeError):
        reason = str(exc)
    else:
        log.error("unexpected failure while trying to %s", doing or "work", exc_info=exc)
        if isinstance(exc, DBAPIError):
            reason = NO_DATABASE
        else:
            reason = f"something unexpected went wrong ({type(exc).__name__}); it has been logged"
    return as_sentence(f"Could not {doing}: {reason}" if doing else reason)
