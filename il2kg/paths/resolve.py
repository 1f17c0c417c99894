"""Find entities by the names people use: CURIEs, IRIs, labels, synonyms and cross-references.

Pure functions over a validated :class:`~il2kg.dataset.model.Dataset` (no rdflib). Matching is tried in
tiers, strictest first, and the first tier that matches decides:

1. the CURIE (any letter case) or its IRI;
2. the label, then a synonym, then a cross-reference (or its local part, ``P60568``), compared
   case-insensitively;
3. the same, compared in *normalised* form: Greek letters and their names become one Latin
   letter (``α``/``alpha`` → ``a``), ``receptor`` → ``r``, ``interleukin`` → ``il``, and
   punctuation and spaces are dropped. So ``IL-2Rα``, ``IL2RA`` and ``il-2 receptor alpha`` all
   read ``il2ra``.

Within a tier a label beats a synonym and a synonym beats a cross-reference. A name that matches
several entities in the deciding tier is ambiguous; a name that matches nothing gets the closest
names as suggestions. Both raise :class:`~il2kg.errors.UnknownEntityError`.

>>> normalise("IL-2 receptor α")
'il2ra'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from il2kg.errors import UnknownEntityError
from il2kg.namespaces import compress

if TYPE_CHECKING:
    from il2kg.dataset.model import Dataset


class NamedEntity(Protocol):
    """What the resolver reads of an entity."""

    @property
    def type(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def synonyms(self) -> list[str]: ...
    @property
    def xrefs(self) -> list[str]: ...


class HasEntities(Protocol):
    """A Dataset, or any object with the entities' names (see ``kg.NameIndexSource``)."""

    @property
    def entities(self) -> Mapping[str, NamedEntity]: ...


