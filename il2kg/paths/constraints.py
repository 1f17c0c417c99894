"""Names and vocabulary -> search arguments: what :class:`~il2kg.kg.KnowledgeGraph` and the CLI call.

Entity names go through the one :class:`~il2kg.paths.resolve.Resolver`; predicates bring their
sub-predicates; classes are checked against the ontology. Unknown names raise
:class:`~il2kg.errors.UnknownEntityError`; unknown predicates, classes and qualifier keys
:class:`~il2kg.errors.Il2kgError` (exit 1, as a name that is not in the graph).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from il2kg.errors import Il2kgError, PathNotFound
from il2kg.paths.defaults import QUALIFIER_KEYS, SIGNS
from il2kg.paths.neighbors import neighbors
from il2kg.paths.network import CONTEXT
from il2kg.paths.results import Hop, Neighbor, Path, PathResult, net_effect
from il2kg.paths.search import expand_predicates, parse_metapath, search_paths

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.dataset.ontology import Vocabulary
    from il2kg.paths.network import PathGraph
    from il2kg.paths.resolve import Resolver

_ENTITY_QUALIFIERS = ("cell_type", "regimen")


def check_classes(names: Collection[str], vocabulary: Vocabulary) -> None:
    """Raise :class:`~il2kg.errors.Il2kgError` naming classes the ontology does not declare."""
    import difflib

    known = sorted(vocabulary.entity_classes or vocabulary.ancestors)
    for name in names:
        if name not in vocabulary.ancestors:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise Il2kgError(f"unknown class '{name}'{hint}")


def query_paths(
    graph: nx.MultiDiGraph,
    vocabulary: Vocabulary,
    resolver: Resolver,
    source: str,
    target: str,
    *,
    predicates: Collection[str] = (),
    exclude_predicates: Collection[str] = (),
    via: Sequence[str] = (),
    avoid: Collection[str] = (),
    metapath: str | Sequence[str] | None = None,
    qualifiers: Mapping[str, str] | None = None,
    sign: str | None = None,
    **options: Any,
) -> PathResult:
    """:func:`search_paths` with names instead of ids, checked against the ontology.

    Every hop is annotated with its sign (the predicate's effect in the ontology), whether it
    is a summary and its mechanism, and its evidence records; every path with its net effect.
    ``sign`` (``positive`` or ``negative``) keeps only paths of that net effect, searching
    further until ``k`` of them are found or the search is exhausted.

    Entities (``source``, ``target``, ``via``, ``avoid`` and the ``cell_type``/``regimen``
    qualifier values) go through the resolver; predicates bring their sub-predicates; metapath
    classes match by subclass; inverse predicates come from the ontology. Raises
    :class:`~il2kg.errors.UnknownEntityError` for names and :class:`~il2kg.errors.Il2kgError`
    for unknown predicates, classes or qualifier keys.
    """
    parents = {p: info.parents for p, info in vocabulary.predicates.items()} | {CONTEXT: ()}
    inverses = {p: info.inverse for p, info in vocabulary.predicates.items() if info.inverse}
    quals: dict[str, str] = {}
    for key, value in (qualifiers or {}).items():
        if key not in QUALIFIER_KEYS:
            raise Il2kgError(f"unknown qualifier '{key}' (known: {', '.join(QUALIFIER_KEYS)})")
        quals[key] = resolver.resolve(value) if key in _ENTITY_QUALIFIERS else value
    mp = parse_metapath(metapath) if metapath is not None else None
    if mp is not None:
        check_classes(mp, vocabulary)
    if sign is not None and sign not in SIGNS:
        raise Il2kgError(f"unknown sign '{sign}' (choose from {', '.join(SIGNS)})")
    effects = {p: info.effect for p, info in vocabulary.predicates.items()}

    def run(k: int) -> PathResult:
        found = search_paths(
            graph,
            resolver.resolve(source),
            resolver.resolve(target),
            predicates=expand_predicates(predicates, parents, inverses) if predicates else None,
            exclude_predicates=expand_predicates(exclude_predicates, parents, inverses),
            via=[resolver.resolve(v) for v in via],
            avoid=[resolver.resolve(a) for a in avoid],
            metapath=mp,
            ancestors=vocabulary.ancestors,
            inverses=inverses,
            qualifiers=quals,
            **(options | {"k": k}),
        )
        return replace(found, paths=tuple(signed(p, graph, effects) for p in found.paths))

    k = int(options.get("k", 1))
    result = run(k)
    if sign is None:
        return result
    wanted = k
    while True:
        kept = tuple(p for p in result.paths if p.effect == sign)
        exhausted = (
            len(result.paths) < k or result.truncated is not None or options.get("all_paths")
        )
        if len(kept) >= wanted or exhausted:
            if not kept:
                found = sorted({p.effect for p in result.paths})
                raise PathNotFound(
                    f"no path from {source} to {target} has the net effect {sign} "
                    f"(the paths found are {', '.join(found)})"
                )
            return replace(result, paths=kept[:wanted] if not options.get("all_paths") else kept)
        k *= 4
        result = run(k)


def signed(path: Path, graph: nx.MultiDiGraph | PathGraph, effects: Mapping[str, str]) -> Path:
    """``path`` with each hop's sign, mechanism and evidence, and the path's net effect."""
    hops = []
    for hop in path.hops:
        data = _edge(graph, hop)
        effect = effects.get(hop.relation, "none")
        if hop.direction == "reverse" and effect != "none":
            effect = "reversed"
        hops.append(
            replace(
                hop,
                effect=effect,
                direct=data.get("direct", True) is not False,
                via=tuple(data.get("via", ())),
                evidence=tuple(data.get("evidence", ())),
            )
        )
    return replace(path, hops=tuple(hops), effect=net_effect([h.effect for h in hops]))


def _edge(graph: nx.MultiDiGraph | PathGraph, hop: Hop) -> Mapping[str, Any]:
    """The edge data of the relation a hop walks (found by its statement id)."""
    for data in graph._succ.get(hop.subject, {}).get(hop.object, {}).values():
        if data.get("statement") == hop.statement and data.get("predicate") == hop.relation:
            return data
    return {}


def query_neighbors(
    graph: nx.MultiDiGraph,
    vocabulary: Vocabulary,
    resolver: Resolver,
    name: str,
    *,
    depth: int = 1,
    predicates: Collection[str] = (),
    types: Collection[str] = (),
    directed: bool = False,
) -> tuple[str, list[Neighbor]]:
    """:func:`neighbors` of an entity given by name; returns its id and its neighbours.

    Raises :class:`~il2kg.errors.UnknownEntityError` for the name and
    :class:`~il2kg.errors.Il2kgError` for unknown predicates or classes.
    """
    parents = {p: info.parents for p, info in vocabulary.predicates.items()} | {CONTEXT: ()}
    inverses = {p: info.inverse for p, info in vocabulary.predicates.items() if info.inverse}
    check_classes(types, vocabulary)
    eid = resolver.resolve(name)
    found = neighbors(
        graph,
        eid,
        depth=depth,
        predicates=expand_predicates(predicates, parents, inverses) if predicates else None,
        types=types,
        ancestors=vocabulary.ancestors,
        directed=directed,
        inverses=inverses,
    )
    return eid, found
