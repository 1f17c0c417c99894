"""Validated dataset -> networkx graph of entities and curated relations.

Only entities are nodes and only curated, non-negated relations are edges (the predicate is
the edge key): no literals, classes or statement nodes that would make shortcuts. Evidence,
status and qualifiers ride on the edges so a path can show why each hop is believed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from il2kg.dataset.ids import statement_id

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.dataset.model import Dataset


def edge_data(ds: Dataset, i: int) -> dict[str, Any]:
    """The attributes of relation ``i`` as carried on its edge."""
    rel = ds.relations[i]
    q = rel.qualifiers.model_dump(exclude_none=True) if rel.qualifiers else {}
    return {
        "predicate": rel.predicate,
        "statement": statement_id(rel),
        "status": rel.best_status(),
        "sources": [e.source or e.name or "" for e in rel.evidence],
        "qualifiers": q,
        "quantities": [qt.model_dump(exclude_none=True) for qt in rel.quantities],
    }


def to_networkx(ds: Dataset) -> nx.MultiDiGraph:
    """A ``MultiDiGraph``: node = entity id, edge key = predicate; negated relations left out."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for eid in sorted(ds.entities):
        ent = ds.entities[eid]
        g.add_node(
            eid, label=ent.label, type=ent.type, synonyms=list(ent.synonyms), xrefs=list(ent.xrefs)
        )
    for i, rel in enumerate(ds.relations):
        if rel.negated:
            continue
        key = rel.predicate
        # the same pair may be related by one predicate under several qualifier contexts
        n = 1
        while g.has_edge(rel.subject, rel.object, key):
            n += 1
            key = f"{rel.predicate}#{n}"
        g.add_edge(rel.subject, rel.object, key=key, **edge_data(ds, i))
    return g


def network_to_json(g: nx.MultiDiGraph) -> dict[str, Any]:
    """A JSON-ready form of :func:`to_networkx` output (stored in the build cache)."""
    return {
        "nodes": [[n, d] for n, d in g.nodes(data=True)],
        "edges": [[s, o, k, d] for s, o, k, d in g.edges(keys=True, data=True)],
    }


def network_from_json(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Rebuild the graph of :func:`network_to_json` (no pydantic, no rdflib involved)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from((n, d) for n, d in data["nodes"])
    g.add_edges_from((s, o, k, d) for s, o, k, d in data["edges"])
    return g
