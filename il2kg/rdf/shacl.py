"""SHACL validation of a built graph against ``ontology/shapes.ttl``.

Two engines find the same violations: pyshacl (the reference, the default for graphs of up to
:data:`PYSHACL_MAX_TRIPLES` triples) and :mod:`il2kg.rdf.shacl_sparql` (the shapes as SPARQL on
pyoxigraph, for larger graphs, where pyshacl takes minutes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.errors import Problem
from il2kg.namespaces import STATEMENT, compress, expand
from il2kg.rdf.shacl_sparql import Violation, sparql_violations

if TYPE_CHECKING:
    from rdflib import Graph

Engine = Literal["auto", "pyshacl", "sparql"]
#: Above this many triples, ``engine="auto"`` uses the SPARQL engine.
PYSHACL_MAX_TRIPLES = 50_000


def pyshacl_violations(graph: Graph, ontology: Path, shapes: Path) -> list[Violation]:
    """Every violation pyshacl reports (with the ontology's class hierarchy mixed in)."""
    from pyshacl import validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    shapes_g = Graph().parse(shapes, format="turtle")
    ont_g = Graph().parse(ontology, format="turtle")
    conforms, results, _ = validate(
        graph, shacl_graph=shapes_g, ont_graph=ont_g, inference="none", allow_warnings=True
    )
    if conforms:
        return []
    assert isinstance(results, Graph)
    found = set()
    for res in results.subjects(SH.resultSeverity, SH.Violation):
        path = results.value(res, SH.resultPath)
        found.add(
            Violation(
                str(results.value(res, SH.focusNode)),
                str(path) if isinstance(path, URIRef) else "",
                str(results.value(res, SH.resultMessage)),
            )
        )
    return sorted(found, key=lambda v: (v.focus, v.path, v.message))


def _locator(ds: Dataset) -> dict[str, tuple[str, int, int, str]]:
    where: dict[str, tuple[str, int, int, str]] = {}
    for eid, loc in ds.entity_locations.items():
        where[expand(eid)] = (*loc, f"entity {eid}")
    for i, rel in enumerate(ds.relations):
        f, line, col = ds.relation_locations[i]
        where[STATEMENT + statement_id(rel)] = (f, line, col, ds.relation_label(i))
    return where


def shacl_problems(
    ntriples: bytes,
    graph: Callable[[], Graph],
    ds: Dataset,
    ontology: Path,
    shapes: Path,
    engine: Engine = "auto",
) -> list[Problem]:
    """Validate the data graph with the shapes; return the violations located in the YAML.

    ``graph`` is called only when pyshacl runs (it needs an rdflib graph).
    """
    if engine == "auto":
        engine = "pyshacl" if ntriples.count(b"\n") <= PYSHACL_MAX_TRIPLES else "sparql"
    if engine == "pyshacl":
        violations = pyshacl_violations(graph(), ontology, shapes)
    else:
        violations = sparql_violations(ntriples, ontology, shapes)
    where = _locator(ds)
    problems = []
    for v in violations:
        # evidence/quantity nodes are named after their statement: <stmt>-e1, <stmt>-q1
        base = v.focus.rsplit("-", 1)[0]
        file, line, col, label = (
            where.get(v.focus) or where.get(base) or ("(graph)", 1, 1, compress(v.focus))
        )
        field = compress(v.path) if v.path else ""
        problems.append(Problem(file, line, col, label, field, f"SHACL: {v.message}"))
    return problems