#: Greek letters -> one Latin letter (lower case; upper case letters are folded first).
_GREEK = str.maketrans(
    {
        "α": "a",
        "β": "b",
        "γ": "g",
        "δ": "d",
        "ε": "e",
        "ζ": "z",
        "η": "h",
        "θ": "q",
        "ι": "i",
        "κ": "k",
        "λ": "l",
        "μ": "m",
        "ν": "n",
        "ξ": "x",
        "π": "p",
        "ρ": "r",
        "σ": "s",
        "ς": "s",
        "τ": "t",
        "υ": "u",
        "φ": "f",
        "χ": "c",
        "ψ": "y",
        "ω": "w",
    }
)
_WORDS = re.compile(r"alpha|beta|gamma|delta|epsilon|kappa|lambda|omega|receptor|interleukin")
_WORD_MAP = {
    "alpha": "a",
    "beta": "b",
    "gamma": "g",
    "delta": "d",
    "epsilon": "e",
    "kappa": "k",
    "lambda": "l",
    "omega": "w",
    "receptor": "r",
    "interleukin": "il",
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

#: How many suggestions an unknown name gets.
SUGGESTIONS = 5


def fold(text: str) -> str:
    """Case-insensitive form: Unicode-compatible, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def normalise(text: str) -> str:
    """The tolerant form used by the third tier (see the module docstring)."""
    s = fold(text).translate(_GREEK)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _WORDS.sub(lambda m: _WORD_MAP[m.group(0)], s)
    return _NON_ALNUM.sub("", s)


@dataclass(frozen=True)
class SearchHit:
    """One ranked match of :func:`search`: the entity, what matched and how well (0-100)."""

    id: str
    label: str
    type: str
    score: float
    matched: str
    field: str  # "id", "label", "synonym" or "xref"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "score": round(self.score, 1),
            "matched": self.matched,
            "field": self.field,
        }


_FIELD_ORDER = ("label", "synonym", "xref")
#: Scores of exact (case-insensitive) and normalised matches, by field.
_EXACT = {"id": 100.0, "label": 95.0, "synonym": 90.0, "xref": 88.0}
_NORMAL = {"id": 86.0, "label": 85.0, "synonym": 80.0, "xref": 75.0}


@dataclass
class Resolver:
    """An index of the names of a dataset's entities; build once, ask many times."""

    ds: HasEntities
    _ids: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _exact: dict[str, dict[str, set[str]]] = field(default_factory=dict, init=False, repr=False)
    _normal: dict[str, dict[str, set[str]]] = field(default_factory=dict, init=False, repr=False)
    _names: list[tuple[str, str, str, str, str]] = field(
        default_factory=list, init=False, repr=False
    )  # (entity, field, text, folded, normalised)

    def __post_init__(self) -> None:
        self._exact = {f: {} for f in _FIELD_ORDER}
        self._normal = {f: {} for f in _FIELD_ORDER}
        for eid, ent in self.ds.entities.items():
            self._ids[fold(eid)] = eid
            names: list[tuple[str, str]] = [("id", eid), ("label", ent.label)]
            names += [("synonym", s) for s in ent.synonyms]
            names += [("xref", x) for x in ent.xrefs]
            for kind, text in names:
                folded, normal = fold(text), normalise(text)
                if kind == "id":  # rank ids by their local part: IL2KG:IL2R_BG reads il2rbg
                    normal = normalise(text.split(":", 1)[1])
                self._names.append((eid, kind, text, folded, normal))
                if kind == "id":
                    continue
                self._exact[kind].setdefault(folded, set()).add(eid)
                if normal:
                    self._normal[kind].setdefault(normal, set()).add(eid)
                if kind == "xref" and ":" in text:
                    local = text.split(":", 1)[1]
                    self._exact[kind].setdefault(fold(local), set()).add(eid)
            if eid.startswith("IL2KG:"):  # project-local ids read like names: IL2R_ABG
                local = eid.split(":", 1)[1]
                self._exact["xref"].setdefault(fold(local), set()).add(eid)

    def to_json(self) -> dict[str, Any]:
        """The built index as JSON data (kept in the build cache; see :meth:`from_json`)."""
        return {
            "entities": {
                eid: [e.type, e.label, list(e.synonyms), list(e.xrefs)]
                for eid, e in self.ds.entities.items()
            },
            "ids": self._ids,
            "exact": {k: {n: sorted(ids) for n, ids in d.items()} for k, d in self._exact.items()},
            "normal": {
                k: {n: sorted(ids) for n, ids in d.items()} for k, d in self._normal.items()
            },
            "names": self._names,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resolver:
        """The resolver :meth:`to_json` described, without normalising every name again."""
        resolver = cls.__new__(cls)
        resolver.ds = NameSource(
            {
                eid: Names(t, lab, syn, xrefs)
                for eid, (t, lab, syn, xrefs) in data["entities"].items()
            }
        )
        resolver._ids = dict(data["ids"])
        resolver._exact = {
            k: {n: set(ids) for n, ids in d.items()} for k, d in data["exact"].items()
        }
        resolver._normal = {
            k: {n: set(ids) for n, ids in d.items()} for k, d in data["normal"].items()
        }
        resolver._names = [(e, k, t, f, n) for e, k, t, f, n in data["names"]]
        return resolver

    def names(self) -> list[tuple[str, str, str, str, str]]:
        """Every name :meth:`search` ranks: (entity, field, text, folded, normalised) rows.

        ``field`` is ``id``, ``label``, ``synonym`` or ``xref``; an id's normalised form is that
        of its local part. The explorer ships these so that its search ranks as this one does.
        """
        return list(self._names)

    def label(self, eid: str) -> str:
        """The label of an entity id (the id itself if unknown)."""
        ent = self.ds.entities.get(eid)
        return ent.label if ent else eid

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` designates.

        Raises :class:`~il2kg.errors.UnknownEntityError` (``ambiguous`` set, with the
        candidates) when it designates several, or with suggestions when it designates none.
        """
        text = name.strip()
        if text.startswith(("http://", "https://")) or (text.startswith("<") and ":" in text):
            text = compress(text.strip("<>"))
        eid = self._ids.get(fold(text))
        if eid is not None:
            return eid
        for index, key in ((self._exact, fold(text)), (self._normal, normalise(text))):
            if not key:
                continue
            for kind in _FIELD_ORDER:
                found = index[kind].get(key)
                if not found:
                    continue
                if len(found) == 1:
                    return next(iter(found))
                cands = sorted(found, key=lambda e: (self.label(e).casefold(), e))
                raise UnknownEntityError(name, [(e, self.label(e)) for e in cands], True)
        hits = self.search(name, limit=SUGGESTIONS)
        raise UnknownEntityError(name, [(h.id, h.label) for h in hits], False)

    def search(self, term: str, limit: int = 10, types: Iterable[str] = ()) -> list[SearchHit]:
        """Entities whose id, label, synonyms or cross-references match ``term``, best first.

        Scores: exact id 100, exact label 95, synonym 90, cross-reference 88; normalised equal
        85/80/75; a normalised prefix 60-70; a substring 45-55; otherwise a fuzzy similarity of
        at least 0.6 scores up to 40. Ties go to shorter, then alphabetically first, labels.
        ``types`` keeps only entities of those exact classes.
        """
        folded, normal = fold(term), normalise(term)
        if not folded:
            return []
        wanted = set(types)
        best: dict[str, tuple[float, str, str]] = {}
        for eid, kind, text, f, n in self._names:
            if wanted and self.ds.entities[eid].type not in wanted:
                continue
            score = _score(kind, folded, normal, f, n)
            if score > 0 and score > best.get(eid, (0.0, "", ""))[0]:
                best[eid] = (score, text, kind)
        ranked = sorted(
            best.items(), key=lambda kv: (-kv[1][0], len(self.label(kv[0])), self.label(kv[0]))
        )
        return [
            SearchHit(eid, self.label(eid), self.ds.entities[eid].type, s, text, kind)
            for eid, (s, text, kind) in ranked[:limit]
        ]


@dataclass(frozen=True)
class Names:
    """What the resolver reads of an entity, without the model (from the cached network, or
    read back by :meth:`Resolver.from_json`)."""

    type: str
    label: str
    synonyms: list[str]
    xrefs: list[str]


@dataclass(frozen=True)
class NameSource:
    """A stand-in for a Dataset with just the names of the entities (for fast lookups)."""

    entities: dict[str, Names]

    @classmethod
    def from_nodes(cls, nodes: Mapping[str, Mapping[str, Any]]) -> NameSource:
        """The names of a network's nodes (entity id -> ``type``, ``label``, ``synonyms``,
        ``xrefs``; see :mod:`il2kg.paths.network`)."""
        return cls(
            {n: Names(d["type"], d["label"], d["synonyms"], d["xrefs"]) for n, d in nodes.items()}
        )


def _score(kind: str, folded: str, normal: str, f: str, n: str) -> float:
    if folded == f:
        return _EXACT[kind]
    if normal and normal == n:
        return _NORMAL[kind]
    if not normal or not n:
        return 0.0
    ratio = len(normal) / len(n)
    bonus = 5.0 if kind in ("label", "id") else 0.0
    if n.startswith(normal):
        return 55.0 + bonus + 10.0 * ratio
    if normal in n:
        return 40.0 + bonus + 10.0 * ratio
    if len(normal) < 3:
        return 0.0
    import difflib  # here: only a fuzzy comparison needs it

    matcher = difflib.SequenceMatcher(None, normal, n)
    if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
        return 0.0
    r = matcher.ratio()
    return 40.0 * r if r >= 0.6 else 0.0


def resolve(ds: Dataset, name: str) -> str:
    """The entity id ``name`` designates (CURIE, IRI, label, synonym or xref; see module doc).

    >>> from il2kg.dataset.model import Dataset
    >>> from il2kg.dataset.model import Entity
    >>> ds = Dataset({"HGNC:6008": Entity(id="HGNC:6008", type="ReceptorChain",
    ...                                     label="IL2RA", synonyms=["CD25", "IL-2Rα"])})
    >>> [resolve(ds, n) for n in ("il-2 receptor alpha", "cd25", "IL2Rα")]
    ['HGNC:6008', 'HGNC:6008', 'HGNC:6008']

    Raises :class:`~il2kg.errors.UnknownEntityError` if it designates none or several.
    """
    return Resolver(ds).resolve(name)


def search(ds: Dataset, term: str, limit: int = 10) -> list[SearchHit]:
    """Ranked matches of ``term`` over ids, labels, synonyms and cross-references."""
    return Resolver(ds).search(term, limit)
