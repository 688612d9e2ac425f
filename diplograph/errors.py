"""Errors a user can act on. Each is raised where the fault is found and shown once, at the edge."""

from __future__ import annotations

from dataclasses import dataclass


class DiplographError(Exception):
    """Base of every error whose message is meant for the user (no traceback needed)."""


@dataclass(frozen=True)
class Problem:
    """One fault in an input file: where it is and what to do about it."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class AnnotationError(DiplographError):
    """An annotation (or its text) that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreError(DiplographError):
    """The store cannot be opened, read or written."""


class StoreUnreachable(StoreError):
    """A remote store could not be reached (no connection, no answer in time)."""


class StoreTimeout(StoreUnreachable):
    """A remote store did not answer in the time given."""


class QueryError(DiplographError):
    """A SPARQL query or update the store rejected (syntax, unsupported feature)."""
