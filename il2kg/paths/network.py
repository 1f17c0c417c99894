"""Validated dataset -> graph of entities and curated relations, as networkx or as a PathGraph.

Only entities are nodes and only curated, non-negated relations are edges (the predicate is
the edge key): no literals, classes or statement nodes that would make shortcuts. Evidence,
status and qualifiers ride on the edges so a path can show why each hop is believed.

:class:`PathGraph` is the same graph without networkx: what ``KnowledgeGraph.path_graph`` reads
from the build cache and the searches walk (a read command need not import networkx for it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from il2kg.dataset.ids import statement_id

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.dataset.model import Dataset


def edge_data(ds: Dataset, i: int) -> dict[str, Any]:
    """The attributes of relation ``i`` as carried on its edge."""
    # here, not at the top: the evidence rules import the pydantic model, and a path search
    # on the cached graph should not pay for it
    from il2kg.dataset.evidence import evidence_record

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


def without_summaries(data: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`network_to_json` data without the summary (``direct: false``) relations: the
    mechanism first. Nodes and edge attributes are shared, not copied."""
    return {
        "nodes": data["nodes"],
        "edges": [e for e in data["edges"] if e[3].get("direct") is not False],
    }


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


#: node -> neighbour -> edge key -> edge attributes (networkx's own adjacency layout)
Adjacency = dict[str, dict[str, dict[str, dict[str, Any]]]]


class Nodes(dict[str, dict[str, Any]]):
    """Entity id -> attributes; also called as networkx's ``G.nodes(data=...)`` is."""

    def __call__(self, data: bool | str = False, default: Any = None) -> Iterator[Any]:
        if data is False:
            return iter(self)
        if data is True:
            return iter(self.items())
        return ((n, d.get(data, default)) for n, d in self.items())


class PathGraph:
    """A read-only multigraph of entities and relations, laid out as networkx lays out a
    ``MultiDiGraph`` (``_node``, ``_succ``, ``_pred``, in the same orders), without networkx.

    The searches of :mod:`il2kg.paths.search` take this or a ``MultiDiGraph`` and give the same
    answers on both; on a ``PathGraph`` they keep what they precompute (adjacency lists per walk
    mode, hub penalties) in :attr:`memo` between calls, so do not modify one.
    """

    __slots__ = ("_node", "_pred", "_succ", "memo")

    def __init__(self, node: Nodes, succ: Adjacency, pred: Adjacency) -> None:
        self._node, self._succ, self._pred = node, succ, pred
        #: what the searches cache between calls (see :mod:`il2kg.paths.search`)
        self.memo: dict[Any, Any] = {}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PathGraph:
        """The graph of :func:`network_to_json` data (what :func:`network_from_json` gives,
        with the same node, neighbour and key orders). The attribute dicts of ``data`` are used
        as they are, not copied."""
        node = Nodes()
        succ: Adjacency = {}
        pred: Adjacency = {}
        for n, d in data["nodes"]:
            if n not in node:
                succ[n], pred[n] = {}, {}
            node[n] = d
        for s, o, k, d in data["edges"]:
            if s not in node or o not in node:  # not in a cached network: as networkx does
                for n in (s, o):
                    if n not in node:
                        node[n], succ[n], pred[n] = {}, {}, {}
            nbrs = succ[s]
            keys = nbrs.get(o)
            if keys is None:
                nbrs[o] = pred[o][s] = {k: d}
            elif k in keys:
                keys[k].update(d)
            else:
                keys[k] = d
        return cls(node, succ, pred)

    @classmethod
    def from_networkx(cls, g: nx.MultiDiGraph) -> PathGraph:
        """A copy of a ``MultiDiGraph`` (same orders; edge attribute dicts shared)."""
        node = Nodes((n, dict(d)) for n, d in g._node.items())
        succ: Adjacency = {n: {} for n in g._succ}
        pred: Adjacency = {n: {} for n in g._pred}
        for u, nbrs in g._succ.items():
            for v, keys in nbrs.items():
                succ[u][v] = dict(keys)
        for v, nbrs in g._pred.items():
            for u in nbrs:
                pred[v][u] = succ[u][v]
        return cls(node, succ, pred)

    def to_networkx(self) -> nx.MultiDiGraph:
        """The same graph as a networkx ``MultiDiGraph`` (a new copy)."""
        import networkx as nx

        g = nx.MultiDiGraph()
        g.add_nodes_from((n, dict(d)) for n, d in self._node.items())
        g.add_edges_from(
            (u, v, k, dict(d))
            for u, nbrs in self._succ.items()
            for v, keys in nbrs.items()
            for k, d in keys.items()
        )
        return g

    @property
    def nodes(self) -> Nodes:
        """Entity id -> its attributes (``label``, ``type``, ``synonyms``, ``xrefs``)."""
        return self._node

    def __contains__(self, n: object) -> bool:
        return n in self._node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return sum(len(keys) for nbrs in self._succ.values() for keys in nbrs.values())

    def edges(self) -> Iterator[tuple[str, str, str, Mapping[str, Any]]]:
        """Every relation as ``(subject, object, key, attributes)``."""
        for u, nbrs in self._succ.items():
            for v, keys in nbrs.items():
                for k, d in keys.items():
                    yield u, v, k, d

    def degree(self, n: str) -> int:
        """Relations at ``n`` either way (a self-loop counts twice), as networkx counts them."""
        return sum(len(k) for k in self._succ[n].values()) + sum(
            len(k) for k in self._pred[n].values()
        )
