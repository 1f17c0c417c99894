"""The knowledge graph -> one self-contained, interactive HTML page (the explorer).

pyvis 0.3.2 (pinned, unmaintained) is used narrowly: its ``Network`` collects the vis-network
node and edge objects and the options, and its package ships the vis-network 9.1.2 bundle that
is inlined here. pyvis's own template is not used: it loads bootstrap and vis-network from CDNs,
inserts ``heading`` and node ids raw and switches tooltips to ``innerHTML``. il2kg renders its
own template (``il2kg/templates/explorer.*``) in which every datum travels as JSON inside a
``<script type="application/json">`` block and the page builds its side panel with DOM APIs
(``textContent``), so a label such as ``<img src=x onerror=alert(1)>`` is shown as text.

The page makes no request to any host when opened: vis-network, the styles and the data are all
inline, and links (to identifier resolvers of the pinned prefix map) are only followed on click.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg._version import __version__
from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.errors import Il2kgError, OutputError, QueryError, UnknownEntityError
from il2kg.namespaces import expand

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

#: Above this many nodes (or :data:`EDGE_LIMIT` edges) the page still works but warns: the
#: layout takes longer than a few seconds to settle; ``--focus`` shows a neighbourhood instead.
NODE_LIMIT: Final = 2000
EDGE_LIMIT: Final = 6000
#: Edge labels (the predicate) are drawn only up to this many edges; above, colour and the side
#: panel tell the predicate.
EDGE_LABEL_LIMIT: Final = 80

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
_VIS_VERSION: Final = "9.1.2"

#: (ancestor class, vis-network shape), the first ancestor that matches wins.
_SHAPES: Final[list[tuple[str, str]]] = [
    ("ProteinComplex", "hexagon"),
    ("MolecularEntity", "dot"),
    ("SignalingPathway", "triangleDown"),
    ("BiologicalProcess", "triangleDown"),
    ("MolecularFunction", "triangleDown"),
    ("CellType", "triangle"),
    ("Disease", "diamond"),
    ("AdverseEvent", "diamond"),
    ("Intervention", "square"),
    ("ClinicalTrial", "star"),
    ("TimelineEvent", "star"),
]

_COLOURS: Final[dict[str, str]] = {
    "Cytokine": "#e6550d",
    "ReceptorChain": "#3182bd",
    "Kinase": "#31a354",
    "TranscriptionFactor": "#756bb1",
    "STAT": "#9467bd",
    "Adaptor": "#74c476",
    "Phosphatase": "#8ca252",
    "SignalingProtein": "#6baed6",
    "SignalingInhibitor": "#fd8d3c",
    "GeneOrProtein": "#9ecae1",
    "MolecularEntity": "#a6a6a6",
    "ProteinComplex": "#2b5c8a",
    "ReceptorComplex": "#08519c",
    "SignalingPathway": "#8c6d31",
    "BiologicalProcess": "#bd9e39",
    "MolecularFunction": "#e7ba52",
    "CellType": "#d62728",
    "Disease": "#843c39",
    "GeneticDisease": "#ad494a",
    "AdverseEvent": "#e7969c",
    "Drug": "#7b4173",
    "SmallMolecule": "#a55194",
    "Biologic": "#ce6dbd",
    "RecombinantCytokine": "#c51b8a",
    "EngineeredCytokine": "#dd3497",
    "Immunocytokine": "#f768a1",
    "Antibody": "#ae017e",
    "FusionToxin": "#7a0177",
    "Vaccine": "#fa9fb5",
    "CellTherapy": "#e377c2",
    "TherapyRegimen": "#17becf",
    "Combination": "#0e8c99",
    "ClinicalTrial": "#393b79",
    "TimelineEvent": "#636363",
}
_FALLBACK: Final = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]

#: Edge colours (tab20-like), assigned by the predicate's rank in the ontology's sorted list.
_EDGE_COLOURS: Final = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#a0a0a0", "#dbdb8d", "#9edae5",
]  # fmt: skip

_STATUS_TEXT: Final = {
    "verified": "verified",
    "expert_knowledge": "expert knowledge",
    "unverified": "unverified",
}
_HTTP_RE: Final = re.compile(r"https?://[^\s<>\"'`]+")


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


@dataclass(frozen=True)
class Explorer:
    """A rendered explorer page and what it shows."""

    html: str
    nodes: int
    edges: int
    title: str
    warnings: tuple[str, ...] = field(default=())


# -- choosing what to show ----------------------------------------------------------------------


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


# -- rendering -----------------------------------------------------------------------------------


def json_for_script(data: Any) -> str:
    """JSON safe to embed in an HTML ``<script>`` block.

    ``<``, ``>`` and ``&`` (so ``</script>`` and ``<!--`` cannot occur) and U+2028/U+2029 are
    written as ``\\uXXXX`` escapes, which JSON.parse reads back unchanged.

    >>> json_for_script({"label": "</script><b>&"})
    '{"label":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def resolver_url(curie: str) -> str | None:
    """The http(s) address of a CURIE through the pinned prefix map, or ``None``.

    >>> resolver_url("PMID:21889323")
    'https://identifiers.org/pubmed:21889323'
    >>> resolver_url("javascript:alert(1)") is None
    True
    """
    try:
        url = expand(curie)
    except ValueError:
        return None
    return url if _HTTP_RE.fullmatch(url) else None


