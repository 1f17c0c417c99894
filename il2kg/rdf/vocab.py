"""The closed il2kg vocabulary as an rdflib ``DefinedNamespace``.

``_fail = True``: a typo such as ``IL2KG.bindz`` raises instead of minting a new IRI. A test checks
that every term here is declared in ``ontology/il2kg.ttl`` and the other way round.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

from il2kg.namespaces import VOCAB


class IL2KG(DefinedNamespace):
    """Classes, curated predicates and bookkeeping properties of the il2kg ontology."""

    _fail = True
    _NS = Namespace(VOCAB)

    Adaptor: URIRef
    AdverseEvent: URIRef
    Antibody: URIRef
    Biologic: URIRef
    BiologicalProcess: URIRef
    CellTherapy: URIRef
    CellType: URIRef
    ClinicalTrial: URIRef
    Combination: URIRef
    CuratedStatement: URIRef
    CurationStatus: URIRef
    Cytokine: URIRef
    Disease: URIRef
    Drug: URIRef
    Effect: URIRef
    EngineeredCytokine: URIRef
    Entity: URIRef
    Evidence: URIRef
    ExpertKnowledge: URIRef
    FusionToxin: URIRef
    GeneOrProtein: URIRef
    GeneticDisease: URIRef
    Immunocytokine: URIRef
    InformationResource: URIRef
    Intervention: URIRef
    Kinase: URIRef
    MolecularEntity: URIRef
    MolecularFunction: URIRef
    NegativeEffect: URIRef
    NoEffect: URIRef
    Phosphatase: URIRef
    PositiveEffect: URIRef
    ProteinComplex: URIRef
    Publication: URIRef
    Quantity: URIRef
    ReceptorChain: URIRef
    ReceptorComplex: URIRef
    RecombinantCytokine: URIRef
    Reference: URIRef
    STAT: URIRef
    SignalingInhibitor: URIRef
    SignalingPathway: URIRef
    SignalingProtein: URIRef
    SmallMolecule: URIRef
    Source: URIRef
    TherapyRegimen: URIRef
    TimelineEvent: URIRef
    TranscriptionFactor: URIRef
    Unverified: URIRef
    Vaccine: URIRef
    Verified: URIRef
    activates: URIRef
    acts_on: URIRef
    agency: URIRef
    approved_for: URIRef
    associates_with: URIRef
    better_tolerated_than: URIRef
    binds: URIRef
    biomarker_for: URIRef
    citesReference: URIRef
    comparator: URIRef
    concerns: URIRef
    consumed_by: URIRef
    curatedRelation: URIRef
    curationStatus: URIRef
    decreases_expression_of: URIRef
    dephosphorylates: URIRef
    depletes: URIRef
    derived_from: URIRef
    direct: URIRef
    diseaseStage: URIRef
    dose: URIRef
    effect: URIRef
    enables: URIRef
    evaluated_in: URIRef
    eventType: URIRef
    evidenceQuote: URIRef
    evidenceType: URIRef
    evidenceTypes: URIRef
    expands: URIRef
    expressed_in: URIRef
    hasEvidence: URIRef
    hasQuantity: URIRef
    has_adverse_event: URIRef
    has_component: URIRef
    genetically_associated_with: URIRef
    has_genetic_basis_in: URIRef
    has_part: URIRef
    has_phenotype: URIRef
    inCellType: URIRef
    inSpecies: URIRef
    in_clinical_trials_for: URIRef
    increases_expression_of: URIRef
    indicated_for: URIRef
    inhibits: URIRef
    labelYear: URIRef
    negated: URIRef
    part_of: URIRef
    participates_in: URIRef
    phosphorylates: URIRef
    population: URIRef
    preferentially_binds: URIRef
    produced_by: URIRef
    promotes: URIRef
    publicationType: URIRef
    quantityKind: URIRef
    quantityValue: URIRef
    recruits: URIRef
    refutes: URIRef
    route: URIRef
    studiedSpecies: URIRef
    studies_condition: URIRef
    subtype_of: URIRef
    suppresses: URIRef
    targets: URIRef
    trialPhase: URIRef
    underRegimen: URIRef
    unitCode: URIRef
    via: URIRef
