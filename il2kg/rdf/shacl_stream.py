"""SHACL in one pass over the sorted N-Triples: the constraints of ``ontology/shapes.ttl``
(:func:`~il2kg.rdf.shacl_sparql.shape_constraints`) checked node by node, with no store.

The build's N-Triples are sorted, so all the triples of a subject are consecutive lines: a first
pass collects every node's ``rdf:type`` (what ``sh:class`` needs of the values), a second walks
the subjects one at a time and checks the shapes whose target classes the node has. It finds
what pyshacl finds (``tests/test_shacl.py`` holds the three engines to the same violations) at
a fraction of the time and memory of a store, at every size: no rdflib or pyoxigraph terms are
made for the triples, only the bytes of each line are compared. N-Triples kept in a file
(:class:`~il2kg.files.FileBytes`, as the build leaves them) are read in blocks of whole lines:
a subject's lines may straddle two blocks, its group is carried over from one to the next.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from il2kg.files import BLOCK_SIZE, FileBytes
from il2kg.rdf.shacl_sparql import RDF_TYPE, Constraint, Violation, shape_constraints

XSD = "http://www.w3.org/2001/XMLSchema#"
_TYPE = b"<" + RDF_TYPE.encode() + b">"
_STRING = XSD + "string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_ESCAPE = re.compile(rb"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def _iri(value: str) -> bytes:
    return b"<" + value.encode() + b">"


def _nt_term(term: Any) -> bytes:
    """An rdflib term (of a shapes file's ``sh:in``) as the build writes it in N-Triples."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return _iri(str(term))
    if not isinstance(term, Literal):
        raise ValueError(f"unsupported term in shapes: {term!r}")
    if term.language:
        lit = ox.Literal(str(term), language=term.language)
    elif term.datatype:
        lit = ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
    else:
        lit = ox.Literal(str(term))
    x = ox.NamedNode("urn:x")
    data = ox.serialize([ox.Triple(x, x, lit)], format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data.rstrip(b"\n")[len(b"<urn:x> <urn:x> ") : -len(b" .")]


def _datatype(value: bytes) -> str | None:
    """The datatype IRI of a literal in N-Triples form (``None``: not a literal)."""
    if not value.startswith(b'"'):
        return None
    if value.endswith(b">"):
        return value[value.rindex(b'"^^<') + 4 : -1].decode()
    if value.endswith(b'"'):
        return _STRING
    return _LANG_STRING


def _length(value: bytes) -> int:
    """SPARQL's ``STRLEN(STR(?v))`` of an IRI or literal in N-Triples form."""
    if value.startswith(b"<"):
        return len(value[1:-1].decode())
    lexical = value[1 : value.rindex(b'"')]
    if b"\\" in lexical:
        lexical = _ESCAPE.sub(b"_", lexical)  # one character per escape
    return len(lexical.decode())


class _Check:
    """One compiled constraint: the value tests as closures over bytes."""

    def __init__(self, c: Constraint, types: dict[bytes, frozenset[bytes]]) -> None:
        self.c = c
        self.targets = frozenset(_iri(t) for t in c.targets)
        self.path = _iri(c.path) if c.path else b""
        self.alternatives = [_iri(p) for p in c.value] if c.kind == "or" else []
        self.bad = self._value_test(c, types)

    @staticmethod
    def _value_test(c: Constraint, types: dict[bytes, frozenset[bytes]]) -> Any:
        if c.kind == "datatype":
            return lambda v: _datatype(v) != c.value
        if c.kind == "datatypes":
            allowed = set(c.value)
            return lambda v: _datatype(v) not in allowed
        if c.kind == "class":
            members = frozenset(_iri(m) for m in c.value)
            return lambda v: members.isdisjoint(types.get(v, ()))
        if c.kind == "iri":
            return lambda v: not v.startswith(b"<")
        if c.kind == "in":
            allowed_terms = {_nt_term(t) for t in c.value}
            return lambda v: v not in allowed_terms
        if c.kind == "minLength":
            return lambda v: v.startswith(b"_:") or _length(v) < c.value
        return None

    def violated(self, props: dict[bytes, list[bytes]]) -> bool:
        c = self.c
        if c.kind == "or":
            return not any(p in props for p in self.alternatives)
        values = props.get(self.path, ())
        if c.kind == "minCount":
            return bool(len(set(values)) < c.value)
        if c.kind == "maxCount":
            return bool(len(set(values)) > c.value)
        return any(self.bad(v) for v in values)


def _lines(ntriples: bytes | FileBytes, block_size: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(subject, predicate, object) of each line, terms as written; checks the sort order."""
    previous = b""
    blocks = ntriples.blocks(block_size) if isinstance(ntriples, FileBytes) else (ntriples,)
    for block in blocks:
        for line in io.BytesIO(block):
            if line < previous:
                raise ValueError(
                    "the N-Triples are not sorted (SHACL in one pass needs them sorted)"
                )
            previous = line
            s, p, rest = line.split(b" ", 2)
            yield s, p, rest[: -3 if rest.endswith(b" .\n") else -2]


def stream_violations(
    ntriples: bytes | FileBytes, ontology: Path, shapes: Path, *, block_size: int = BLOCK_SIZE
) -> list[Violation]:
    """Check the sorted, de-duplicated N-Triples of the data graph; every violation.

    N-Triples in a file are read twice, ``block_size`` bytes of whole lines at a time.
    """
    constraints = shape_constraints(shapes, ontology)
    interned: dict[frozenset[bytes], frozenset[bytes]] = {}
    types: dict[bytes, frozenset[bytes]] = {}
    subject, classes = b"", set[bytes]()
    for s, p, o in _lines(ntriples, block_size):
        if s != subject:
            if classes:
                key = frozenset(classes)
                types[subject] = interned.setdefault(key, key)
            subject, classes = s, set[bytes]()
        if p == _TYPE:
            classes.add(o)
    if classes:
        key = frozenset(classes)
        types[subject] = interned.setdefault(key, key)
    checks = [_Check(c, types) for c in constraints]
    by_types: dict[frozenset[bytes], list[_Check]] = {
        t: [k for k in checks if not k.targets.isdisjoint(t)] for t in interned
    }
    found: set[Violation] = set()

    def check(node: bytes, props: dict[bytes, list[bytes]]) -> None:
        for k in by_types.get(types.get(node, frozenset()), ()):
            if k.violated(props):
                found.add(Violation(node[1:-1].decode(), k.c.path, k.c.message))

    subject, props = b"", dict[bytes, list[bytes]]()
    for s, p, o in _lines(ntriples, block_size):
        if s != subject:
            if props:
                check(subject, props)
            subject, props = s, dict[bytes, list[bytes]]()
        props.setdefault(p, []).append(o)
    if props:
        check(subject, props)
    return sorted(found, key=lambda v: (v.focus, v.path, v.message))
