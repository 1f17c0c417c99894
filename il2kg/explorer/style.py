"""How the explorer draws each kind of thing: a glyph per class (colour, outline by family, inner
mark), edge colours by predicate, status text."""

from __future__ import annotations

import base64
import hashlib
import math
from dataclasses import dataclass
from typing import Final

from il2kg.dataset.model import Dataset
from il2kg.dataset.ontology import Vocabulary
from il2kg.explorer.views import View

#: The outline of each family of kinds: (the family's root class, outline, the legend's heading).
#: The first family whose root is an ancestor of a class gives its outline.
FAMILIES: Final[list[tuple[str, str, str]]] = [
    ("ProteinComplex", "hexagon", "Complexes"),
    ("MolecularEntity", "circle", "Genes, proteins and molecules"),
    ("SignalingPathway", "triangleDown", "Pathways, processes and functions"),
    ("BiologicalProcess", "triangleDown", "Pathways, processes and functions"),
    ("MolecularFunction", "triangleDown", "Pathways, processes and functions"),
    ("CellType", "triangle", "Cell types"),
    ("Disease", "diamond", "Diseases and adverse events"),
    ("AdverseEvent", "diamond", "Diseases and adverse events"),
    ("TherapyRegimen", "pentagon", "Regimens and combinations"),
    ("Intervention", "square", "Drugs and interventions"),
    ("ClinicalTrial", "star", "Clinical trials"),
    ("TimelineEvent", "octagon", "Dated events"),
]

#: Each kind: (fill colour, the mark drawn inside its family's outline). Within a family every
#: kind has its own mark and a colour far from its siblings' (tests/test_html.py checks both).
_KINDS: Final[dict[str, tuple[str, str]]] = {
    "Entity": ("#c7c7c7", "bars"),
    "MolecularEntity": ("#7f7f7f", "half"),
    "GeneOrProtein": ("#1f77b4", "none"),
    "Cytokine": ("#ff7f0e", "dot"),
    "ReceptorChain": ("#17becf", "ring"),
    "Kinase": ("#2ca02c", "hbar"),
    "TranscriptionFactor": ("#9467bd", "vbar"),
    "STAT": ("#e377c2", "plus"),
    "Adaptor": ("#bcbd22", "cross"),
    "Phosphatase": ("#8c564b", "tri"),
    "SignalingProtein": ("#393b79", "box"),
    "SignalingInhibitor": ("#d62728", "dia"),
    "ProteinComplex": ("#6b6ecf", "none"),
    "ReceptorComplex": ("#08519c", "dot"),
    "SignalingPathway": ("#8c6d31", "none"),
    "BiologicalProcess": ("#e7ba52", "dot"),
    "MolecularFunction": ("#637939", "ring"),
    "CellType": ("#e31a1c", "none"),
    "Disease": ("#843c39", "none"),
    "GeneticDisease": ("#e7969c", "dot"),
    "AdverseEvent": ("#f5a623", "ring"),
    "Intervention": ("#848482", "half"),
    "Drug": ("#875692", "none"),
    "SmallMolecule": ("#f3c300", "dot"),
    "Biologic": ("#0067a5", "ring"),
    "RecombinantCytokine": ("#f38400", "hbar"),
    "EngineeredCytokine": ("#be0032", "vbar"),
    "Immunocytokine": ("#008856", "plus"),
    "Antibody": ("#e68fac", "cross"),
    "FusionToxin": ("#882d17", "tri"),
    "Vaccine": ("#8db600", "box"),
    "CellTherapy": ("#a1caf1", "dia"),
    "TherapyRegimen": ("#17a589", "none"),
    "Combination": ("#0e6655", "dot"),
    "ClinicalTrial": ("#3949ab", "none"),
    "TimelineEvent": ("#636363", "none"),
}
MARKS: Final = (
    "none",
    "dot",
    "ring",
    "hbar",
    "vbar",
    "plus",
    "cross",
    "tri",
    "box",
    "dia",
    "half",
    "bars",
)
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


@dataclass(frozen=True)
class KindStyle:
    """How a kind of entity is drawn: fill colour, outline (by family) and inner mark."""

    colour: str
    outline: str
    mark: str
    family: str

    def svg(self, emphasised: bool = False) -> str:
        """The glyph as an SVG document (64 x 64); ``emphasised`` draws a thick dark border."""
        stroke, width = ("#111111", 7.0) if emphasised else (_darker(self.colour), 3.0)
        cx, cy = _CENTRES.get(self.outline, (32.0, 32.0))
        ink = "#ffffff" if _luminance(self.colour) < 0.45 else "#222222"
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
            f'<path d="{_outline_path(self.outline)}" fill="{self.colour}" stroke="{stroke}" '
            f'stroke-width="{width}" stroke-linejoin="round"/>'
            f"{_mark_svg(self.mark, cx, cy, ink)}</svg>"
        )

    def data_uri(self, emphasised: bool = False) -> str:
        """The glyph as a ``data:`` URI (what the page's nodes and legend draw)."""
        raw = base64.b64encode(self.svg(emphasised).encode("ascii")).decode("ascii")
        return "data:image/svg+xml;base64," + raw


