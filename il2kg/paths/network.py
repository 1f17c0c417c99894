"""Validated dataset -> networkx graph of entities and curated relations.

Only entities are nodes and only curated, non-negated relations are edges (the predicate is
the edge key): no literals, classes or statement nodes that would make shortcuts. Evidence,
status and qualifiers ride on the edges so a path can show why each hop is believed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from il2kg.dataset.evidence import evidence_record
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
        "sources": [e.source for e in rel.evidence if e.supports],
        "evidence": [evidence_record(e, ds.references.get(e.source)) for e in rel.evidence],
        "direct": rel.direct,
        "via": list(rel.via),
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
        data = edge_data(ds, i)
        g.add_edge(rel.subject, rel.object, key=key, **data)
        cell = rel.qualifiers.cell_type if rel.qualifiers else None
        if cell is not None and cell not in (rel.subject, rel.object):
            # the claim is reachable from its cell type: a derived edge, same statement
            ckey, n = CONTEXT, 1
            while g.has_edge(rel.object, cell, ckey):
                n += 1
                ckey = f"{CONTEXT}#{n}"
            g.add_edge(
                rel.object, cell, key=ckey, **(data | {"predicate": CONTEXT, "derived": True})
            )
    return g


#: The predicate of the derived edges that link a claim's object to the cell type it holds in.
CONTEXT = "in_cell_type"


def without_summaries(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` without the summary (``direct: false``) relations: mechanism first."""
    h = g.copy()
    h.remove_edges_from(
        [(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if d.get("direct") is False]
    )
    return h


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
