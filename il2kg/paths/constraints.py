"""Names and vocabulary -> search arguments: what :class:`~il2kg.kg.KnowledgeGraph` and the CLI call.

Entity names go through the one :class:`~il2kg.paths.resolve.Resolver`; predicates bring their
sub-predicates; classes are checked against the ontology. Unknown names raise
:class:`~il2kg.errors.UnknownEntityError`; unknown predicates, classes and qualifier keys
:class:`~il2kg.errors.Il2kgError` (exit 1, as a name that is not in the graph).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from il2kg.errors import Il2kgError
from il2kg.paths.neighbors import neighbors
from il2kg.paths.results import Neighbor, PathResult
from il2kg.paths.search import expand_predicates, parse_metapath, search_paths

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.dataset.ontology import Vocabulary
    from il2kg.paths.resolve import Resolver

#: Qualifier keys a path search can filter on; the values of these are entity names.
QUALIFIER_KEYS: Final = ("cell_type", "species", "regimen", "route", "disease_stage", "population")
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
    **options: Any,
) -> PathResult:
    """:func:`search_paths` with names instead of ids, checked against the ontology.

    Entities (``source``, ``target``, ``via``, ``avoid`` and the ``cell_type``/``regimen``
    qualifier values) go through the resolver; predicates bring their sub-predicates; metapath
    classes match by subclass; inverse predicates come from the ontology. Raises
    :class:`~il2kg.errors.UnknownEntityError` for names and :class:`~il2kg.errors.Il2kgError`
    for unknown predicates, classes or qualifier keys.
    """
    parents = {p: info.parents for p, info in vocabulary.predicates.items()}
    inverses = {p: info.inverse for p, info in vocabulary.predicates.items() if info.inverse}
    quals: dict[str, str] = {}
    for key, value in (qualifiers or {}).items():
        if key not in QUALIFIER_KEYS:
            raise Il2kgError(f"unknown qualifier '{key}' (known: {', '.join(QUALIFIER_KEYS)})")
        quals[key] = resolver.resolve(value) if key in _ENTITY_QUALIFIERS else value
    mp = parse_metapath(metapath) if metapath is not None else None
    if mp is not None:
        check_classes(mp, vocabulary)
    return search_paths(
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
        **options,
    )


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
    parents = {p: info.parents for p, info in vocabulary.predicates.items()}
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