def _safe_url(url: str | None) -> str | None:
    return url if url is not None and _HTTP_RE.fullmatch(url) else None


def kind_style(cls: str, vocab: Vocabulary) -> tuple[str, str]:
    """(colour, vis-network shape) of an entity class."""
    ancestors = vocab.ancestors.get(cls, frozenset({cls}))
    shape = next((s for a, s in _SHAPES if a in ancestors), "dot")
    colour = _COLOURS.get(cls)
    if colour is None:
        colour = next((_COLOURS[a] for a in sorted(ancestors) if a in _COLOURS), None)
    if colour is None:
        digest = hashlib.sha256(cls.encode()).digest()[0]
        colour = _FALLBACK[digest % len(_FALLBACK)]
    return colour, shape


def _predicate_colours(ds: Dataset, view: View) -> dict[str, str]:
    """A colour for each predicate of the view (distinct up to 20 predicates)."""
    present = sorted({ds.relations[i].predicate for i in view.relations})
    return {p: _EDGE_COLOURS[i % len(_EDGE_COLOURS)] for i, p in enumerate(present)}


def _quantity_text(q: Any) -> str:
    comp = "" if q.comparator == "=" else f"{q.comparator} "
    text = f"{q.kind.replace('_', ' ')}: {comp}{q.value:g} {q.unit}"
    return f"{text} ({q.note})" if q.note else text


def _entity_json(ds: Dataset, vocab: Vocabulary, eid: str) -> dict[str, Any]:
    e = ds.entities[eid]
    facts = [
        (name, value)
        for name, value in (
            ("date", e.date),
            ("event type", e.event_type.replace("_", " ") if e.event_type else None),
            ("trial phase", e.trial_phase),
            ("route", e.route),
            ("dose", e.dose),
        )
        if value
    ]
    return {
        "label": e.label,
        "type": e.type,
        "typeLabel": vocab.class_labels.get(e.type, e.type),
        "ids": [{"curie": c, "href": resolver_url(c)} for c in (e.id, *e.xrefs)],
        "synonyms": list(e.synonyms),
        "description": e.description,
        "facts": facts,
    }


