"""The rules of the evidence model: the reference registry, honest statuses, context on evidence.

What a careful curator would refuse, each rule one function yielding positioned
:class:`~il2kg.errors.Problem` s (file, line, column, the record and the field):

- every cited work has a registry record, and every record is cited;
- identifiers are canonical, years plausible, species NCBITaxon ids;
- ``verified`` rests on a primary paper, trial report, label or curated database record — never on a
  review, web page or press item alone;
- a relation supported only by web or press items is ``unverified``;
- a source that studied another organism than human says so on the evidence (``species``);
- evidence types come from the ontology's closed list of ECO classes;
- ``indicated_for`` (labelled use) names its agency and year;
- a summary relation (``direct: false``) names its mechanism in ``via``, and only it may.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from typing import Final

from il2kg.dataset.model import (
    Dataset,
    Evidence,
    Location,
    Reference,
    Relation,
)
from il2kg.dataset.ontology import Vocabulary
from il2kg.dataset.pubtypes import HUMAN, PRIMARY_TYPES, PUB_TYPE_NAMES, WEAK_TYPES
from il2kg.errors import Problem
from il2kg.namespaces import check_curie, compress, split_curie

#: Display names of the species curators meet most (anything else shows its NCBITaxon id).
SPECIES_NAMES: Final = {
    "NCBITaxon:9606": "human",
    "NCBITaxon:10090": "mouse",
    "NCBITaxon:10116": "rat",
    "NCBITaxon:9544": "rhesus macaque",
    "NCBITaxon:9541": "cynomolgus macaque",
}
#: Publication types whose records may go without a year (a living database record, a page).
UNDATED_TYPES: Final = frozenset({"database_record", "web_page"})
#: The earliest year a cited work may carry (the field's first papers are from the 1960s-70s).
FIRST_YEAR: Final = 1900
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def species_name(curie: str) -> str:
    """``mouse`` for NCBITaxon:10090 (the id itself for species without a display name)."""
    return SPECIES_NAMES.get(curie, curie)


def check_reference_id(ref_id: str) -> str | None:
    """Why ``ref_id`` is not a registry id (a known CURIE or an http(s) URL), or ``None``."""
    if ref_id.startswith(("http://", "https://")):
        if not _URL.fullmatch(ref_id):
            return f"'{ref_id}' is not a valid http(s) URL"
        if (curie := compress(ref_id)) != ref_id:
            return f"write this URL as its CURIE {curie}"
        return None
    return check_curie(ref_id)


def _p(loc: Location, where: str, fld: str, msg: str) -> Problem:
    return Problem(loc[0], loc[1], loc[2], where, fld, msg)


def _taxon_problem(curie: str) -> str | None:
    msg = check_curie(curie)
    if msg is None and split_curie(curie)[0] != "NCBITaxon":
        msg = "species must be an NCBITaxon CURIE (NCBITaxon:9606 for human)"
    return msg


def _items(ds: Dataset) -> Iterator[tuple[int, Relation, int, Evidence, Location, str]]:
    for i, rel in enumerate(ds.relations):
        loc, where = ds.relation_locations[i], ds.relation_label(i)
        for j, ev in enumerate(rel.evidence):
            yield i, rel, j, ev, loc, where


# -- the registry ---------------------------------------------------------------------------------


def records_are_well_formed(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """Canonical ids, plausible years, NCBITaxon species, CURIE cross-references."""
    this_year = datetime.date.today().year
    for rid, ref in ds.references.items():
        loc, where = ds.reference_locations[rid], f"reference {rid}"
        if (msg := check_reference_id(rid)) is not None:
            yield _p(loc, where, "id", msg)
        if ref.year is None:
            if ref.type not in UNDATED_TYPES and ref.checked:
                yield _p(loc, where, "year", f"a {PUB_TYPE_NAMES[ref.type]} needs its year")
        elif not FIRST_YEAR <= ref.year <= this_year + 1:
            yield _p(loc, where, "year", f"{ref.year} is not a plausible year of publication")
        for k, sp in enumerate(ref.species):
            if (msg := _taxon_problem(sp)) is not None:
                yield _p(loc, where, f"species[{k}]", msg)
        for k, x in enumerate(ref.xrefs):
            if (msg := check_curie(x)) is not None:
                yield _p(loc, where, f"xrefs[{k}]", msg)
            elif x in ds.references and x != rid:
                yield _p(loc, where, f"xrefs[{k}]", f"{x} is a record of its own: merge the two")


def cited_works_have_records(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """Every evidence source is a record of the registry."""
    for _, _, j, ev, loc, where in _items(ds):
        if ev.source in ds.references or ev.source in ds.broken_references:
            continue
        msg = check_reference_id(ev.source) or (
            f"{ev.source} has no record in the reference registry "
            "(add it to data/references.yaml with its type, first author, title, venue and year)"
        )
        yield _p(loc, where, f"evidence[{j}].source", msg)


def records_are_cited(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """No record of the registry is left uncited."""
    cited = {ev.source for rel in ds.relations for ev in rel.evidence} | ds.broken_citations
    for rid in ds.references:
        if rid not in cited:
            loc = ds.reference_locations[rid]
            yield _p(loc, f"reference {rid}", "id", "no evidence cites this reference: remove it")


# -- statuses -------------------------------------------------------------------------------------


def verified_rests_on_primary_sources(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """``verified`` needs a primary paper, trial report, label or curated database record."""
    for _, _, j, ev, loc, where in _items(ds):
        ref = ds.references.get(ev.source)
        if ev.status == "verified" and ref is not None and not ref.checked:
            yield _p(
                loc,
                where,
                f"evidence[{j}].status",
                f"'verified' needs a work the registry's curator read; {ev.source} is not "
                "checked: mark it expert_knowledge, or read it and set checked",
            )
        elif ev.status == "verified" and ref is not None and ref.type not in PRIMARY_TYPES:
            yield _p(
                loc,
                where,
                f"evidence[{j}].status",
                f"'verified' needs a primary paper, trial report, label or database record; "
                f"{ev.source} is a {PUB_TYPE_NAMES[ref.type]}: mark it expert_knowledge and "
                "cite the primary source",
            )


def weak_only_support_is_unverified(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """A relation resting only on web pages or press items is ``unverified``."""
    for i, rel in enumerate(ds.relations):
        refs = [ds.references.get(ev.source) for ev in rel.evidence if ev.supports]
        if not refs or any(r is None or r.type not in WEAK_TYPES for r in refs):
            continue
        if rel.best_status() != "unverified":
            yield _p(
                ds.relation_locations[i],
                ds.relation_label(i),
                "evidence",
                "only web or press sources support this relation: mark it unverified, or cite "
                "a primary source (web and press items are pointers, not verification)",
            )


def claims_have_support(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """At least one evidence item supports the claim (others may refute it)."""
    for i, rel in enumerate(ds.relations):
        if not any(ev.supports for ev in rel.evidence):
            yield _p(
                ds.relation_locations[i],
                ds.relation_label(i),
                "evidence",
                "every evidence item refutes this relation: state it as negated instead",
            )


# -- context --------------------------------------------------------------------------------------


def evidence_states_its_species(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """A source that studied only non-human organisms says so on the evidence."""
    for _, _, j, ev, loc, where in _items(ds):
        fld = f"evidence[{j}].species"
        if ev.species is not None and (msg := _taxon_problem(ev.species)) is not None:
            yield _p(loc, where, fld, msg)
            continue
        ref = ds.references.get(ev.source)
        if ref is None or not ref.species:
            continue
        if ev.species is None and HUMAN not in ref.species:
            studied = ", ".join(f"{s} ({species_name(s)})" for s in ref.species)
            yield _p(
                loc,
                where,
                fld,
                f"{ev.source} studied {studied}, not human: add species: {ref.species[0]}",
            )
        elif ev.species is not None and ev.species not in ref.species:
            yield _p(
                loc,
                where,
                fld,
                f"{ev.source} studied {', '.join(ref.species)}, not {ev.species}",
            )


def evidence_types_are_known(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """Evidence types come from the ontology's closed list of ECO classes."""
    for _, _, j, ev, loc, where in _items(ds):
        if ev.evidence_type is not None and ev.evidence_type not in vocab.evidence_types:
            known = ", ".join(f"{k} ({v})" for k, v in sorted(vocab.evidence_types.items()))
            yield _p(
                loc,
                where,
                f"evidence[{j}].evidence_type",
                f"'{ev.evidence_type}' is not one of the evidence types: {known}",
            )


