"""The named queries: ``query/queries/*.rq`` with a comment header that is their documentation
and their test oracle at once::

    # question: Which kinases associate with the IL-2 receptor, and which chain does each bind?
    # param: complex (entity, default IL2KG:IL2R_ABG): the receptor complex
    # expect-columns: kinase chain
    # expect: HGNC:6190 HGNC:6009
    # expect: HGNC:6193 HGNC:6010

``expect`` rows (shell-quoted words: CURIEs for IRIs, lexical forms for literals, ``true`` or
``false`` for ASK) are the answer on the shipped data, projected on ``expect-columns``; the tests
compare them as exact sets. A new named query is one ``.rq`` file; nothing else changes.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from il2kg.errors import QueryError
from il2kg.query.layout import check_choice
from il2kg.query.params import PARAM_TYPES, Param
from il2kg.query.results import Results
from il2kg.resources import queries_dir


@dataclass(frozen=True)
class NamedQuery:
    """A shipped query: its ``name`` (file stem), ``question``, ``params``, the expected answer
    (``expect_columns`` and ``expect`` rows, or ``expect_boolean``) and its ``text``."""

    name: str
    question: str
    text: str
    params: tuple[Param, ...] = ()
    expect_columns: tuple[str, ...] = ()
    expect: frozenset[tuple[str, ...]] = frozenset()
    expect_boolean: bool | None = None
    notes: str = ""
    path: Path | None = field(default=None, compare=False)


_PARAM_RE = re.compile(
    r"(?P<name>\w+)\s*\((?P<type>\w+)(?:,\s*default\s+(?P<default>[^)]+))?\)\s*:?\s*(?P<help>.*)"
)


def parse_named_query(name: str, text: str, path: Path | None = None) -> NamedQuery:
    """Read a named query's header (see the module docstring).

    Raises :class:`~il2kg.errors.QueryError` naming the file for a malformed header.
    """
    where = str(path) if path else name
    question = ""
    params: list[Param] = []
    columns: tuple[str, ...] = ()
    expect: set[tuple[str, ...]] = set()
    boolean: bool | None = None
    notes: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        value = value.strip()
        if not sep or " " in key:
            if body:
                notes.append(body)
            continue
        if key == "question":
            question = value
        elif key == "param":
            m = _PARAM_RE.fullmatch(value)
            if m is None:
                raise QueryError(
                    f"{where}:{n}: malformed 'param:' line (name (type[, default X]): help)"
                )
            check_choice(m["type"], PARAM_TYPES, f"parameter type in {where}:{n}")
            default = m["default"].strip() if m["default"] else None
            params.append(Param(m["name"], m["type"], default, m["help"].strip()))
        elif key == "expect-columns":
            columns = tuple(value.split())
        elif key == "expect":
            if value in ("true", "false") and not columns:
                boolean = value == "true"
                continue
            words = tuple(shlex.split(value))
            if len(words) != len(columns):
                raise QueryError(
                    f"{where}:{n}: 'expect:' has {len(words)} values for "
                    f"{len(columns)} expect-columns"
                )
            expect.add(words)
        else:
            notes.append(body)
    if not question:
        raise QueryError(f"{where}: a named query needs a '# question: ...' line")
    return NamedQuery(
        name=name,
        question=question,
        text=text,
        params=tuple(params),
        expect_columns=columns,
        expect=frozenset(expect),
        expect_boolean=boolean,
        notes=" ".join(notes),
        path=path,
    )


@cache
def _names(folder: str) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in Path(folder).glob("*.rq")))


@cache
def _named_query(folder: str, name: str) -> NamedQuery:
    path = Path(folder) / f"{name}.rq"
    return parse_named_query(name, path.read_text(encoding="utf-8"), path)


def query_names(folder: Path | None = None) -> tuple[str, ...]:
    """The names of the named queries (of ``folder``), sorted; no file is parsed."""
    return _names(str(folder or queries_dir()))


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """The named queries shipped in ``il2kg/queries/`` (or ``folder``), by name."""
    where = str(folder or queries_dir())
    return {name: _named_query(where, name) for name in _names(where)}


def looks_like_a_name(text: str) -> bool:
    """True if ``text`` reads as a named query's name rather than as SPARQL."""
    return bool(text) and not any(c.isspace() or c in "{}?<>" for c in text)


def get_named_query(name: str, folder: Path | None = None) -> NamedQuery:
    """One named query; raises :class:`~il2kg.errors.QueryError` listing close names."""
    names = query_names(folder)
    if name in names:  # a name of the folder's files, never a path: parse that file only
        return _named_query(str(folder or queries_dir()), name)
    import difflib

    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.5)
    hint = f"; did you mean: {', '.join(close)}?" if close else "; see `il2kg queries`"
    raise QueryError(f"no named query '{name}'{hint}")


def expected_rows(results: Results, columns: Iterable[str]) -> set[tuple[str, ...]]:
    """Project answers on ``columns`` as CURIE / lexical strings (to compare with ``expect``)."""
    idx = [results.variables.index(c) for c in columns]
    return {tuple("" if r[i] is None else r[i].curie() for i in idx) for r in results.rows}  # type: ignore[union-attr]
