"""Validated :class:`~il2kg.dataset.model.Dataset` -> RDF triples. The one place that builds RDF.

Conventions (documented in docs/data-format.md):
- an entity is typed by an ontology class, labelled (``rdfs:label``), with ``skos:altLabel``
  synonyms, ``skos:exactMatch`` cross-references and ``dcterms:description``;
- each relation is a direct triple ``s p o`` AND a statement node with a stable IRI
  (``stmt:<hash of the relation's key>``) typed ``rdf:Statement`` carrying evidence, status,
  qualifiers and quantities; a negated relation has only its statement node.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL

from il2kg._version import __version__
from il2kg.dataset.ids import statement_id
from il2kg.dataset.model import UNITS, Dataset, Entity, Reference, Relation
from il2kg.dataset.pubtypes import HUMAN
from il2kg.namespaces import (
    DATASET_IRI,
    PREFIXES,
    PUBLICATION_PREFIXES,
    REFERENCE,
    STATEMENT,
    VOCABULARIES,
    expand,
    split_curie,
)
from il2kg.rdf.vocab import IL2KG

DCAT = Namespace(VOCABULARIES["dcat"])
Triple = tuple[URIRef, URIRef, URIRef | Literal]
Add = Callable[[Triple], None]
_STATUS = {
    "verified": IL2KG.Verified,
    "expert_knowledge": IL2KG.ExpertKnowledge,
    "unverified": IL2KG.Unverified,
}
#: The two boolean literals, made once (rdflib literals are slow to make, and immutable)
_BOOL = {True: Literal(True), False: Literal(False)}


def bind_prefixes(g: Graph) -> Graph:
    """Bind every prefix of the pinned map (and the W3C vocabularies) on ``g``."""
    for prefix, iri in {**VOCABULARIES, **PREFIXES}.items():
        g.bind(prefix, Namespace(iri), override=True, replace=True)
    return g


def iri(curie: str) -> URIRef:
    """The IRI of a CURIE of the pinned prefix map."""
    return URIRef(expand(curie))


def _date_literal(value: str) -> Literal:
    dtype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=dtype)


# (predicate, getter, literal maker) for optional entity attributes
_ENTITY_FIELDS: list[tuple[URIRef, Callable[[Entity], Any], Callable[[Any], Literal]]] = [
    (DCTERMS.description, lambda e: e.description, lambda v: Literal(v)),
    (DCTERMS.date, lambda e: e.date, _date_literal),
    (IL2KG.eventType, lambda e: e.event_type, lambda v: Literal(v)),
    (IL2KG.trialPhase, lambda e: e.trial_phase, lambda v: Literal(v)),
    (IL2KG.route, lambda e: e.route, lambda v: Literal(v)),
    (IL2KG.dose, lambda e: e.dose, lambda v: Literal(v)),
]


def _add_entity(add: Add, ent: Entity) -> None:
    node = iri(ent.id)
    add((node, RDF.type, IL2KG[ent.type]))
    add((node, RDFS.label, Literal(ent.label)))
    add((node, DCTERMS.identifier, Literal(ent.id)))
    for syn in ent.synonyms:
        add((node, SKOS.altLabel, Literal(syn)))
    for x in ent.xrefs:
        add((node, SKOS.exactMatch, iri(x)))
    for pred, get, make in _ENTITY_FIELDS:
        value = get(ent)
        if value is not None:
            add((node, pred, make(value)))


FABIO = Namespace(VOCABULARIES["fabio"])
#: The SPAR FaBiO class of each publication type of the registry.
FABIO_CLASS: dict[str, URIRef] = {
    "primary_research": FABIO.ResearchPaper,
    "clinical_trial_report": FABIO.ClinicalTrialReport,
    "regulatory_label": FABIO.Expression,
    "database_record": FABIO.Entry,
    "review": FABIO.ReviewArticle,
    "meta_analysis": FABIO.SystematicReview,
    "guideline": FABIO.ClinicalGuideline,
    "web_page": FABIO.WebPage,
    "press_news": FABIO.NewsItem,
}


def reference_iri(ref_id: str) -> URIRef:
    """The IRI of a registry work.

    A publication (PMID, DOI, PMC) or a local work (REF) is its CURIE's IRI and a web page its
    URL; a database record gets a node of its own under the registry's base, so that the record
    (e.g. DrugBank:DB00041) stays distinct from the entity it describes, which may share its id.
    """
    if ref_id.startswith(("http://", "https://")):
        return URIRef(ref_id)
    prefix = split_curie(ref_id)[0]
    if prefix in PUBLICATION_PREFIXES or prefix == "REF":
        return iri(ref_id)
    return URIRef(REFERENCE + "record/" + quote(ref_id, safe=""))


def _add_reference(add: Add, ref: Reference) -> None:
    node = reference_iri(ref.id)
    add((node, RDF.type, IL2KG.Reference))
    add((node, RDF.type, FABIO_CLASS[ref.type]))
    if not ref.id.startswith(("http://", "https://")):
        add(
            (
                node,
                RDF.type,
                IL2KG.Publication
                if split_curie(ref.id)[0] in PUBLICATION_PREFIXES
                else IL2KG.InformationResource,
            )
        )
    add((node, DCTERMS.identifier, Literal(ref.id)))
    add((node, IL2KG.publicationType, Literal(ref.type)))
    add((node, DCTERMS.title, Literal(ref.title)))
    add((node, DCTERMS.creator, Literal(ref.first_author)))
    if ref.year is not None:
        add((node, DCTERMS.date, Literal(f"{ref.year:04d}", datatype=XSD.gYear)))
    add((node, DCTERMS.publisher, Literal(ref.venue)))
    add((node, DCTERMS.bibliographicCitation, Literal(ref.citation())))
    if not ref.id.startswith(("http://", "https://")) and node != iri(ref.id):
        add((node, RDFS.seeAlso, iri(ref.id)))
    for sp in ref.species:
        add((node, IL2KG.studiedSpecies, iri(sp)))
    for x in ref.xrefs:
        add((node, SKOS.exactMatch, iri(x)))
    if ref.url is not None:
        add((node, RDFS.seeAlso, URIRef(ref.url)))


def _add_relation(add: Add, rel: Relation) -> None:
    s, p, o = iri(rel.subject), IL2KG[rel.predicate], iri(rel.object)
    if not rel.negated:
        add((s, p, o))
    sid = statement_id(rel)
    st = URIRef(STATEMENT + sid)
    add((st, RDF.type, RDF.Statement))
    add((st, RDF.type, IL2KG.CuratedStatement))
    add((st, RDF.subject, s))
    add((st, RDF.predicate, p))
    add((st, RDF.object, o))
    add((st, IL2KG.negated, _BOOL[rel.negated]))
    add((st, IL2KG.direct, _BOOL[rel.direct]))
    for eid in rel.via:
        add((st, IL2KG.via, iri(eid)))
    add((st, IL2KG.curationStatus, _STATUS[rel.best_status()]))
    if rel.comment:
        add((st, RDFS.comment, Literal(rel.comment)))
    for j, ev in enumerate(rel.evidence, start=1):
        src = reference_iri(ev.source)
        add((st, DCTERMS.source, src))
        en = URIRef(f"{STATEMENT}{sid}-e{j}")
        add((st, IL2KG.hasEvidence, en))
        add((en, RDF.type, IL2KG.Evidence))
        add((en, DCTERMS.source, src))
        add((en, IL2KG.citesReference, src))
        add((en, IL2KG.curationStatus, _STATUS[ev.status]))
        add((en, IL2KG.studiedSpecies, iri(ev.species or HUMAN)))
        if ev.evidence_type is not None:
            add((en, IL2KG.evidenceType, iri(ev.evidence_type)))
        if not ev.supports:
            add((en, IL2KG.refutes, _BOOL[True]))
        if ev.note:
            add((en, RDFS.comment, Literal(ev.note)))
        if ev.quote:
            add((en, IL2KG.evidenceQuote, Literal(ev.quote)))
    q = rel.qualifiers
    if q is not None:
        if q.cell_type:
            add((st, IL2KG.inCellType, iri(q.cell_type)))
        if q.species:
            add((st, IL2KG.inSpecies, iri(q.species)))
        if q.regimen:
            add((st, IL2KG.underRegimen, iri(q.regimen)))
        if q.route:
            add((st, IL2KG.route, Literal(q.route)))
        if q.disease_stage:
            add((st, IL2KG.diseaseStage, Literal(q.disease_stage)))
        if q.population:
            add((st, IL2KG.population, Literal(q.population)))
        if q.agency:
            add((st, IL2KG.agency, Literal(q.agency)))
        if q.year is not None:
            add((st, IL2KG.labelYear, Literal(q.year, datatype=XSD.integer)))
    for k, qty in enumerate(rel.quantities, start=1):
        qn = URIRef(f"{STATEMENT}{sid}-q{k}")
        add((st, IL2KG.hasQuantity, qn))
        add((qn, RDF.type, IL2KG.Quantity))
        add((qn, IL2KG.quantityKind, Literal(qty.kind)))
        add((qn, IL2KG.quantityValue, Literal(Decimal(repr(qty.value)), datatype=XSD.decimal)))
        add((qn, IL2KG.unitCode, Literal(UNITS[qty.unit])))
        add((qn, IL2KG.comparator, Literal(qty.comparator)))
        if qty.note:
            add((qn, RDFS.comment, Literal(qty.note)))


def dataset_digest(ds: Dataset) -> str:
    """A content digest of the curated data (independent of file layout and order)."""
    h = hashlib.sha256()
    for eid in sorted(ds.entities):
        h.update(ds.entities[eid].model_dump_json().encode())
    for key in sorted(r.model_dump_json() for r in ds.relations):
        h.update(key.encode())
    for rid in sorted(ds.references):
        h.update(ds.references[rid].model_dump_json().encode())
    return h.hexdigest()


def dataset_triples(ds: Dataset) -> Iterator[Triple]:
    """Every triple of the data graph of a validated dataset (ontology not included).

    Yields plain tuples of rdflib terms in a deterministic order, one entity or relation at a
    time (a triple may repeat: a source cited by several relations). Streaming them is several
    times cheaper in time and memory than an rdflib graph, which only some outputs need (see
    :func:`build_graph`).
    """
    node = URIRef(DATASET_IRI)
    title = "il2kg: a knowledge graph of interleukin-2 immunology"
    yield (node, RDF.type, DCAT.Dataset)
    yield (node, DCTERMS.title, Literal(title, lang="en"))
    yield (node, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/"))
    yield (node, OWL.versionInfo, Literal(__version__))
    yield (node, DCTERMS.hasVersion, Literal("sha256:" + dataset_digest(ds)))
    batch: list[Triple] = []
    for eid in sorted(ds.entities):
        _add_entity(batch.append, ds.entities[eid])
        yield from batch
        batch.clear()
    for rel in sorted(ds.relations, key=lambda r: r.key()):
        _add_relation(batch.append, rel)
        yield from batch
        batch.clear()
    for rid in sorted(ds.references):
        _add_reference(batch.append, ds.references[rid])
        yield from batch
        batch.clear()


def build_graph(ds: Dataset) -> Graph:
    """The data graph of a validated dataset as an rdflib ``Graph`` with every prefix bound."""
    g = bind_prefixes(Graph())
    g.addN((s, p, o, g) for s, p, o in dataset_triples(ds))
    return g