def kind_style(cls: str, vocab: Vocabulary) -> KindStyle:
    """How an entity class is drawn (classes unknown to the table inherit an ancestor's style)."""
    ancestors = vocab.ancestors.get(cls, frozenset({cls}))
    outline, family = next(
        ((o, f) for root, o, f in FAMILIES if root in ancestors), ("circle", "Other")
    )
    colour, mark = _KINDS.get(cls, ("", "none"))
    if not colour:
        digest = hashlib.sha256(cls.encode()).digest()
        colour = _FALLBACK[digest[0] % len(_FALLBACK)]
        mark = MARKS[digest[1] % len(MARKS)]
    return KindStyle(colour, outline, mark, family)


def _polygon(sides: int, radius: float, turn: float, cx: float = 32.0, cy: float = 32.0) -> str:
    pts = []
    for i in range(sides):
        a = turn + 2 * math.pi * i / sides
        pts.append(f"{cx + radius * math.cos(a):.1f},{cy + radius * math.sin(a):.1f}")
    return "M" + " L".join(pts) + " Z"


def _star(points: int, outer: float, inner: float) -> str:
    pts = []
    for i in range(2 * points):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + math.pi * i / points
        pts.append(f"{32 + r * math.cos(a):.1f},{32 + r * math.sin(a):.1f}")
    return "M" + " L".join(pts) + " Z"


def _outline_path(outline: str) -> str:
    up = -math.pi / 2
    return {
        "circle": "M4,32 A28,28 0 1,0 60,32 A28,28 0 1,0 4,32 Z",
        "square": "M7,7 L57,7 L57,57 L7,57 Z",
        "diamond": _polygon(4, 29, up),
        "triangle": _polygon(3, 33, up, cy=38),
        "triangleDown": _polygon(3, 33, -up, cy=26),
        "hexagon": _polygon(6, 29, 0),
        "pentagon": _polygon(5, 30, up, cy=34),
        "octagon": _polygon(8, 29, math.pi / 8),
        "star": _star(5, 31, 14),
    }[outline]


#: Where the mark sits inside each outline (the visual centre of triangles is off the middle).
_CENTRES: Final = {"triangle": (32.0, 40.0), "triangleDown": (32.0, 24.0), "star": (32.0, 34.0)}


def _mark_svg(mark: str, cx: float, cy: float, ink: str) -> str:
    def rect(x: float, y: float, w: float, h: float) -> str:
        return f'<rect x="{cx + x:.1f}" y="{cy + y:.1f}" width="{w}" height="{h}" fill="{ink}"/>'

    if mark == "none":
        return ""
    if mark == "dot":
        return f'<circle cx="{cx}" cy="{cy}" r="8" fill="{ink}"/>'
    if mark == "ring":
        return f'<circle cx="{cx}" cy="{cy}" r="9" fill="none" stroke="{ink}" stroke-width="4"/>'
    if mark == "hbar":
        return rect(-13, -4, 26, 8)
    if mark == "vbar":
        return rect(-4, -13, 8, 26)
    if mark == "plus":
        return rect(-13, -3.5, 26, 7) + rect(-3.5, -13, 7, 26)
    if mark == "cross":
        return (
            f'<path d="M{cx - 10},{cy - 10} L{cx + 10},{cy + 10} M{cx + 10},{cy - 10} '
            f'L{cx - 10},{cy + 10}" stroke="{ink}" stroke-width="6"/>'
        )
    if mark == "tri":
        return f'<path d="{_polygon(3, 12, -math.pi / 2, cx, cy + 2)}" fill="{ink}"/>'
    if mark == "box":
        return rect(-8, -8, 16, 16)
    if mark == "dia":
        return f'<path d="{_polygon(4, 12, -math.pi / 2, cx, cy)}" fill="{ink}"/>'
    if mark == "half":
        return f'<path d="M{cx},{cy - 12} A12,12 0 0,1 {cx},{cy + 12} Z" fill="{ink}"/>'
    if mark == "bars":
        return rect(-11, -12, 7, 24) + rect(4, -12, 7, 24)
    raise ValueError(f"unknown mark {mark!r}")


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _darker(colour: str) -> str:
    return "#" + "".join(f"{int(c * 255 * 0.65):02x}" for c in _rgb(colour))


def lab(colour: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an ``#rrggbb`` colour, to tell how far apart two colours look."""
    r, g, b = (_linear(c) for c in _rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _predicate_colours(ds: Dataset, view: View) -> dict[str, str]:
    """A colour for each predicate of the view (distinct up to 20 predicates)."""
    present = sorted({ds.relations[i].predicate for i in view.relations})
    return {p: _EDGE_COLOURS[i % len(_EDGE_COLOURS)] for i, p in enumerate(present)}
