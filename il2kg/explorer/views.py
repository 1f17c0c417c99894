"""What a page shows: the whole graph, a focus, paths, a query's answer, a filter (:class:`View`).

Views are chosen over the validated :class:`~il2kg.dataset.model.Dataset`; relations are indices
into ``Dataset.relations``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.errors import Il2kgError, QueryError, UnknownEntityError


@dataclass(frozen=True)
class View:
    """What a page shows: entities, the curated relations among them, and what to highlight.

    ``relations`` are indices into :attr:`Dataset.relations` (never negated ones); both ends of
    each are in ``nodes``.
    """

    nodes: frozenset[str]
    relations: tuple[int, ...]
    title: str
    description: str
    highlight_nodes: frozenset[str] = frozenset()
    highlight_relations: frozenset[int] = frozenset()
    keep: frozenset[str] = frozenset()  # nodes that filters must not remove (focus, path ends)
    focus: str | None = None


def _drawn(ds: Dataset) -> list[int]:
    return [i for i, r in enumerate(ds.relations) if not r.negated]


def _induced(ds: Dataset, nodes: frozenset[str]) -> tuple[int, ...]:
    return tuple(
        i
        for i in _drawn(ds)
        if ds.relations[i].subject in nodes and ds.relations[i].object in nodes
    )


def whole_view(ds: Dataset) -> View:
    """Every entity and every curated (non-negated) relation."""
    nodes = frozenset(ds.entities)
    return View(
        nodes,
        tuple(_drawn(ds)),
        "il2kg explorer",
        "the whole graph",
    )


def neighbourhood(ds: Dataset, centre: str, depth: int = 1) -> frozenset[str]:
    """The entities within ``depth`` hops of ``centre``, following relations both ways."""
    if centre not in ds.entities:
        raise UnknownEntityError(centre, [], ambiguous=False)
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    adj: dict[str, set[str]] = {}
    for i in _drawn(ds):
        r = ds.relations[i]
        adj.setdefault(r.subject, set()).add(r.object)
        adj.setdefault(r.object, set()).add(r.subject)
    seen = {centre}
    todo = deque([(centre, 0)])
    while todo:
        node, d = todo.popleft()
        if d == depth:
            continue
        for nb in adj.get(node, ()):
            if nb not in seen:
                seen.add(nb)
                todo.append((nb, d + 1))
    return frozenset(seen)


def focus_view(ds: Dataset, centre: str, depth: int = 1) -> View:
    """The neighbourhood of ``centre`` (an entity id) and every relation among its members."""
    nodes = neighbourhood(ds, centre, depth)
    label = ds.entities[centre].label
    hops = "hop" if depth == 1 else "hops"
    return View(
        nodes,
        _induced(ds, nodes),
        f"il2kg explorer: {label}",
        f"the neighbourhood of {label} ({centre}), {depth} {hops}",
        highlight_nodes=frozenset({centre}),
        keep=frozenset({centre}),
        focus=centre,
    )


def paths_view(
    ds: Dataset,
    source: str,
    target: str,
    paths: Sequence[Sequence[int]],
    context: int = 1,
) -> View:
    """Paths between two entities highlighted within their ``context``-hop neighbourhood.

    ``paths`` are sequences of relation indices (each a path from ``source`` to ``target``).
    """
    on_path_nodes = {source, target}
    on_path_rels: set[int] = set()
    for p in paths:
        for i in p:
            r = ds.relations[i]
            on_path_nodes.update((r.subject, r.object))
            on_path_rels.add(i)
    nodes: set[str] = set(on_path_nodes)
    if context > 0:
        for node in on_path_nodes:
            nodes |= neighbourhood(ds, node, context)
    frozen = frozenset(nodes)
    a, b = ds.entities[source].label, ds.entities[target].label
    n = len(paths)
    return View(
        frozen,
        _induced(ds, frozen),
        f"il2kg explorer: {a} to {b}",
        f"{n} path{'s' if n != 1 else ''} from {a} ({source}) to {b} ({target}), "
        f"with {context}-hop context",
        highlight_nodes=frozenset(on_path_nodes),
        highlight_relations=frozenset(on_path_rels),
        keep=frozenset({source, target}),
        focus=source,
    )


def subgraph_view(
    ds: Dataset,
    nodes: Iterable[str],
    relations: Iterable[int] | None = None,
    *,
    title: str = "il2kg explorer",
    description: str = "a subgraph",
) -> View:
    """The given entities with the given relations (default: every relation among them)."""
    node_set = frozenset(n for n in nodes if n in ds.entities)
    if relations is None:
        rels = _induced(ds, node_set)
    else:
        rels = tuple(
            sorted(
                i
                for i in set(relations)
                if not ds.relations[i].negated
                and ds.relations[i].subject in node_set
                and ds.relations[i].object in node_set
            )
        )
    return View(node_set, rels, title, description)


def filter_view(
    view: View,
    ds: Dataset,
    vocab: Vocabulary,
    types: Sequence[str] = (),
    predicates: Sequence[str] = (),
) -> View:
    """Keep only entities of ``types`` (or their subclasses) and relations of ``predicates``.

    With ``predicates``, entities left without any relation are dropped too (except the focus
    and path ends). Raises :class:`~il2kg.errors.Il2kgError` for a class or predicate the
    ontology does not know.
    """
    if not types and not predicates:
        return view
    unknown_t = [t for t in types if t not in vocab.entity_classes]
    if unknown_t:
        known = ", ".join(sorted(vocab.entity_classes))
        raise Il2kgError(f"unknown entity class {', '.join(unknown_t)} (known: {known})")
    unknown_p = [p for p in predicates if p not in vocab.predicates]
    if unknown_p:
        known = ", ".join(sorted(vocab.predicates))
        raise Il2kgError(f"unknown predicate {', '.join(unknown_p)} (known: {known})")
    nodes = set(view.nodes)
    if types:
        nodes = {
            n
            for n in nodes
            if n in view.keep or any(vocab.is_a(ds.entities[n].type, t) for t in types)
        }
    rels = [
        i
        for i in view.relations
        if ds.relations[i].subject in nodes and ds.relations[i].object in nodes
    ]
    if predicates:
        wanted = set(predicates)
        rels = [i for i in rels if ds.relations[i].predicate in wanted]
        touched = {n for i in rels for n in (ds.relations[i].subject, ds.relations[i].object)}
        nodes = {n for n in nodes if n in touched or n in view.keep}
    parts = []
    if types:
        parts.append("types " + ", ".join(types))
    if predicates:
        parts.append("predicates " + ", ".join(predicates))
    return replace(
        view,
        nodes=frozenset(nodes),
        relations=tuple(rels),
        description=f"{view.description}; only {' and '.join(parts)}",
        highlight_nodes=view.highlight_nodes & nodes,
        highlight_relations=view.highlight_relations & set(rels),
    )


def query_view(ds: Dataset, results: Any, name: str) -> View:
    """The entities a query answer mentions and the relations among them.

    ``results`` is an :class:`il2kg.query.results.Results`. A ``CONSTRUCT`` answer shows the
    curated relations among its triples (``s il2kg:<predicate> o``), or, if it has none, every
    relation among the entities it mentions; a ``SELECT`` answer shows every relation among the
    entities its rows mention. Statement IRIs bring their relation and both its ends.
    """
    from il2kg.namespaces import STATEMENT, VOCAB, compress

    by_statement = {STATEMENT + statement_id(r): i for i, r in enumerate(ds.relations)}
    by_triple = {(r.subject, r.predicate, r.object): i for i, r in enumerate(ds.relations)}
    nodes: set[str] = set()
    rels: set[int] = set()

    def see(term: Any) -> None:
        if term is None or term.kind != "uri":
            return
        if term.value in by_statement:
            i = by_statement[term.value]
            rels.add(i)
            nodes.update((ds.relations[i].subject, ds.relations[i].object))
            return
        curie = compress(term.value)
        if curie in ds.entities:
            nodes.add(curie)

    if results.form in ("CONSTRUCT", "DESCRIBE"):
        for s, p, o in results.triples:
            see(s)
            see(o)
            if p.kind == "uri" and p.value.startswith(VOCAB):
                key = (compress(s.value), p.value[len(VOCAB) :], compress(o.value))
                if key in by_triple:
                    rels.add(by_triple[key])
        chosen: Iterable[int] | None = rels or None
        form = "CONSTRUCT"
    elif results.form == "SELECT":
        for row in results.rows:
            for term in row:
                see(term)
        chosen = None
        form = "SELECT"
    else:
        raise QueryError(
            f"the query {name} is an {results.form} query: only SELECT and CONSTRUCT "
            "answers give a subgraph to show"
        )
    view = subgraph_view(
        ds,
        nodes,
        chosen,
        title=f"il2kg explorer: query {name}",
        description=f"the answer of the {form} query {name}",
    )
    return view
