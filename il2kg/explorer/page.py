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

Why this module is a little over ~400 lines: rendering is one concern (pyvis network options,
the inlined assets and their CSP hashes, the Jinja page), kept together.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg._version import __version__
from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.errors import OutputError, QueryError
from il2kg.explorer.defaults import DEPTH, PATH_MAX_LENGTH, PATHS_SHOWN
from il2kg.explorer.payload import _entity_json, _relation_json, json_for_script
from il2kg.explorer.style import FAMILIES, _predicate_colours, kind_style
from il2kg.explorer.views import (
    View,
    filter_view,
    focus_view,
    paths_view,
    query_view,
    whole_view,
)
from il2kg.paths.defaults import DEFAULT_MAX_LENGTH, DEFAULT_MAX_PATHS

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

#: Above this many nodes (or :data:`EDGE_LIMIT` edges) the page still works but warns: it takes
#: more than a few seconds to open and each redraw is slow; ``--focus`` shows a neighbourhood.
NODE_LIMIT: Final = 5000
EDGE_LIMIT: Final = 20000
#: Hover effects (tooltips, hover colours) only up to this many nodes: each costs a redraw.
HOVER_LIMIT: Final = 2000
#: A graph of more than this many nodes or :data:`LARGE_EDGES` edges is drawn for speed while
#: the view moves: edges and labels are hidden during a drag or a zoom (and drawn again when it
#: stops), and the glyphs are drawn from mipmaps (pre-shrunk bitmaps) when zoomed out. Below
#: both, as the shipped graph, everything stays drawn.
LARGE_NODES: Final = 1000
LARGE_EDGES: Final = 1500
#: A large graph draws its arrow heads only from this zoom scale up: an arrow head is ~12 canvas
#: units long (1.8 screen pixels at 0.15), so below it the heads are specks that cost as much to
#: draw as the edges themselves (about 40 % of a still redraw at 2,000 nodes).
ARROWS_FROM_SCALE: Final = 0.15
#: A label is drawn only when its text is at least this many screen pixels high, so the whole
#: graph zoomed out shows the big hubs' names (their font grows with their degree) and no specks.
LABEL_THRESHOLD: Final = 7
#: Edge labels (the predicate) are drawn only up to this many edges; above, colour and the side
#: panel tell the predicate.
EDGE_LABEL_LIMIT: Final = 80

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
#: The page's own scripts, inlined in this order as one script.
_SCRIPTS: Final = ("search.js", "paths.js", "explorer.js")
_VIS_VERSION: Final = "9.1.2"


@dataclass(frozen=True)
class Explorer:
    """A rendered explorer page and what it shows."""

    html: str
    nodes: int
    edges: int
    title: str
    warnings: tuple[str, ...] = field(default=())

    #: The height of the inline frame of :meth:`_repr_html_`, in CSS pixels.
    frame_height: int = 640

    def __repr__(self) -> str:
        return f"<Explorer {self.title!r}: {self.nodes} nodes, {self.edges} edges>"

    def _repr_html_(self) -> str:
        """The page inline in a notebook: the whole self-contained page as the ``srcdoc`` of a
        sandboxed iframe (scripts run; no same-origin access to the notebook, no network)."""
        import html

        return (
            f'<iframe class="il2kg-explorer" title="{html.escape(self.title, quote=True)}" '
            f'sandbox="allow-scripts" style="width:100%;height:{int(self.frame_height)}px;'
            f'border:1px solid #ddd" srcdoc="{html.escape(self.html, quote=True)}"></iframe>'
        )


# -- choosing what to show ----------------------------------------------------------------------


def is_large(n_nodes: int, n_edges: int) -> bool:
    """Whether a graph is drawn for speed while moving (see :data:`LARGE_NODES`)."""
    return n_nodes > LARGE_NODES or n_edges > LARGE_EDGES


