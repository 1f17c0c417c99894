"""The HTML of ``il2kg serve`` for people: the query page.

The page (``templates/query.*``) is one document with its style and script inline and nothing
fetched from elsewhere: a Content-Security-Policy allows exactly its own inline script and style
(by hash) and connections to this server only. Its data (the named questions, the pinned
prefixes, the query of a permalink) travels as escaped JSON (:func:`json_for_script`), and the
script sets every value with ``textContent``. It asks this server for SPARQL JSON by ``fetch``
and renders the table itself, so the endpoint URL keeps answering SPARQL result formats to
clients and a browser never downloads a file by accident.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from il2kg._version import __version__
from il2kg.errors import Il2kgError
from il2kg.namespaces import ONTOLOGY_IRI, PREFIXES, VOCABULARIES
from il2kg.server.web import Response, html_page

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

TEMPLATES: Final = Path(__file__).resolve().parent / "templates"
#: The IRI base of everything the graph mints; its paths are served as they are (deref.py).
BASE: Final = "https://w3id.org/il2kg/"
EXAMPLE: Final = """SELECT ?cytokine ?label WHERE {
  ?cytokine a il2kg:Cytokine ; rdfs:label ?label .
}
ORDER BY ?label
LIMIT 20"""


def csp_source(text: str) -> str:
    """The Content-Security-Policy source expression allowing exactly this inline text."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def policy(scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> str:
    """A Content-Security-Policy: these inline scripts and styles, connections to this server."""
    script_src = " ".join(csp_source(s) for s in scripts) or "'none'"
    style_src = " ".join(csp_source(s) for s in styles) or "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; "
        "connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


@cache
def template(name: str) -> str:
    """A file of ``templates/``."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def fill(page: str, **values: str) -> str:
    """``page`` with each ``{{name}}`` replaced by its value (already escaped by the caller).

    One pass: a value is never searched for further ``{{...}}``.
    """
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m[1]], page)


def prefixes() -> dict[str, str]:
    """Every predeclared prefix (the pinned map), vocabularies first."""
    return {**VOCABULARIES, **PREFIXES}


def with_prologue(text: str) -> str:
    """``text`` with a ``PREFIX`` line for each pinned prefix it uses undeclared."""
    from il2kg.query.gate import check_query

    try:
        used = sorted(check_query(text).undeclared_prefixes)
    except Il2kgError:
        return text
    table = prefixes()
    return "".join(f"PREFIX {p}: <{table[p]}>\n" for p in used if p in table) + text


def _without_header(lines: list[str]) -> list[str]:
    """The lines of a named query after its comment header (shown beside it on the page)."""
    for i, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            return lines[i:]
    return []


def examples(kg: KnowledgeGraph) -> list[dict[str, Any]]:
    """The named questions, each with its text and its parameters bound to their defaults."""
    from il2kg.query.catalogue import named_queries
    from il2kg.query.gate import check_query
    from il2kg.query.params import bind_params
    from il2kg.query.remote import inject_values

    out = []
    for name, nq in sorted(named_queries().items()):
        text = nq.text
        try:
            bindings = bind_params(check_query(text), {}, nq.params, kg.resolve_iri)
            text = inject_values(text, bindings)
        except Il2kgError:  # a parameter without default: the text as it is
            pass
        params = [
            {"name": p.name, "type": p.type, "default": p.default or "", "help": p.help}
            for p in nq.params
        ]
        body = "\n".join(_without_header(text.splitlines()))
        text = f"# {nq.question}\n" + with_prologue(body)
        out.append(
            {"name": name, "question": nq.question, "notes": nq.notes, "params": params}
            | {"text": text}
        )
    return out


def query_page(
    examples: list[dict[str, Any]],
    *,
    query: str | None,
    caption: str,
    timeout: float,
) -> Response:
    """The query page; with ``query`` (a permalink) it shows and runs that query at once."""
    from il2kg.explorer.payload import json_for_script

    css, js = template("query.css"), template("query.js")
    text = query if query is not None else with_prologue(EXAMPLE)
    data = {
        "endpoint": "query",
        "base": BASE,
        "ontology": ONTOLOGY_IRI,
        "prefixes": prefixes(),
        "examples": examples,
        "autorun": query is not None,
    }
    page = fill(
        template("query.html"),
        version=escape(__version__),
        caption=escape(caption),
        timeout=f"{timeout:g}",
        query=escape(text),
        css=css,
        js=js,
        data=json_for_script(data),
    )
    return html_page(page, policy(scripts=(js,), styles=(css,)))


__all__ = ["BASE", "examples", "fill", "policy", "prefixes", "query_page", "template"]
