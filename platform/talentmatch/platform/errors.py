"""The one hierarchy of domain errors that services raise.

Services never raise HTTP or GraphQL exceptions: the GraphQL layer translates a ``DomainError``
into a typed user error (``field`` + ``code`` + ``message``), and the CLI, importers and demo data
see the same errors. A service that raises leaves its session to be rolled back by the caller,
which owns the unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable codes; clients switch on these, so never rename a member."""

    NOT_FOUND = "NOT_FOUND"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_ALL_DIGITS = "PASSWORD_ALL_DIGITS"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_CONTAINS_EMAIL = "PASSWORD_CONTAINS_EMAIL"
    PASSWORD_ONE_CHARACTER = "PASSWORD_ONE_CHARACTER"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    INVALID_KIND = "INVALID_KIND"
    INVALID_NAME = "INVALID_NAME"
    INVALID_REGION = "INVALID_REGION"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    NOT_ASSOCIATION = "NOT_ASSOCIATION"
    NOT_ADMIN = "NOT_ADMIN"
    SELF_VERIFICATION = "SELF_VERIFICATION"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    # Rounds and their entries (services/rounds.py).
    INVALID_VALUE = "INVALID_VALUE"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    WRONG_PARTY_KIND = "WRONG_PARTY_KIND"
    NOT_VERIFIED = "NOT_VERIFIED"
    NOT_ROUND_ASSOCIATION = "NOT_ROUND_ASSOCIATION"
    REGION_NOT_COVERED = "REGION_NOT_COVERED"
    ROUND_NOT_OPEN = "ROUND_NOT_OPEN"
    ENTRY_WITHDRAWN = "ENTRY_WITHDRAWN"
    CODE_TAKEN = "CODE_TAKEN"
    ROUND_NOT_CLOSED = "ROUND_NOT_CLOSED"
    ROUND_NOT_PUBLISHED = "ROUND_NOT_PUBLISHED"
    RUN_IN_PROGRESS = "RUN_IN_PROGRESS"
    RUN_FINISHED = "RUN_FINISHED"
    RUN_NOT_SUCCEEDED = "RUN_NOT_SUCCEEDED"
    ALREADY_PUBLISHED = "ALREADY_PUBLISHED"
    NOT_A_REMATCH = "NOT_A_REMATCH"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    REASON_REQUIRED = "REASON_REQUIRED"
    NOT_PLACEMENT_PARTY = "NOT_PLACEMENT_PARTY"


class DomainError(Exception):
    """A rule of the domain refused an operation; ``field`` names the input at fault, if any."""

    def __init__(self, code: ErrorCode, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code.value!r}, {self.message!r}, field={self.field!r})"


class NotFound(DomainError):  # noqa: N818  (domain vocabulary, like HTTP's 404)
    """The object does not exist, or the caller may not know that it exists."""


class Conflict(DomainError):  # noqa: N818
    """The operation clashes with what is stored (a taken email, a duplicate code, ...)."""


class Forbidden(DomainError):  # noqa: N818
    """The caller may see the object but may not do this to it."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One rule an input breaks: the field at fault (None for the input as a whole) and why."""

    field: str | None
    message: str


class Invalid(DomainError):  # noqa: N818
    """The input breaks a rule; ``field`` says which input.

    An input may break several rules at once (an entry with two bad fields, an imported round
    document): ``problems`` then lists every one, the first of which is ``field``/``message``.
    """

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: str | None = None,
        *,
        problems: Sequence[FieldProblem] = (),
    ) -> None:
        super().__init__(code, message, field)
        self.problems: tuple[FieldProblem, ...] = tuple(problems) or (FieldProblem(field, message),)

    @classmethod
    def of(cls, code: ErrorCode, problems: Sequence[FieldProblem]) -> Invalid:
        """An Invalid carrying ``problems`` (at least one), led by the first."""
        first = problems[0]
        return cls(code, first.message, first.field, problems=problems)
