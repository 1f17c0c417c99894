"""Counts and curation coverage of a dataset (the report of ``il2kg stats``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from il2kg.dataset.model import Dataset
    from il2kg.dataset.ontology import Vocabulary

#: Which identifier an entity of a class should have: class -> (accepted id/xref prefixes, what)
EXPECTED_IDS: dict[str, tuple[tuple[str, ...], str]] = {
    "GeneOrProtein": (("UniProtKB",), "a UniProtKB cross-reference"),
    "CellType": (("CL",), "a CL identifier"),
    "BiologicalProcess": (("GO",), "a GO identifier"),
    "MolecularFunction": (("GO",), "a GO identifier"),
    "Disease": (("MONDO", "DOID", "NCIT"), "a MONDO, DOID or NCIT identifier"),
    "AdverseEvent": (("HP",), "an HPO identifier"),
    "Drug": (("DrugBank", "CHEBI"), "a DrugBank or ChEBI identifier"),
    "ClinicalTrial": (("NCT",), "an NCT number"),
}

#: Curation targets of the knowledge base (the curation issue of December 2026).
TARGETS = {
    "entities": 400,
    "relations": 850,
    "timeline_events": 60,
    "primary_share": 0.90,
    "references": 300,
}
#: Ontology prefixes: a subtype_of between two such terms is an ontology axiom, not a finding.
ONTOLOGY_PREFIXES = frozenset({"CL", "GO", "MONDO", "HP", "DOID", "UBERON", "NCIT", "CHEBI"})


@dataclass
class Stats:
    """What ``il2kg stats`` reports."""

    entities: int
    relations: int
    negated: int
    files: int
    by_class: dict[str, int]
    by_predicate: dict[str, int]
    by_status: dict[str, int]
    evidence_items: int
    timeline_events: int
    missing_ids: dict[str, list[str]] = field(default_factory=dict)
    local_ids: int = 0
    #: evidence items by the publication type of the work they cite
    items_by_type: dict[str, int] = field(default_factory=dict)
    #: distinct works cited, and registry records by publication type
    references: int = 0
    references_by_type: dict[str, int] = field(default_factory=dict)
    #: relations whose supporting sources include a primary one / are reviews only / web or
    #: press only (ontology axioms between ontology terms counted apart in ``axioms``)
    with_primary: int = 0
    review_only: int = 0
    weak_only: int = 0
    axioms: int = 0
    summaries: int = 0
    refuted_items: int = 0
    non_human_items: int = 0

    @property
    def claims(self) -> int:
        """Relations that are findings (every relation but ontology axioms)."""
        return self.relations - self.axioms

    @property
    def primary_share(self) -> float:
        return self.with_primary / self.claims if self.claims else 0.0

    def share(self, n: int) -> float:
        return n / self.claims if self.claims else 0.0

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each curation target."""
        t = TARGETS
        return [
            (f">= {t['entities']} entities", str(self.entities), self.entities >= t["entities"]),
            (
                f">= {t['relations']} relations",
                str(self.relations),
                self.relations >= t["relations"],
            ),
            (
                f">= {t['timeline_events']} timeline events",
                str(self.timeline_events),
                self.timeline_events >= t["timeline_events"],
            ),
            (
                f">= {t['primary_share']:.0%} of relations cite a primary source (axioms apart)",
                f"{self.primary_share:.1%}",
                self.primary_share >= t["primary_share"],
            ),
            (
                f">= {t['references']} distinct references",
                str(self.references),
                self.references >= t["references"],
            ),
            (
                "0 relations resting only on web or press sources",
                str(self.weak_only),
                self.weak_only == 0,
            ),
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "relations": self.relations,
            "negated": self.negated,
            "summaries": self.summaries,
            "files": self.files,
            "by_class": self.by_class,
            "by_predicate": self.by_predicate,
            "evidence": {
                "items": self.evidence_items,
                "by_status": self.by_status,
                "by_publication_type": self.items_by_type,
                "refuting_items": self.refuted_items,
                "non_human_items": self.non_human_items,
            },
            "references": {"distinct": self.references, "by_type": self.references_by_type},
            "relations_by_support": {
                "claims": self.claims,
                "ontology_axioms": self.axioms,
                "with_primary_source": self.with_primary,
                "primary_share": round(self.primary_share, 4),
                "review_only": self.review_only,
                "review_only_share": round(self.share(self.review_only), 4),
                "weak_only": self.weak_only,
                "weak_only_share": round(self.share(self.weak_only), 4),
            },
            "timeline_events": self.timeline_events,
            "local_ids": self.local_ids,
            "missing_identifiers": self.missing_ids,
            "targets": [{"target": a, "measured": b, "met": c} for a, b, c in self.targets()],
        }


