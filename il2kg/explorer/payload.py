"""The page's data: entities and relations as JSON (with evidence and links), escaped for a script."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from il2kg.dataset.evidence import citation_text
from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.dataset.pubtypes import PUB_TYPE_NAMES
from il2kg.explorer.style import _STATUS_TEXT
from il2kg.namespaces import expand

_HTTP_RE: Final = re.compile(r"https?://[^\s<>\"'`]+")


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
        "effect": info.effect if info else "none",
        "direct": r.direct,
        "via": list(r.via),
        "status": _STATUS_TEXT[r.best_status()],
        "statement": statement_id(r),
        "qualifiers": quals,
        "quantities": [_quantity_text(q) for q in r.quantities],
        "evidence": [
            {
                "source": ev.source,
                "href": resolver_url(ev.source) if not ev.source.startswith("http") else None,
                "name": citation_text(ev, ds.references.get(ev.source)),
                "type": PUB_TYPE_NAMES[ref.type] if (ref := ds.references.get(ev.source)) else None,
                "url": _safe_url(
                    ev.source if ev.source.startswith("http") else (ref.url if ref else None)
                ),
                "status": _STATUS_TEXT[ev.status] + ("" if ev.supports else " (refutes)"),
                "note": ev.note,
                "quote": ev.quote,
            }
            for ev in r.evidence
        ],
        "comment": r.comment,
    }
