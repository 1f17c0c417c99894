"""SHACL validation of a built graph against ``ontology/shapes.ttl`` (pyshacl)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from .errors import Problem
from .load import Dataset
from .namespaces import compress, expand
from .rdf_ids import statement_id


def _locator(ds: Dataset) -> dict[str, tuple[str, int, int, str]]:
    where: dict[str, tuple[str, int, int, str]] = {}
    for eid, loc in ds.entity_locations.items():
        where[expand(eid)] = (*loc, f"entity {eid}")
    for i, rel in enumerate(ds.relations):
        f, line, col = ds.relation_locations[i]
        where[f"https://w3id.org/il2kg/statement/{statement_id(rel)}"] = (
            f,
            line,
            col,
            ds.relation_label(i),
        )
    return where


def shacl_problems(graph: Graph, ds: Dataset, ontology: Path, shapes: Path) -> list[Problem]:
    """Validate ``graph`` with the shapes; return the violations located in the YAML files."""
    from pyshacl import validate

    shapes_g = Graph().parse(shapes, format="turtle")
    ont_g = Graph().parse(ontology, format="turtle")
    conforms, results, _ = validate(
        graph, shacl_graph=shapes_g, ont_graph=ont_g, inference="none", allow_warnings=True
    )
    if conforms:
        return []
    assert isinstance(results, Graph)
    where = _locator(ds)
    problems = []
    for res in results.subjects(SH.resultSeverity, SH.Violation):
        focus = str(results.value(res, SH.focusNode))
        # evidence/quantity nodes are named after their statement: <stmt>-e1, <stmt>-q1
        base = focus.rsplit("-", 1)[0] if focus not in where else focus
        file, line, col, label = (
            where.get(focus) or where.get(base) or ("(graph)", 1, 1, compress(focus))
        )
        path = results.value(res, SH.resultPath)
        msg = results.value(res, SH.resultMessage)
        field = compress(str(path)) if isinstance(path, URIRef) else ""
        problems.append(Problem(file, line, col, label, field, f"SHACL: {msg}"))
    return problems
