"""Counts and curation coverage of a dataset (the report of ``il2kg stats``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from il2kg.namespaces import PUBLICATION_PREFIXES

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

#: Curation targets of the knowledge base (issue: curate the IL-2 knowledge base).
TARGETS = {"entities": 180, "kinds": 12, "relations": 220, "timeline_events": 35, "pub_share": 0.90}


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
    relations_with_publication: int
    timeline_events: int
    missing_ids: dict[str, list[str]] = field(default_factory=dict)
    local_ids: int = 0
    #: best curation status of a relation -> (relations citing a PMID/DOI, relations)
    publication_by_status: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def publication_share(self) -> float:
        return self.relations_with_publication / self.relations if self.relations else 0.0

    def targets(self) -> list[tuple[str, str, bool]]:
        """(target, measured, met) for each curation target."""
        t = TARGETS
        return [
            (f">= {t['entities']} entities", str(self.entities), self.entities >= t["entities"]),
            (
                f">= {t['kinds']} entity kinds",
                str(len(self.by_class)),
                len(self.by_class) >= t["kinds"],
            ),
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
                f">= {t['pub_share']:.0%} of relations cite a PMID/DOI",
                f"{self.publication_share:.1%}",
                self.publication_share >= t["pub_share"],
            ),
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "relations": self.relations,
            "negated": self.negated,
            "files": self.files,
            "by_class": self.by_class,
            "by_predicate": self.by_predicate,
            "evidence": {
                "items": self.evidence_items,
                "by_status": self.by_status,
                "relations_with_pmid_or_doi": self.relations_with_publication,
                "share_with_pmid_or_doi": round(self.publication_share, 4),
                "relations_with_pmid_or_doi_by_status": {
                    k: {"with_pmid_or_doi": a, "relations": b}
                    for k, (a, b) in self.publication_by_status.items()
                },
            },
            "timeline_events": self.timeline_events,
            "local_ids": self.local_ids,
            "missing_identifiers": self.missing_ids,
            "targets": [{"target": a, "measured": b, "met": c} for a, b, c in self.targets()],
        }


def compute_stats(ds: Dataset, vocab: Vocabulary) -> Stats:
    """Compute :class:`Stats` of a validated dataset."""
    by_class = Counter(e.type for e in ds.entities.values())
    by_pred = Counter(r.predicate for r in ds.relations)
    by_status: Counter[str] = Counter()
    n_ev = with_pub = 0
    pub_status: dict[str, list[int]] = {}
    for r in ds.relations:
        for ev in r.evidence:
            by_status[ev.status] += 1
            n_ev += 1
        cited = any(
            ev.source and ev.source.split(":", 1)[0] in PUBLICATION_PREFIXES for ev in r.evidence
        )
        with_pub += cited
        counts = pub_status.setdefault(r.best_status(), [0, 0])
        counts[0] += cited
        counts[1] += 1
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
        relations_with_publication=with_pub,
        timeline_events=sum(vocab.is_a(e.type, "TimelineEvent") for e in ds.entities.values()),
        missing_ids=missing,
        local_ids=sum(eid.startswith("IL2KG:") for eid in ds.entities),
        publication_by_status={k: (a, b) for k, (a, b) in sorted(pub_status.items())},
    )
