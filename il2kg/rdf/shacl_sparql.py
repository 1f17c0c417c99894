"""A fast SHACL Core checker for large graphs: the shapes of ``ontology/shapes.ttl`` as SPARQL
queries on pyoxigraph.

pyshacl is the reference engine (and the default for graphs of ordinary size); it walks an
rdflib store focus node by focus node and takes minutes past a million triples. This module
translates the constraint components our shapes use (``targetClass``, ``minCount``,
``maxCount``, ``datatype``, ``class``, ``nodeKind sh:IRI``, ``in``, ``minLength``, ``or`` of
datatypes, and a node-level ``or`` of property shapes) into SPARQL and runs them on pyoxigraph.
A shape using any other component is refused, never skipped. Tests check that both engines find
the same violations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from il2kg.errors import Il2kgError

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: Constraint parameters this checker understands (plus the shape's own bookkeeping).
_PROPERTY_KEYS = {
    "path",
    "minCount",
    "maxCount",
    "datatype",
    "class",
    "nodeKind",
    "in",
    "minLength",
    "or",
    "message",
}
_NODE_KEYS = {"targetClass", "property", "or"}


@dataclass(frozen=True)
class Violation:
    """One SHACL violation: the focus node, the property path (an IRI or ""), a message."""

    focus: str
    path: str
    message: str


def _sparql_term(node: Any) -> str:
    from rdflib import Literal, URIRef

    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return str(node.n3())
    raise Il2kgError(f"unsupported term in shapes: {node!r}")


def _subclasses(ontology: Path) -> dict[str, list[str]]:
    """Each class of the ontology -> itself and all its subclasses (transitively)."""
    from rdflib import RDFS, Graph

    o = Graph().parse(ontology, format="turtle")
    children: dict[str, set[str]] = {}
    for sub, sup in o.subject_objects(RDFS.subClassOf):
        children.setdefault(str(sup), set()).add(str(sub))
    out: dict[str, list[str]] = {}
    for cls in {*children, *(c for cs in children.values() for c in cs)}:
        seen, todo = {cls}, [cls]
        while todo:
            for c in children.get(todo.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    todo.append(c)
        out[cls] = sorted(seen)
    return out


@dataclass(frozen=True)
class Constraint:
    """One constraint of a shape, with its target classes expanded through the hierarchy.

    ``kind`` and ``value``: ``or`` (the paths of which one at least must have a value),
    ``minCount`` / ``maxCount`` / ``minLength`` (an int), ``datatype`` (an IRI), ``datatypes``
    (IRIs, one of which), ``class`` (the class and its subclasses), ``iri`` (sh:nodeKind
    sh:IRI), ``in`` (the allowed terms, rdflib terms). ``path`` is the property's IRI ("" for
    ``or``); ``message`` the shape's own or the engine's default.
    """

    targets: tuple[str, ...]
    path: str
    kind: str
    value: Any
    message: str


def shape_constraints(shapes: Path, ontology: Path) -> list[Constraint]:
    """Every constraint of the shapes file; a component this module does not know is refused.

    Class membership follows the ontology's ``rdfs:subClassOf`` hierarchy.
    """
    from rdflib import RDF, Graph, URIRef
    from rdflib.collection import Collection

    g = Graph().parse(shapes, format="turtle")
    hierarchy = _subclasses(ontology)

    def members(cls: Any) -> tuple[str, ...]:
        return tuple(hierarchy.get(str(cls), [str(cls)]))

    def sh(local: str) -> URIRef:
        return URIRef(SH + local)

    def val(node: Any, local: str) -> Any:
        return g.value(node, sh(local))

    def keys(node: Any) -> set[str]:
        return {str(p)[len(SH) :] for p in g.predicates(node) if str(p).startswith(SH)}

    out: list[Constraint] = []
    for shape in sorted(g.subjects(RDF.type, sh("NodeShape")), key=str):
        unknown = keys(shape) - _NODE_KEYS
        if unknown:
            raise Il2kgError(f"SHACL shape {shape}: unsupported {sorted(unknown)} (fast engine)")
        target = val(shape, "targetClass")
        if target is None:
            raise Il2kgError(f"SHACL shape {shape}: only sh:targetClass targets are supported")
        targets = members(target)
        alternatives = val(shape, "or")
        if alternatives is not None:  # node-level or: at least one property shape must hold
            paths = []
            for alt in Collection(g, alternatives):
                if keys(alt) - {"path", "minCount"} or val(alt, "minCount").toPython() != 1:
                    raise Il2kgError(f"SHACL shape {shape}: sh:or supports minCount 1 only")
                paths.append(str(val(alt, "path")))
            out.append(
                Constraint(
                    targets, "", "or", tuple(paths), "none of the alternatives of sh:or holds"
                )
            )
        for prop in g.objects(shape, sh("property")):
            unknown = keys(prop) - _PROPERTY_KEYS
            if unknown:
                raise Il2kgError(f"SHACL property shape of {shape}: unsupported {sorted(unknown)}")
            path = val(prop, "path")
            if not isinstance(path, URIRef):
                raise Il2kgError(f"SHACL shape {shape}: only IRI paths are supported")
            custom = val(prop, "message")

            def add(
                kind: str,
                value: Any,
                default: str,
                custom: Any = custom,
                targets: tuple[str, ...] = targets,
                path: str = str(path),
            ) -> None:
                message = str(custom) if custom is not None else default
                out.append(Constraint(targets, path, kind, value, message))

            if (n := val(prop, "minCount")) is not None:
                add("minCount", int(n.toPython()), f"Less than {int(n.toPython())} values")
            if (n := val(prop, "maxCount")) is not None:
                add("maxCount", int(n.toPython()), f"More than {int(n.toPython())} values")
            if (dt := val(prop, "datatype")) is not None:
                add("datatype", str(dt), f"Value is not a literal of datatype {dt}")
            if (cls := val(prop, "class")) is not None:
                add("class", members(cls), f"Value does not have class {cls}")
            if (kind := val(prop, "nodeKind")) is not None:
                if kind != sh("IRI"):
                    raise Il2kgError(f"SHACL shape {shape}: only sh:nodeKind sh:IRI is supported")
                add("iri", None, "Value is not an IRI")
            if (allowed := val(prop, "in")) is not None:
                add("in", tuple(Collection(g, allowed)), "Value is not in the allowed list")
            if (ml := val(prop, "minLength")) is not None:
                add("minLength", int(ml.toPython()), f"Value is shorter than {ml}")
            if (alts := val(prop, "or")) is not None:
                dts = []
                for alt in Collection(g, alts):
                    if keys(alt) != {"datatype"}:
                        raise Il2kgError(f"SHACL shape {shape}: sh:or supports datatypes only")
                    dts.append(str(val(alt, "datatype")))
                add("datatypes", tuple(dts), "Value does not have any of the allowed datatypes")
    return out


def _values(var: str, classes: tuple[str, ...]) -> str:
    values = " ".join(f"<{c}>" for c in classes)
    return f"VALUES {var}_t {{ {values} }} {var} <{RDF_TYPE}> {var}_t ."


def _filter(c: Constraint) -> str:
    """The SPARQL condition on ``?v`` that a value constraint's violation meets."""
    if c.kind == "datatype":
        return f"!(isLiteral(?v) && datatype(?v) = <{c.value}>)"
    if c.kind == "class":
        return f"NOT EXISTS {{ {_values('?v', c.value)} }}"
    if c.kind == "iri":
        return "!isIRI(?v)"
    if c.kind == "in":
        return f"?v NOT IN ({', '.join(_sparql_term(t) for t in c.value)})"
    if c.kind == "minLength":
        return f"(isBlank(?v) || STRLEN(STR(?v)) < {c.value})"
    assert c.kind == "datatypes", c.kind
    dts = ", ".join(f"<{d}>" for d in c.value)
    return f"!(isLiteral(?v) && datatype(?v) IN ({dts}))"


