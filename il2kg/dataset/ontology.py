"""The ontology as the validator and the rest of il2kg see it: classes and predicates.

Read from ``ontology/il2kg.ttl`` with rdflib once per build; the result is plain data that is
cached alongside the validated model, so commands that do not build never parse Turtle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from il2kg.namespaces import VOCAB


@dataclass(frozen=True)
class PredicateInfo:
    """A curated predicate: its label, definition, domain and range classes, and inverse."""

    name: str
    label: str
    definition: str
    domain: tuple[str, ...]
    range: tuple[str, ...]
    parents: tuple[str, ...] = ()
    inverse: str | None = None
    biolink: str | None = None
    #: The sign along a causal path: "positive", "negative" or "none".
    effect: str = "none"


#: Effect individuals of the ontology -> the sign they stand for.
EFFECTS = {"PositiveEffect": "positive", "NegativeEffect": "negative", "NoEffect": "none"}


@dataclass(frozen=True)
class Vocabulary:
    """Classes (with their ancestors) and curated predicates of the ontology."""

    ancestors: dict[str, frozenset[str]]
    class_labels: dict[str, str]
    class_definitions: dict[str, str]
    predicates: dict[str, PredicateInfo]
    entity_classes: frozenset[str] = field(default_factory=frozenset)
    class_biolink: dict[str, str] = field(default_factory=dict)
    #: The closed list of evidence types: ECO CURIE -> label.
    evidence_types: dict[str, str] = field(default_factory=dict)

    def is_a(self, cls: str, parent: str) -> bool:
        """True if ``cls`` is ``parent`` or one of its subclasses."""
        return parent in self.ancestors.get(cls, frozenset())

    def fits(self, cls: str, allowed: tuple[str, ...]) -> bool:
        """True if ``cls`` is a subclass of any of ``allowed``."""
        return any(self.is_a(cls, a) for a in allowed)

    def to_json(self) -> dict[str, Any]:
        return {
            "ancestors": {k: sorted(v) for k, v in sorted(self.ancestors.items())},
            "class_labels": self.class_labels,
            "class_definitions": self.class_definitions,
            "predicates": {
                k: {
                    "label": p.label,
                    "definition": p.definition,
                    "domain": list(p.domain),
                    "range": list(p.range),
                    "parents": list(p.parents),
                    "inverse": p.inverse,
                    "biolink": p.biolink,
                    "effect": p.effect,
                }
                for k, p in sorted(self.predicates.items())
            },
            "entity_classes": sorted(self.entity_classes),
            "class_biolink": self.class_biolink,
            "evidence_types": self.evidence_types,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Vocabulary:
        return cls(
            ancestors={k: frozenset(v) for k, v in d["ancestors"].items()},
            class_labels=d["class_labels"],
            class_definitions=d["class_definitions"],
            predicates={
                k: PredicateInfo(
                    k,
                    v["label"],
                    v["definition"],
                    tuple(v["domain"]),
                    tuple(v["range"]),
                    tuple(v["parents"]),
                    v["inverse"],
                    v["biolink"],
                    v.get("effect", "none"),
                )
                for k, v in d["predicates"].items()
            },
            entity_classes=frozenset(d["entity_classes"]),
            class_biolink=d["class_biolink"],
            evidence_types=d.get("evidence_types", {}),
        )


def _local(iri: object) -> str | None:
    s = str(iri)
    return s[len(VOCAB) :] if s.startswith(VOCAB) else None


def read_vocabulary(path: Path) -> Vocabulary:
    """Parse the ontology Turtle file into a :class:`Vocabulary` (memoised per file version)."""
    st = path.stat()
    return _read_vocabulary(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _read_vocabulary(path: str, mtime_ns: int, size: int) -> Vocabulary:
    from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
    from rdflib.collection import Collection

    g = Graph()
    g.parse(path, format="turtle")

    def classes_of(node: Any) -> tuple[str, ...]:
        name = _local(node)
        if name is not None:
            return (name,)
        union = g.value(node, OWL.unionOf)
        if union is None:
            return ()
        return tuple(n for n in (_local(m) for m in Collection(g, union)) if n)

    biolink_ns = "https://w3id.org/biolink/vocab/"

    def biolink_of(node: Any, *rels: URIRef) -> str | None:
        for rel in rels:
            for o in sorted(g.objects(node, rel), key=str):
                if str(o).startswith(biolink_ns):
                    return "biolink:" + str(o)[len(biolink_ns) :]
        return None

    parents: dict[str, set[str]] = {}
    class_biolink: dict[str, str] = {}
    labels: dict[str, str] = {}
    definitions: dict[str, str] = {}
    for c in g.subjects(RDF.type, OWL.Class):
        name = _local(c)
        if name is None:
            continue
        parents[name] = {p for p in (_local(o) for o in g.objects(c, RDFS.subClassOf)) if p}
        labels[name] = str(g.value(c, RDFS.label) or name)
        definitions[name] = str(g.value(c, SKOS.definition) or "")
        bl = biolink_of(c, SKOS.exactMatch, SKOS.closeMatch)
        if bl:
            class_biolink[name] = bl

    def closure(name: str) -> frozenset[str]:
        out, todo = {name}, [name]
        while todo:
            for p in parents.get(todo.pop(), ()):
                if p not in out:
                    out.add(p)
                    todo.append(p)
        return frozenset(out)

    ancestors = {name: closure(name) for name in parents}
    curated = URIRef(VOCAB + "curatedRelation")
    predicates: dict[str, PredicateInfo] = {}
    for p in g.subjects(RDFS.subPropertyOf, curated):
        name = _local(p)
        if name is None:
            continue
        inv = g.value(p, OWL.inverseOf)
        predicates[name] = PredicateInfo(
            name=name,
            label=str(g.value(p, RDFS.label) or name),
            definition=str(g.value(p, SKOS.definition) or ""),
            domain=classes_of(g.value(p, RDFS.domain)),
            range=classes_of(g.value(p, RDFS.range)),
            parents=tuple(
                sorted(n for n in (_local(o) for o in g.objects(p, RDFS.subPropertyOf)) if n)
            ),
            inverse=_local(inv) if inv is not None else None,
            biolink=biolink_of(p, SKOS.exactMatch),
            effect=EFFECTS.get(_local(g.value(p, URIRef(VOCAB + "effect"))) or "", "none"),
        )
    entity_classes = frozenset(n for n, a in ancestors.items() if "Entity" in a)
    from il2kg.namespaces import compress

    scheme = URIRef(VOCAB + "evidenceTypes")
    evidence_types = {
        compress(str(c)): str(g.value(c, RDFS.label) or "")
        for c in sorted(g.subjects(SKOS.inScheme, scheme), key=str)
    }
    return Vocabulary(
        ancestors, labels, definitions, predicates, entity_classes, class_biolink, evidence_types
    )
