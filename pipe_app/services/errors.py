"""Errors services raise: each is a sentence a member of staff can act on."""

from __future__ import annotations

from dataclasses import dataclass


class PipeError(Exception):
    """Base of every expected failure; ``str()`` is the message to show."""


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(PipeError):
    """Input was refused; ``problems`` name each field and what is wrong. Nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls([FieldProblem(field, message)])

    @property
    def fields(self) -> list[str]:
        return [problem.field for problem in self.problems]


class PermissionDenied(PipeError):
    """The signed-in user's role or sites do not allow this."""


class NotFound(PipeError):
    """The record does not exist, is archived, or is outside the user's sites."""


class ConflictError(PipeError):
    """Someone else saved this record since it was opened; nothing was overwritten."""


class StateError(PipeError):
    """The record is not at the workflow step this needs (for example, not yet submitted)."""


class LockedError(StateError):
    """The record was signed off and locked: it can only be added to."""


class AuthenticationError(PipeError):
    """Sign-in failed: wrong username or password, or the account is locked."""
