"""The one hierarchy of domain errors that services raise.

Services never raise HTTP or GraphQL exceptions: the GraphQL layer translates a ``DomainError``
into a typed user error (``field`` + ``code`` + ``message``), and the CLI, importers and demo data
see the same errors. A service that raises leaves its session to be rolled back by the caller,
which owns the unit of work.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable codes; clients switch on these, so never rename a member."""

    NOT_FOUND = "NOT_FOUND"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_ALL_DIGITS = "PASSWORD_ALL_DIGITS"
    INVALID_KIND = "INVALID_KIND"
    INVALID_NAME = "INVALID_NAME"
    INVALID_REGION = "INVALID_REGION"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    NOT_ASSOCIATION = "NOT_ASSOCIATION"
    NOT_ADMIN = "NOT_ADMIN"
    SELF_VERIFICATION = "SELF_VERIFICATION"


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


class Invalid(DomainError):  # noqa: N818
    """The input breaks a rule; ``field`` says which input."""
