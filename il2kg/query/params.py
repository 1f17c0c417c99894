"""Query parameters: typed values bound as RDF terms, never pasted into the text.

An ``entity`` value may be a CURIE, an IRI, a label or a synonym; names are resolved by the
caller's resolver (the one :class:`~il2kg.paths.resolve.Resolver` that ``il2kg path`` uses too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from il2kg.errors import QueryError
from il2kg.namespaces import VOCABULARIES, check_curie, expand, split_curie
from il2kg.query.gate import CheckedQuery
from il2kg.query.layout import check_choice
from il2kg.query.results import Term

PARAM_TYPES: Final = ("entity", "iri", "string", "integer", "decimal", "year")
_XSD = VOCABULARIES["xsd"]


@dataclass(frozen=True)
class Param:
    """A declared parameter of a named query: ``name``, ``type`` (:data:`PARAM_TYPES`),
    ``default`` (as written, e.g. a CURIE) and a one-line ``help``."""

    name: str
    type: str = "entity"
    default: str | None = None
    help: str = ""


_INT_RE = re.compile(r"[+-]?\d+")
_DEC_RE = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)")


def _iri_term(value: str) -> Term | None:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*", value):
            return Term.iri(value)
        raise QueryError(f"'<{value}>' is not a valid IRI")
    if re.match(r"https?://", value):
        return Term.iri(value) if not re.search(r"[<>\"{}|^`\\\s]", value) else None
    try:
        split_curie(value)
    except ValueError:
        return None
    problem = check_curie(value)
    if problem:
        raise QueryError(problem)
    return Term.iri(expand(value))


def parse_value(name: str, value: str, type_: str | None = None) -> Term | str:
    """Turn a parameter's text into a :class:`Term`, or keep it as a name to resolve.

    With ``type_`` ``None`` (an inline query): a CURIE or ``<IRI>`` is an IRI, an integer or a
    decimal a number, ``"quoted"`` text a string, anything else an entity name. A returned
    ``str`` is an entity name, resolved by label or synonym when the query runs.
    Raises :class:`~il2kg.errors.QueryError` when the value does not fit the type.
    """
    if type_ is None:
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            return Term.literal(value[1:-1])
        if _INT_RE.fullmatch(value):
            return Term.literal(value, _XSD + "integer")
        if _DEC_RE.fullmatch(value):
            return Term.literal(value, _XSD + "decimal")
        return _iri_term(value) or value
    check_choice(type_, PARAM_TYPES, "parameter type")
    if type_ in ("entity", "iri"):
        t = _iri_term(value)
        if t is not None:
            return t
        if type_ == "iri":
            raise QueryError(f"parameter '{name}' needs a CURIE or an <IRI>, not '{value}'")
        return value
    if type_ == "string":
        return Term.literal(value)
    checks = {
        "integer": (_INT_RE, "integer"),
        "year": (re.compile(r"\d{4}"), "gYear"),
        "decimal": (_DEC_RE, "decimal"),
    }
    pattern, dt = checks[type_]
    if not pattern.fullmatch(value):
        raise QueryError(f"parameter '{name}' needs a {type_}, not '{value}'")
    return Term.literal(value, _XSD + dt)


#: Turns an entity name (label, synonym, xref) into its IRI; raises UnknownEntityError.
NameResolver = Callable[[str], str]


def bind_params(
    checked: CheckedQuery,
    params: Mapping[str, str],
    declared: Iterable[Param] = (),
    resolve: NameResolver | None = None,
) -> dict[str, Term]:
    """Typed bindings for a query from ``name -> text`` values and declared defaults.

    An entity name (not a CURIE or IRI) is turned into an IRI by ``resolve``, the caller's
    resolver: the same names as ``il2kg path`` are understood.

    :raises QueryError: an undeclared parameter of a named query, a missing required one, a value
        that does not fit its type, or an entity name with no resolver to look it up.
    :raises UnknownEntityError: from ``resolve``, when a name designates no entity or several.
    """
    decl = {p.name: p for p in declared}
    out: dict[str, Term | str] = {}
    for name in params:
        if decl and name not in decl:
            raise QueryError(
                f"unknown parameter '{name}' (this query takes: {', '.join(sorted(decl))})"
            )
        if checked.form == "SELECT" and not checked.select_star and name not in checked.variables:
            raise QueryError(
                f"parameter '{name}' must be a variable the SELECT returns (?{name}): "
                "engines bind parameters as RDF terms only on projected variables"
            )
    for name, value in params.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"'{name}' is not a variable name")
        out[name] = parse_value(name, value, decl[name].type if name in decl else None)
    for p in decl.values():
        if p.name not in out:
            if p.default is None:
                raise QueryError(f"missing parameter '{p.name}': give --param {p.name}=VALUE")
            out[p.name] = parse_value(p.name, p.default, p.type)
    return {k: _as_term(k, v, resolve) for k, v in out.items()}


def _as_term(name: str, value: Term | str, resolve: NameResolver | None) -> Term:
    if isinstance(value, Term):
        return value
    if resolve is None:
        raise QueryError(f"parameter '{name}': '{value}' is a name; give a CURIE or an <IRI>")
    return Term.iri(resolve(value))
