"""One exception hierarchy for il2kg.

Every error carries structured data and renders a readable message. Only the CLI turns these
into exit codes; the library never calls ``sys.exit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Il2kgError(Exception):
    """Base class of every error il2kg raises on purpose."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located in a file.

    ``where`` names the entity or relation (``entity HGNC:6001``); ``field`` the offending field
    as a dotted path (``evidence[0].status``).
    """

    file: str
    line: int
    column: int
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}:{self.column}"
        parts = [p for p in (self.where, f"field '{self.field}'" if self.field else "") if p]
        ctx = ": ".join(parts)
        return f"{loc}: {ctx}: {self.message}" if ctx else f"{loc}: {self.message}"


class DataError(Il2kgError):
    """The curated data is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{n} problem{'s' if n != 1 else ''} found")
        return "\n".join(lines)


class UnknownEntityError(Il2kgError):
    """A name did not resolve to exactly one entity."""

    def __init__(self, name: str, candidates: Sequence[tuple[str, str]], ambiguous: bool) -> None:
        self.name = name
        self.candidates = list(candidates)
        self.ambiguous = ambiguous
        if ambiguous:
            head = f"'{name}' is ambiguous; it matches:"
        elif candidates:
            head = f"no entity named '{name}'; did you mean:"
        else:
            head = f"no entity named '{name}'"
        body = "".join(f"\n  {curie}  {label}" for curie, label in self.candidates)
        super().__init__(head + body)


class QueryError(Il2kgError):
    """A SPARQL query is malformed, refused or failed."""


class QueryTimeout(QueryError):
    """A query ran past its time limit."""

    exit_code = 3


class PathNotFound(Il2kgError):
    """No path connects the two entities under the given constraints."""


class OutputError(Il2kgError):
    """An output could not be written."""


class EndpointError(Il2kgError):
    """A remote SPARQL endpoint or graph store refused or failed a request."""


class OptionError(Il2kgError, ValueError):
    """Options or arguments that do not fit together or do not apply (a usage error: exit 2)."""

    exit_code = 2


class StoreError(Il2kgError):
    """A store could not be opened or loaded."""


class NoPathError(PathNotFound):
    """No path under the constraints; carries what each end can reach instead."""

    def __init__(
        self,
        message: str,
        source: str,
        target: str,
        from_source: Sequence[tuple[str, int]] = (),
        to_target: Sequence[tuple[str, int]] = (),
    ) -> None:
        self.source = source
        self.target = target
        self.from_source = list(from_source)
        self.to_target = list(to_target)
        super().__init__(message)