def labelled_use_names_agency_and_year(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """``indicated_for`` (and its sub-predicates) is labelled use: it names the agency and year."""
    for i, rel in enumerate(ds.relations):
        info = vocab.predicates.get(rel.predicate)
        labelled = rel.predicate == "indicated_for" or (
            info is not None and "indicated_for" in info.parents
        )
        if not labelled or rel.negated:
            continue
        q = rel.qualifiers
        for fld in ("agency", "year"):
            if q is None or getattr(q, fld) is None:
                yield _p(
                    ds.relation_locations[i],
                    ds.relation_label(i),
                    f"qualifiers.{fld}",
                    f"{rel.predicate} is for labelled use: give the {fld} of the label "
                    "(investigational use is in_clinical_trials_for)",
                )


def summaries_name_their_mechanism(ds: Dataset, vocab: Vocabulary) -> Iterator[Problem]:
    """``via`` belongs to summary relations (``direct: false``) and names known entities."""
    for i, rel in enumerate(ds.relations):
        loc, where = ds.relation_locations[i], ds.relation_label(i)
        if rel.direct and rel.via:
            yield _p(loc, where, "via", "'via' is for summary relations: add direct: false")
        for k, eid in enumerate(rel.via):
            if eid not in ds.entities:
                yield _p(loc, where, f"via[{k}]", f"no entity with id '{eid}' is defined")
            elif eid in (rel.subject, rel.object):
                yield _p(loc, where, f"via[{k}]", "'via' lists the steps between the two ends")


Rule = Callable[[Dataset, Vocabulary], Iterator[Problem]]

#: The evidence rules, in the order their problems are reported.
RULES: Final[tuple[Rule, ...]] = (
    records_are_well_formed,
    cited_works_have_records,
    records_are_cited,
    verified_rests_on_primary_sources,
    weak_only_support_is_unverified,
    claims_have_support,
    evidence_states_its_species,
    evidence_types_are_known,
    labelled_use_names_agency_and_year,
    summaries_name_their_mechanism,
)


def check_evidence(ds: Dataset, vocab: Vocabulary) -> list[Problem]:
    """Every problem the evidence rules find in ``ds``."""
    return [p for rule in RULES for p in rule(ds, vocab)]


def cited(ds: Dataset, rel: Relation) -> list[tuple[Evidence, Reference | None]]:
    """A relation's evidence items with their registry records."""
    return [(ev, ds.references.get(ev.source)) for ev in rel.evidence]


def citation_text(ev: Evidence, ref: Reference | None) -> str:
    """An evidence item as people read it: ``Johnston 1995 Proc Natl Acad Sci U S A, PMID:7568001, mouse``."""
    species = species_name(ev.species or HUMAN)
    if ref is None:
        return f"{ev.source}, {species}"
    return f"{ref.citation()}, {ev.source}, {species}"


def evidence_record(ev: Evidence, ref: Reference | None) -> dict[str, object]:
    """One evidence item with its registry record, as JSON-ready data (for show, path, the page)."""
    out: dict[str, object] = {
        "source": ev.source,
        "citation": citation_text(ev, ref),
        "type": ref.type if ref is not None else None,
        "species": ev.species or HUMAN,
        "status": ev.status,
        "supports": ev.supports,
    }
    if ev.evidence_type is not None:
        out["evidence_type"] = ev.evidence_type
    if ev.note:
        out["note"] = ev.note
    if ev.quote:
        out["quote"] = ev.quote
    if ref is not None:
        out["reference"] = {
            "id": ref.id,
            "type": ref.type,
            "first_author": ref.first_author,
            "title": ref.title,
            "venue": ref.venue,
            "year": ref.year,
            **({"url": ref.url} if ref.url else {}),
        }
    return out