def shape_queries(shapes: Path, ontology: Path) -> list[tuple[str, str, str]]:
    """(SPARQL SELECT of ?f [?v], path IRI, message) for each constraint of the shapes file.

    Class membership is expanded into ``VALUES`` lists (much faster than a
    ``rdf:type/rdfs:subClassOf*`` path per row).
    """
    out: list[tuple[str, str, str]] = []
    for c in shape_constraints(shapes, ontology):
        focus = _values("?f", c.targets)
        p = f"<{c.path}>"
        if c.kind == "or":
            conds = " && ".join(f"NOT EXISTS {{ ?f <{alt}> ?x }}" for alt in c.value)
            query = f"SELECT DISTINCT ?f WHERE {{ {focus} FILTER({conds}) }}"
        elif c.kind in ("minCount", "maxCount"):
            opt = f"OPTIONAL {{ ?f {p} ?v }}" if c.kind == "minCount" else f"?f {p} ?v ."
            op = "<" if c.kind == "minCount" else ">"
            query = (
                f"SELECT ?f WHERE {{ {focus} {opt} }} GROUP BY ?f "
                f"HAVING (COUNT(DISTINCT ?v) {op} {c.value})"
            )
        else:
            query = f"SELECT DISTINCT ?f ?v WHERE {{ {focus} ?f {p} ?v . FILTER({_filter(c)}) }}"
        out.append((query, c.path, c.message))
    return out


def sparql_violations(ntriples: bytes, ontology: Path, shapes: Path) -> list[Violation]:
    """Check the data graph (N-Triples) with the ontology's class hierarchy; every violation."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    found: set[Violation] = set()
    for query, path, message in shape_queries(shapes, ontology):
        for sol in store.query(query):  # type: ignore[union-attr]
            focus = sol["f"]
            found.add(Violation(str(focus.value), path, message))
    return sorted(found, key=lambda v: (v.focus, v.path, v.message))