def _relation_json(ds: Dataset, vocab: Vocabulary, i: int) -> dict[str, Any]:
    r = ds.relations[i]
    info = vocab.predicates.get(r.predicate)
    quals: list[dict[str, Any]] = []
    if r.qualifiers is not None:
        q = r.qualifiers
        for name, value, is_ref in (
            ("cell type", q.cell_type, True),
            ("species", q.species, True),
            ("regimen", q.regimen, True),
            ("route", q.route, False),
            ("disease stage", q.disease_stage, False),
            ("population", q.population, False),
        ):
            if value is None:
                continue
            item: dict[str, Any] = {"name": name, "text": value}
            if is_ref:
                if value in ds.entities:
                    item["entity"] = value
                    item["text"] = f"{ds.entities[value].label} ({value})"
                item["href"] = resolver_url(value)
            quals.append(item)
    return {
        "subject": r.subject,
        "predicate": r.predicate,
        "predicateLabel": info.label if info else r.predicate,
        "definition": info.definition if info else "",
        "object": r.object,
        "negated": r.negated,
        "status": _STATUS_TEXT[r.best_status()],
        "statement": statement_id(r),
        "qualifiers": quals,
        "quantities": [_quantity_text(q) for q in r.quantities],
        "evidence": [
            {
                "source": ev.source,
                "href": resolver_url(ev.source) if ev.source else None,
                "name": ev.name,
                "url": _safe_url(ev.url),
                "status": _STATUS_TEXT[ev.status],
                "note": ev.note,
                "quote": ev.quote,
            }
            for ev in r.evidence
        ],
        "comment": r.comment,
    }


def _options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    iterations = 1000 if n_nodes <= 100 else 400 if n_nodes <= 400 else 150
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 100},
        "nodes": {
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {"size": 16, "face": "system-ui, sans-serif", "strokeWidth": 3},
            "scaling": {"label": {"enabled": False, "drawThreshold": 4}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
            "font": {"size": 10, "align": "middle", "color": "#444", "strokeWidth": 3},
            "selectionWidth": 2,
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -120,
                "centralGravity": 0.01,
                "springLength": 150,
                "springConstant": 0.08,
                "avoidOverlap": 0.3,
            },
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 250,
            "hideEdgesOnDrag": n_edges > 1500,
            "hideEdgesOnZoom": n_edges > 3000,
            "multiselect": False,
        },
    }


