"""How the explorer draws each kind of thing: shapes and colours by class, edge colours, status text."""

from __future__ import annotations

import hashlib
from typing import Final

from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.explorer.views import View

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
