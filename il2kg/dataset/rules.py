"""Semantic checks of a read :class:`~il2kg.dataset.model.Dataset` against the ontology.

Each check yields :class:`~il2kg.errors.Problem` objects naming file, line, the entity or relation
and the field, so a curator can act on every message.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator

from il2kg.dataset.evidence import check_evidence
from il2kg.dataset.model import Dataset, Entity, Location
from il2kg.dataset.ontology import Vocabulary
from il2kg.dataset.yamlio import clean_problems
from il2kg.errors import Problem
from il2kg.namespaces import check_curie, shown, split_curie

#: Entity attributes that only some types may carry: field -> the class that allows it.
_TYPED_ATTRIBUTES = {
    "date": "TimelineEvent",
    "event_type": "TimelineEvent",
    "trial_phase": "ClinicalTrial",
    "route": "TherapyRegimen",
    "dose": "TherapyRegimen",
}
_REQUIRED_ATTRIBUTES = {"TimelineEvent": ("date", "event_type")}


def _same_text(text: str) -> str:
    """What two synonyms share if they are the same name: case and Unicode form ignored."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _p(loc: Location, where: str, fld: str, msg: str) -> Problem:
    return Problem(loc[0], loc[1], loc[2], where, fld, msg)


def _check_entity(ent: Entity, loc: Location, vocab: Vocabulary) -> Iterator[Problem]:
    where = f"entity {ent.id}"
    if (msg := check_curie(ent.id)) is not None:
        yield _p(loc, where, "id", msg)
    if ent.type not in vocab.entity_classes:
        hint = _suggest(ent.type, sorted(vocab.entity_classes))
        yield _p(loc, where, "type", f"unknown entity type {shown(ent.type)}{hint}")
    else:
        for attr, cls in _TYPED_ATTRIBUTES.items():
            if getattr(ent, attr) is not None and not vocab.is_a(ent.type, cls):
                yield _p(loc, where, attr, f"only a {cls} may have '{attr}' (this is a {ent.type})")
        for cls, attrs in _REQUIRED_ATTRIBUTES.items():
            if vocab.is_a(ent.type, cls):
                for attr in attrs:
                    if getattr(ent, attr) is None:
                        yield _p(loc, where, attr, f"a {cls} needs '{attr}'")
    for i, x in enumerate(ent.xrefs):
        if (msg := check_curie(x)) is not None:
            yield _p(loc, where, f"xrefs[{i}]", msg)
        elif x == ent.id:
            yield _p(loc, where, f"xrefs[{i}]", "an entity cannot cross-reference itself")
    if len(set(ent.xrefs)) != len(ent.xrefs):
        yield _p(loc, where, "xrefs", "the same cross-reference is listed twice")
    if len({_same_text(s) for s in ent.synonyms}) != len(ent.synonyms):
        yield _p(loc, where, "synonyms", "the same synonym is listed twice")


def check_dataset(ds: Dataset, vocab: Vocabulary) -> list[Problem]:
    """Every semantic problem of ``ds``: identifiers, references, predicates, domain and range."""
    problems: list[Problem] = []
    for eid, ent in ds.entities.items():
        problems.extend(_check_entity(ent, ds.entity_locations[eid], vocab))

    predicates = sorted(vocab.predicates)
    seen: dict[tuple[str, ...], Location] = {}
    for i, rel in enumerate(ds.relations):
        loc = ds.relation_locations[i]
        where = ds.relation_label(i)
        add = problems.append

        types: dict[str, str | None] = {}
        for fld in ("subject", "object"):
            ref = getattr(rel, fld)
            target = ds.entities.get(ref)
            if target is None:
                msg = check_curie(ref)
                add(
                    _p(
                        loc,
                        where,
                        fld,
                        msg if msg else f"no entity with id {shown(ref)} is defined",
                    )
                )
                types[fld] = None
            else:
                types[fld] = target.type
        if rel.subject == rel.object:
            add(_p(loc, where, "object", "a relation cannot link an entity to itself"))

        info = vocab.predicates.get(rel.predicate)
        if info is None:
            add(
                _p(
                    loc,
                    where,
                    "predicate",
                    f"unknown predicate {shown(rel.predicate)}{_suggest(rel.predicate, predicates)}",
                )
            )
        else:
            for fld, allowed, role in (
                ("subject", info.domain, "domain"),
                ("object", info.range, "range"),
            ):
                t = types[fld]
                if t is not None and t in vocab.entity_classes and not vocab.fits(t, allowed):
                    add(
                        _p(
                            loc,
                            where,
                            fld,
                            f"a {t} is outside the {role} of '{rel.predicate}' ({' or '.join(allowed)})",
                        )
                    )

        q = rel.qualifiers
        if q is not None:
            if q.is_empty():
                add(_p(loc, where, "qualifiers", "empty qualifiers: remove the key"))
            for fld, cls in (("cell_type", "CellType"), ("regimen", "TherapyRegimen")):
                ref = getattr(q, fld)
                if ref is None:
                    continue
                qent = ds.entities.get(ref)
                if qent is None:
                    add(
                        _p(
                            loc,
                            where,
                            f"qualifiers.{fld}",
                            f"no entity with id {shown(ref)} is defined",
                        )
                    )
                elif not vocab.is_a(qent.type, cls):
                    add(
                        _p(
                            loc,
                            where,
                            f"qualifiers.{fld}",
                            f"{shown(ref)} is a {qent.type}, not a {cls}",
                        )
                    )
            if q.species is not None:
                msg = check_curie(q.species)
                if msg is None and split_curie(q.species)[0] != "NCBITaxon":
                    msg = "species must be an NCBITaxon CURIE (NCBITaxon:9606 for human)"
                if msg:
                    add(_p(loc, where, "qualifiers.species", msg))

        sources = [e.source for e in rel.evidence]
        if len(set(sources)) != len(sources):
            add(_p(loc, where, "evidence", "the same source is cited twice"))

        key = rel.key()
        if key in seen:
            first = seen[key]
            add(
                _p(
                    loc,
                    where,
                    "",
                    f"duplicate relation (same subject, predicate, object and qualifiers as {first[0]}:{first[1]}); merge their evidence",
                )
            )
        else:
            seen[key] = loc
        opposite = (*key[:3], str(not rel.negated), *key[4:])
        # a negation in the SAME context is a contradiction; in another context it is a
        # conflict that `il2kg conflicts` lists
        if opposite in seen and opposite != key:
            first = seen[opposite]
            add(
                _p(
                    loc,
                    where,
                    "negated",
                    f"contradicts the relation at {first[0]}:{first[1]} (one is negated, the other not)",
                )
            )
    problems.extend(check_evidence(ds, vocab))
    return clean_problems(problems)