def _network(
    ds: Dataset, vocab: Vocabulary, view: View
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The vis-network nodes, edges and options, collected with pyvis."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    n_nodes, n_edges = len(view.nodes), len(view.relations)
    net.set_options(json.dumps(_options(n_nodes, n_edges)))
    degree: dict[str, int] = dict.fromkeys(view.nodes, 0)
    for i in view.relations:
        r = ds.relations[i]
        degree[r.subject] += 1
        degree[r.object] += 1
    for eid in sorted(view.nodes):
        e = ds.entities[eid]
        colour, shape = kind_style(e.type, vocab)
        hl = eid in view.highlight_nodes
        net.add_node(
            eid,
            label=e.label if len(e.label) <= 40 else e.label[:38].rstrip() + "…",
            shape=shape,
            color={
                "background": colour,
                "border": "#222222" if hl else colour,
                "highlight": {"background": colour, "border": "#000000"},
                "hover": {"background": colour, "border": "#000000"},
            },
            borderWidth=4 if hl else 1,
            size=12 + min(18, 2 * degree[eid]) ** 0.9 + (6 if hl else 0),
            title=f"{e.label}\n{eid} · {vocab.class_labels.get(e.type, e.type)}",
            kind=e.type,
        )
    pcolour = _predicate_colours(ds, view)
    labels = n_edges <= EDGE_LABEL_LIMIT
    parallel: dict[tuple[str, str], int] = {}
    for i in view.relations:
        r = ds.relations[i]
        info = vocab.predicates.get(r.predicate)
        plabel = info.label if info else r.predicate
        pair = (min(r.subject, r.object), max(r.subject, r.object))
        k = parallel.get(pair, 0)
        parallel[pair] = k + 1
        hl = i in view.highlight_relations
        colour = pcolour.get(r.predicate, "#888888")
        edge: dict[str, Any] = {
            "id": statement_id(r),
            "predicate": r.predicate,
            "title": f"{ds.entities[r.subject].label} {plabel} {ds.entities[r.object].label}",
            "color": {"color": colour, "highlight": colour, "hover": colour},
            "width": 4 if hl else 1.5,
            "dashes": r.best_status() == "unverified",
        }
        if labels:
            edge["label"] = plabel
        if k:
            edge["smooth"] = {
                "enabled": True,
                "type": "curvedCW" if k % 2 else "curvedCCW",
                "roundness": 0.2 * ((k + 1) // 2),
            }
        net.add_edge(r.subject, r.object, **edge)
    nodes, edges, _heading, _h, _w, options = net.get_network_data()
    return nodes, edges, json.loads(options)


def _asset(path: Path, closing: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"cannot read {path}: {exc} (is pyvis {_VIS_VERSION} installed?)"
        ) from exc
    if closing in text.lower():
        raise OutputError(f"{path} contains '{closing}' and cannot be inlined")
    return text


def _csp_hash(script: str) -> str:
    """The Content-Security-Policy source expression allowing exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def vis_assets() -> tuple[str, str]:
    """The vis-network JavaScript and CSS bundled in the installed pyvis package."""
    import pyvis

    lib = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / f"vis-{_VIS_VERSION}"
    return (
        _asset(lib / "vis-network.min.js", "</script"),
        _asset(lib / "vis-network.css", "</style"),
    )


def render(ds: Dataset, vocab: Vocabulary, view: View, *, caption: str = "") -> Explorer:
    """Render ``view`` as a self-contained HTML page."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    nodes, edges, options = _network(ds, vocab, view)
    pcolour = _predicate_colours(ds, view)
    kinds: dict[str, int] = {}
    for n in view.nodes:
        t = ds.entities[n].type
        kinds[t] = kinds.get(t, 0) + 1
    preds: dict[str, int] = {}
    for i in view.relations:
        p = ds.relations[i].predicate
        preds[p] = preds.get(p, 0) + 1
    # relations described in the page: the drawn ones and the negated ones touching a node
    described = list(view.relations) + [
        i
        for i, r in enumerate(ds.relations)
        if r.negated and (r.subject in view.nodes or r.object in view.nodes)
    ]
    rel_json = {statement_id(ds.relations[i]): _relation_json(ds, vocab, i) for i in described}
    by_node: dict[str, list[str]] = {n: [] for n in sorted(view.nodes)}
    for sid, rj in rel_json.items():
        for end in (rj["subject"], rj["object"]):
            if end in by_node:
                by_node[end].append(sid)
    referenced = set(view.nodes)
    for rj in rel_json.values():
        referenced.update((rj["subject"], rj["object"]))
        referenced.update(q["entity"] for q in rj["qualifiers"] if "entity" in q)
    payload = {
        "meta": {
            "title": view.title,
            "description": view.description,
            "caption": caption,
            "version": __version__,
            "focus": view.focus,
            "nodeCount": len(nodes),
            "edgeCount": len(edges),
        },
        "kinds": [
            {
                "id": t,
                "label": vocab.class_labels.get(t, t),
                "definition": vocab.class_definitions.get(t, ""),
                "color": kind_style(t, vocab)[0],
                "shape": kind_style(t, vocab)[1],
                "count": c,
            }
            for t, c in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "predicates": [
            {
                "id": p,
                "label": vocab.predicates[p].label if p in vocab.predicates else p,
                "definition": vocab.predicates[p].definition if p in vocab.predicates else "",
                "color": pcolour.get(p, "#888888"),
                "count": c,
            }
            for p, c in sorted(preds.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "entities": {
            eid: _entity_json(ds, vocab, eid) for eid in sorted(referenced) if eid in ds.entities
        },
        "relations": rel_json,
        "nodeRelations": by_node,
        "highlight": {
            "nodes": sorted(view.highlight_nodes),
            "edges": sorted(statement_id(ds.relations[i]) for i in view.highlight_relations),
        },
        "nodes": nodes,
        "edges": edges,
        "options": options,
    }
    vis_js, vis_css = vis_assets()
    app_js = _asset(TEMPLATES / "explorer.js", "</script")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        keep_trailing_newline=True,
    )
    page = env.get_template("explorer.html").render(
        title=view.title,
        description=view.description,
        caption=caption,
        version=__version__,
        script_hashes=" ".join(_csp_hash(s) for s in (vis_js, app_js)),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        app_js=Markup(app_js),
        app_css=Markup(_asset(TEMPLATES / "explorer.css", "</style")),
        data=Markup(json_for_script(payload)),
    )
    warnings: list[str] = []
    if len(nodes) > NODE_LIMIT or len(edges) > EDGE_LIMIT:
        warnings.append(
            f"the page shows {len(nodes):,} nodes and {len(edges):,} edges (more than "
            f"{NODE_LIMIT:,} nodes or {EDGE_LIMIT:,} edges): it may take a while to settle; "
            "use --focus ENTITY --depth N, --type or --predicate to show less"
        )
    return Explorer(page, len(nodes), len(edges), view.title, tuple(warnings))


def caption_for(kg: KnowledgeGraph) -> str:
    """What data and version a page shows: il2kg version, data folder, counts and digest."""
    ds = kg.dataset
    digest = hashlib.sha256(kg.ntriples).hexdigest()[:12]
    n_rel = len(ds.relations)
    return (
        f"il2kg {__version__}; data '{kg.data_dir.name}' ({len(ds.entities):,} entities, "
        f"{n_rel:,} curated relations, N-Triples sha256 {digest})"
    )


def explorer(
    kg: KnowledgeGraph,
    *,
    focus: str | None = None,
    depth: int = 1,
    path: tuple[str, str] | None = None,
    types: Sequence[str] = (),
    predicates: Sequence[str] = (),
    query: str | None = None,
    max_paths: int = 10,
    max_length: int = 4,
    directed: bool = True,
) -> Explorer:
    """Build an explorer page of ``kg``: whole graph, a neighbourhood, paths or a query result.

    ``focus`` and the two ends of ``path`` may be CURIEs, labels or synonyms. ``query`` is the
    name of a shipped query or a path to a ``.rq`` file (CONSTRUCT or SELECT): the page shows
    the entities its result mentions and the relations among them.

    Raises :class:`~il2kg.errors.UnknownEntityError`, :class:`~il2kg.errors.PathNotFound`,
    :class:`~il2kg.errors.QueryError`, or ``ValueError`` for a bad option combination.
    """
    ds, vocab = kg.dataset, kg.vocabulary
    chosen = sum(x is not None for x in (focus, path, query))
    if chosen > 1:
        raise ValueError("choose one of focus, path and query")
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    notes: list[str] = []
    if focus is not None:
        view = focus_view(ds, kg.resolve(focus), depth)
    elif path is not None:
        view, truncated = _paths(kg, path, depth, max_paths, max_length, directed)
        if truncated:
            notes.append(f"the path search stopped early ({truncated}); some paths may be missing")
    elif query is not None:
        view = _query_view(kg, query)
    else:
        view = whole_view(ds)
    view = filter_view(view, ds, vocab, types, predicates)
    page = render(ds, vocab, view, caption=caption_for(kg))
    return replace(page, warnings=(*notes, *page.warnings))


def write_explorer(kg: KnowledgeGraph, output: str | Path, **kwargs: Any) -> Explorer:
    """Build the page (see :func:`explorer`) and write it to ``output`` atomically."""
    from il2kg.files import atomic_write

    page = explorer(kg, **kwargs)
    atomic_write(Path(output), page.html.encode("utf-8"))
    return page


# -- integration with the name resolver, the path finder and SPARQL ---------------------------


def _paths(
    kg: KnowledgeGraph,
    ends: tuple[str, str],
    context: int,
    max_paths: int,
    max_length: int,
    directed: bool,
) -> tuple[View, str | None]:
    result = kg.paths(ends[0], ends[1], k=max_paths, max_length=max_length, directed=directed)
    ds = kg.dataset
    index = {statement_id(r): i for i, r in enumerate(ds.relations)}
    paths = [[index[h.statement] for h in p.hops] for p in result.paths]
    source, target = result.paths[0].nodes[0], result.paths[0].nodes[-1]
    return paths_view(ds, source, target, paths, context), result.truncated


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


def _query_view(kg: KnowledgeGraph, query: str) -> View:
    """Run a named query or a ``.rq`` file and view the answer."""
    file = Path(query)
    if file.suffix == ".rq" or file.is_file():
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(f"cannot read the query file {query}: {exc.strerror or exc}") from exc
        results = kg.query(text)
        name = file.name
    else:
        results = kg.named_query(query)
        name = query
    return query_view(kg.dataset, results, name)