def drawing(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """What the page's own script changes in vis-network's drawing (which has no option for
    these): above the size of :func:`is_large`, ``hideLabelsWhileMoving`` and
    ``arrowsFromScale`` (:data:`ARROWS_FROM_SCALE`; 0 draws them at every scale)."""
    large = is_large(n_nodes, n_edges)
    return {"hideLabelsWhileMoving": large, "arrowsFromScale": ARROWS_FROM_SCALE if large else 0}


def vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options: positions come with the nodes (physics off), straight edges; a
    large graph (:func:`is_large`) hides its edges while moving and mipmaps its glyphs."""
    large = is_large(n_nodes, n_edges)
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": False},
        "nodes": {
            "shape": "image",
            "borderWidth": 0,
            "borderWidthSelected": 3,
            "color": {"border": "rgba(0,0,0,0)", "background": "rgba(0,0,0,0)",
                      "highlight": {"border": "#000000", "background": "rgba(0,0,0,0)"},
                      "hover": {"border": "#555555", "background": "rgba(0,0,0,0)"}},
            "shapeProperties": {"useBorderWithImage": True, "interpolation": large},
            "font": {"size": 16, "face": "system-ui, sans-serif", "strokeWidth": 3},
            "scaling": {"label": {"enabled": False, "drawThreshold": LABEL_THRESHOLD}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": False,
            "font": {"size": 10, "align": "middle", "color": "#444", "strokeWidth": 3},
            "selectionWidth": 2,
        },
        "physics": {"enabled": False},
        "interaction": {
            "hover": n_nodes <= HOVER_LIMIT,
            "tooltipDelay": 250,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": False,
            "keyboard": {"enabled": False},
        },
    }  # fmt: skip


def _network(
    ds: Dataset, vocab: Vocabulary, view: View
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The vis-network nodes (placed by :func:`~il2kg.explorer.layout.layout`), edges and
    options, collected with pyvis."""
    from pyvis.network import Network

    from il2kg.explorer.layout import layout

    net = Network(directed=True, cdn_resources="in_line")
    n_nodes, n_edges = len(view.nodes), len(view.relations)
    net.set_options(json.dumps(vis_options(n_nodes, n_edges)))
    degree: dict[str, int] = dict.fromkeys(view.nodes, 0)
    for i in view.relations:
        r = ds.relations[i]
        degree[r.subject] += 1
        degree[r.object] += 1
    ends = [(ds.relations[i].subject, ds.relations[i].object) for i in view.relations]
    where = layout(sorted(view.nodes), ends)
    for eid in sorted(view.nodes):
        e = ds.entities[eid]
        hl = eid in view.highlight_nodes
        d = degree[eid]
        net.add_node(
            eid,
            label=e.label if len(e.label) <= 40 else e.label[:38].rstrip() + "…",
            shape="image",
            x=where[eid][0],
            y=where[eid][1],
            size=round(10 + min(30, 2.5 * d**0.5) + (6 if hl else 0), 1),
            font={"size": round(14 + min(30, 2.5 * d**0.5))},
            title=f"{e.label}\n{eid} · {vocab.class_labels.get(e.type, e.type)}",
            kind=e.type,
            emph=hl,
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
            "dashes": r.best_status() == "unverified" or not r.direct,
        }
        effect = info.effect if info else "none"
        if effect == "negative":  # inhibition drawn as a flat bar head, as pathway maps do
            edge["arrows"] = {"to": {"enabled": True, "type": "bar", "scaleFactor": 0.6}}
        edge["title"] += {"positive": " (+)", "negative": " (−)"}.get(effect, "") + (
            "" if r.direct else " (summary)"
        )
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


def render(
    ds: Dataset,
    vocab: Vocabulary,
    view: View,
    *,
    caption: str = "",
    paths: tuple[str, str, int, int] | None = None,
    sparql: dict[str, Any] | None = None,
) -> Explorer:
    """Render ``view`` as a self-contained HTML page.

    ``paths`` (source, target, k, max_length): the page opens on the list of those paths.
    ``sparql`` (the packed graphs and the named questions, see
    :mod:`il2kg.explorer.sparql`): the page answers SPARQL, if the Oxigraph package is there."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    from il2kg.explorer.sparql import OXIGRAPH_LICENCE, oxigraph_assets
    from il2kg.namespaces import expand

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
            "paths": list(paths) if paths else None,
            "nodeCount": len(nodes),
            "edgeCount": len(edges),
        },
        "kinds": [_kind_json(t, c, vocab) for t, c in _legend_order(kinds, vocab)],
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
        "iris": {expand(n): n for n in sorted(view.nodes)},
        "search": _search_json(ds, view),
        "timeline": _timeline_json(ds, view),
        "paths": _paths_json(ds, vocab, view),
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "drawing": drawing(len(nodes), len(edges)),
    }
    engine = oxigraph_assets() if sparql is not None else None
    if engine is not None and sparql is not None:
        payload["sparql"] = dict(sparql, wasm=engine[1], version=engine[2])
    vis_js, vis_css = vis_assets()
    glue = engine[0] if engine is not None else "var il2kgOxigraph = null;\n"
    if "</script" in glue.lower():
        raise OutputError("the oxigraph script contains '</script' and cannot be inlined")
    scripts = [_asset(TEMPLATES / f, "</script") for f in _SCRIPTS]
    app_js = "".join(scripts[:-1]) + glue + scripts[-1]
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
        script_hashes=" ".join(_csp_hash(s) for s in (vis_js, app_js))
        + (" 'wasm-unsafe-eval'" if engine is not None else ""),
        engine_notice=(
            f"oxigraph {engine[2]} (npm, WebAssembly build), {OXIGRAPH_LICENCE}; inlined"
            if engine is not None
            else ""
        ),
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


def _paths_json(ds: Dataset, vocab: Vocabulary, view: View) -> dict[str, Any]:
    """What the page's path finder needs to rank as ``il2kg path`` does, over the drawn direct
    relations: each one's hop cost, the predicates walked backwards under their inverse's name,
    and each node's hub penalty (from its degree in the whole graph of direct relations).
    Costs travel as computed here, so the page adds the same floating-point numbers."""
    import math

    from il2kg.paths.defaults import HUB_WEIGHT
    from il2kg.paths.results import hop_cost

    degree: dict[str, int] = {}
    for r in ds.relations:
        if not r.negated and r.direct:
            degree[r.subject] = degree.get(r.subject, 0) + 1
            degree[r.object] = degree.get(r.object, 0) + 1
    edges = []
    for i in view.relations:
        r = ds.relations[i]
        if r.direct:
            n_sources = sum(1 for e in r.evidence if e.supports)
            cost = hop_cost(r.best_status(), n_sources)
            edges.append([statement_id(r), r.subject, r.predicate, r.object, cost])
    return {
        "edges": edges,
        "inverses": {p: info.inverse for p, info in vocab.predicates.items() if info.inverse},
        "hub": {n: HUB_WEIGHT * math.log2(1 + degree.get(n, 0)) for n in sorted(view.nodes)},
        "maxLength": DEFAULT_MAX_LENGTH,
        "maxPaths": DEFAULT_MAX_PATHS,
    }


def _timeline_json(ds: Dataset, view: View) -> list[dict[str, Any]]:
    """The dated entities of the view in date order, each with the drawn entities it concerns
    (the other ends of its relations)."""
    dated = sorted(
        (e for n in view.nodes if (e := ds.entities[n]).date),
        key=lambda e: (str(e.date), e.label, e.id),
    )
    ends: dict[str, set[str]] = {e.id: set() for e in dated}
    for i in view.relations:
        r = ds.relations[i]
        if r.subject in ends:
            ends[r.subject].add(r.object)
        if r.object in ends:
            ends[r.object].add(r.subject)
    return [{"id": e.id, "date": str(e.date), "concerns": sorted(ends[e.id])} for e in dated]


def _search_json(ds: Dataset, view: View) -> dict[str, Any]:
    """What the page's search needs to rank as ``il2kg search`` does: the resolver's index of
    the drawn entities' names (already folded and normalised in Python) and, for the text typed
    in, the two Unicode tables JavaScript lacks (case folding beyond lower-casing and Python's
    whitespace)."""
    from il2kg.paths.resolve import Resolver

    return {
        "names": [list(row) for row in Resolver(ds).names() if row[0] in view.nodes],
        **_unicode_tables(),
    }


@functools.cache
def _unicode_tables() -> dict[str, Any]:
    chars = [chr(c) for c in range(0x110000)]
    return {
        "casefold": {c: c.casefold() for c in chars if c.casefold() != c.lower()},
        "spaces": "".join(c for c in chars if c.isspace()),
    }


def _legend_order(kinds: dict[str, int], vocab: Vocabulary) -> list[tuple[str, int]]:
    """Kinds grouped by family (in the order of :data:`~il2kg.explorer.style.FAMILIES`), the
    most frequent first within a family."""
    families = [f for _, _, f in FAMILIES]

    def key(kv: tuple[str, int]) -> tuple[int, int, str]:
        fam = kind_style(kv[0], vocab).family
        return (families.index(fam) if fam in families else len(families), -kv[1], kv[0])

    return sorted(kinds.items(), key=key)


def _kind_json(t: str, count: int, vocab: Vocabulary) -> dict[str, Any]:
    st = kind_style(t, vocab)
    return {
        "id": t,
        "label": vocab.class_labels.get(t, t),
        "definition": vocab.class_definitions.get(t, ""),
        "family": st.family,
        "color": st.colour,
        "glyph": st.data_uri(),
        "glyphEmphasised": st.data_uri(emphasised=True),
        "count": count,
    }


def caption_for(kg: KnowledgeGraph) -> str:
    """What data and version a page shows: il2kg version, data folder, counts and digest."""
    ds = kg.dataset
    digest = kg.ntriples_digest()[:12]
    n_rel = len(ds.relations)
    return (
        f"il2kg {__version__}; data '{kg.data_dir.name}' ({len(ds.entities):,} entities, "
        f"{n_rel:,} curated relations, N-Triples sha256 {digest})"
    )


def explorer(
    kg: KnowledgeGraph,
    *,
    focus: str | None = None,
    depth: int = DEPTH,
    path: tuple[str, str] | None = None,
    types: Sequence[str] = (),
    predicates: Sequence[str] = (),
    query: str | None = None,
    max_paths: int = PATHS_SHOWN,
    max_length: int = PATH_MAX_LENGTH,
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
    listed: tuple[str, str, int, int] | None = None
    if focus is not None:
        view = focus_view(ds, kg.resolve(focus), depth)
    elif path is not None:
        view, truncated, ends = _paths(kg, path, depth, max_paths, max_length, directed)
        if truncated:
            notes.append(f"the path search stopped early ({truncated}); some paths may be missing")
        if directed:  # the page's own path finder walks relations as the CLI does by default
            listed = (*ends, max_paths, max_length)
    elif query is not None:
        view = _query_view(kg, query)
    else:
        view = whole_view(ds)
    view = filter_view(view, ds, vocab, types, predicates)
    from il2kg.explorer.sparql import graphs, named_questions

    sparql = {**graphs(kg.ntriples), "questions": named_questions(kg.resolve)}
    page = render(ds, vocab, view, caption=caption_for(kg), paths=listed, sparql=sparql)
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
) -> tuple[View, str | None, tuple[str, str]]:
    result = kg.paths(ends[0], ends[1], k=max_paths, max_length=max_length, directed=directed)
    ds = kg.dataset
    index = {statement_id(r): i for i, r in enumerate(ds.relations)}
    paths = [[index[h.statement] for h in p.hops] for p in result.paths]
    source, target = result.paths[0].nodes[0], result.paths[0].nodes[-1]
    return paths_view(ds, source, target, paths, context), result.truncated, (source, target)


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
