"""SHACL validation of a built graph against ``ontology/shapes.ttl``.

Three engines find the same violations: pyshacl (the reference, which takes minutes past a
million triples), :mod:`il2kg.rdf.shacl_sparql` (the shapes as SPARQL on a pyoxigraph store) and
:mod:`il2kg.rdf.shacl_stream` (the shapes checked in one pass over the sorted N-Triples, with
no store: the default at every size, so that the cost of validation grows with the data).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.errors import Problem
from il2kg.files import FileBytes
from il2kg.namespaces import STATEMENT, compress, expand
from il2kg.rdf.shacl_sparql import Violation, sparql_violations
from il2kg.rdf.shacl_stream import stream_violations

if TYPE_CHECKING:
    from rdflib import Graph

Engine = Literal["auto", "pyshacl", "sparql", "stream"]


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
    ntriples: bytes | FileBytes,
    graph: Callable[[], Graph],
    ds: Dataset,
    ontology: Path,
    shapes: Path,
    engine: Engine = "auto",
) -> list[Problem]:
    """Validate the data graph with the shapes; return the violations located in the YAML.

    ``graph`` is called only when pyshacl runs (it needs an rdflib graph); ``auto`` is the
    one-pass engine, which needs ``ntriples`` sorted (as the build writes them), and reads a
    :class:`~il2kg.files.FileBytes` in blocks (the SPARQL engine reads it whole).
    """
    if engine == "pyshacl":
        violations = pyshacl_violations(graph(), ontology, shapes)
    elif engine == "sparql":
        nt = ntriples.read() if isinstance(ntriples, FileBytes) else ntriples
        violations = sparql_violations(nt, ontology, shapes)
    else:
        violations = stream_violations(ntriples, ontology, shapes)
    if not violations:
        return []
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
