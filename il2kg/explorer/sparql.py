"""SPARQL inside the page: Oxigraph's WebAssembly build, the graph and the named questions.

The npm package ``oxigraph`` (pinned in ``il2kg/explorer/vendor/package.json``, installed there
by ``.ci/run`` and packed into the wheel) is inlined when the page is built: its JavaScript glue
turned into a classic script and its WebAssembly module gzipped and base64-encoded, beside the
graph's N-Triples (gzipped too). The page unpacks both with the browser's own
``DecompressionStream`` on the first query. Without the package the page is built without SPARQL
(:func:`oxigraph_assets` returns ``None``).

Named questions travel with their prefixes declared and their parameters' defaults bound by a
``VALUES`` block opening their ``WHERE`` group (as for a remote endpoint,
:func:`il2kg.query.remote.inject_values`) - what ``il2kg query NAME`` binds through pyoxigraph's
substitutions.
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import re
from pathlib import Path
from typing import Any, Final

VENDOR: Final = Path(__file__).resolve().parent / "vendor"
OXIGRAPH: Final = VENDOR / "node_modules" / "oxigraph"
#: The licence the page states for the inlined engine (from its package.json and README).
OXIGRAPH_LICENCE: Final = (
    "Oxigraph (https://github.com/oxigraph/oxigraph), (c) the Oxigraph contributors, "
    "dual-licensed under the Apache License 2.0 or the MIT licence, at your option"
)


def oxigraph_version() -> str | None:
    """The version of the installed npm package, or ``None`` when it is not installed."""
    try:
        meta = json.loads((OXIGRAPH / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = meta.get("version")
    return str(version) if version else None


def classic_script(module_text: str) -> str:
    """wasm-bindgen's ES module as a classic script defining ``il2kgOxigraph``
    (``{init, Store, namedNode}``): ``export`` dropped, the default wasm URL (``import.meta``) removed."""
    text = re.sub(r"^export \{[^}]*\};?\s*$", "", module_text, flags=re.M)
    text = re.sub(r"^export (class|function|const|let|async function) ", r"\1 ", text, flags=re.M)
    text = text.replace("new URL('web_bg.wasm', import.meta.url)", "undefined")
    if re.search(r"^\s*(export|import)\b|import\.meta", text, flags=re.M):
        raise ValueError("the oxigraph module has an export or import this script cannot hold")
    return (
        "var il2kgOxigraph = (function () {\n"
        + text
        + "\nreturn { init: __wbg_init, Store: Store, namedNode: namedNode };\n})();\n"
    )


@functools.cache
def oxigraph_assets() -> tuple[str, str, str] | None:
    """(glue script, base64 of the gzipped wasm, version), or ``None`` without the package."""
    version = oxigraph_version()
    if version is None:
        return None
    glue = classic_script((OXIGRAPH / "web.js").read_text(encoding="utf-8"))
    wasm = (OXIGRAPH / "web_bg.wasm").read_bytes()
    packed = base64.b64encode(gzip.compress(wasm, 9, mtime=0)).decode("ascii")
    return glue, packed, version


def packed(ntriples: bytes) -> str:
    """N-Triples, gzipped and base64-encoded."""
    return base64.b64encode(gzip.compress(ntriples, 6, mtime=0)).decode("ascii")


def graphs(ntriples: bytes) -> dict[str, Any]:
    """What the page loads, as ``il2kg query`` does: the data as the default graph, the ontology
    as the named graph ``<https://w3id.org/il2kg/ontology>``."""
    from il2kg.query.stores import ONTOLOGY_GRAPH, ontology_ntriples

    return {
        "prefixes": predeclared(),
        "graph": packed(ntriples),
        "ontology": packed(ontology_ntriples()),
        "ontologyGraph": ONTOLOGY_GRAPH,
    }


def predeclared() -> dict[str, str]:
    """The prefixes a query may use undeclared, as on the command line."""
    from il2kg.query.gate import PREDECLARED

    return dict(PREDECLARED)


def named_questions(resolve: Any) -> list[dict[str, Any]]:
    """Every named question: name, question, and the text the page runs (prefixes declared,
    parameters bound to their defaults)."""
    from il2kg.query.catalogue import named_queries
    from il2kg.query.gate import check_query
    from il2kg.query.params import bind_params
    from il2kg.query.remote import inject_values

    out = []
    for name, nq in sorted(named_queries().items()):
        checked = check_query(nq.text)
        bindings = bind_params(checked, {}, nq.params, resolve)
        text = (
            inject_values(checked.with_prologue(), bindings)
            if bindings
            else checked.with_prologue()
        )
        out.append({"name": name, "question": nq.question, "text": text})
    return out