def is_axiom(subject: str, predicate: str, obj: str) -> bool:
    """A subtype_of between two ontology terms (an axiom of the ontologies, not a finding)."""
    return (
        predicate == "subtype_of"
        and subject.split(":", 1)[0] in ONTOLOGY_PREFIXES
        and obj.split(":", 1)[0] in ONTOLOGY_PREFIXES
    )


def compute_stats(ds: Dataset, vocab: Vocabulary) -> Stats:
    """Compute :class:`Stats` of a validated dataset."""
    from il2kg.dataset.pubtypes import HUMAN, PRIMARY_TYPES, REVIEW_TYPES, WEAK_TYPES

    by_class = Counter(e.type for e in ds.entities.values())
    by_pred = Counter(r.predicate for r in ds.relations)
    by_status: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    n_ev = refuted = non_human = 0
    with_primary = review_only = weak_only = axioms = 0
    cited: set[str] = set()
    for r in ds.relations:
        types = []
        for ev in r.evidence:
            by_status[ev.status] += 1
            n_ev += 1
            cited.add(ev.source)
            ref = ds.references.get(ev.source)
            kind = ref.type if ref is not None else "unregistered"
            by_type[kind] += 1
            refuted += not ev.supports
            non_human += (ev.species or HUMAN) != HUMAN
            if ev.supports:
                types.append(kind)
        if is_axiom(r.subject, r.predicate, r.object):
            axioms += 1
            continue
        if any(k in PRIMARY_TYPES for k in types):
            with_primary += 1
        elif types and all(k in WEAK_TYPES for k in types):
            weak_only += 1
        elif types and all(k in REVIEW_TYPES for k in types):
            review_only += 1
    missing: dict[str, list[str]] = {}
    for eid, e in sorted(ds.entities.items()):
        for cls, (prefixes, what) in EXPECTED_IDS.items():
            if vocab.is_a(e.type, cls):
                ids = [eid, *e.xrefs]
                if not any(i.split(":", 1)[0] in prefixes for i in ids):
                    missing.setdefault(what, []).append(eid)
    return Stats(
        entities=len(ds.entities),
        relations=len(ds.relations),
        negated=sum(r.negated for r in ds.relations),
        files=len(ds.files),
        by_class=dict(sorted(by_class.items())),
        by_predicate=dict(sorted(by_pred.items())),
        by_status=dict(sorted(by_status.items())),
        evidence_items=n_ev,
        timeline_events=sum(vocab.is_a(e.type, "TimelineEvent") for e in ds.entities.values()),
        missing_ids=missing,
        local_ids=sum(eid.startswith("IL2KG:") for eid in ds.entities),
        items_by_type=dict(sorted(by_type.items())),
        references=len(cited),
        references_by_type=dict(sorted(Counter(r.type for r in ds.references.values()).items())),
        with_primary=with_primary,
        review_only=review_only,
        weak_only=weak_only,
        axioms=axioms,
        summaries=sum(not r.direct for r in ds.relations),
        refuted_items=refuted,
        non_human_items=non_human,
    )
