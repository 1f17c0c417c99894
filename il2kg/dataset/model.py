"""The curators' data model: frozen, strict pydantic models of entities and relations.

Strict mode means no silent coercion: ``label: NO`` (YAML 1.1 for False) is refused, not turned
into the string "False". Field descriptions are the reference of the YAML format.

Why this module is longer than ~400 lines: it is the whole curated format in one place, every
model with the field descriptions that are the format's reference, and the dataset container.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from il2kg.namespaces import shown

#: Longest text field, in characters (labels, descriptions, notes, quotes ...).
MAX_TEXT = 10_000
#: Most synonyms, cross-references, evidence items or quantities of one entity or relation.
MAX_LIST = 1_000

#: Characters refused in text: C0/C1 controls other than tab and newline (CR included: line
#: breaks are newlines), U+2028/U+2029, and what XML 1.0 cannot hold (surrogates, U+FFFE/U+FFFF).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: str, *, one_line: bool) -> str:
    if (m := _CONTROL.search(value)) is not None:
        raise ValueError(f"contains the control character U+{ord(m.group()):04X}: remove it")
    if (m := _NOT_XML.search(value)) is not None:
        raise ValueError(f"contains U+{ord(m.group()):04X}, which XML cannot hold: remove it")
    if one_line and "\n" in value:
        raise ValueError("contains a line break: write it on one line")
    return unicodedata.normalize("NFC", value)


def _multi_line(value: str) -> str:
    return _text(value, one_line=False)


def _one_line(value: str) -> str:
    return _text(value, one_line=True)


_TEXT_LIMITS = StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
#: Free text (NFC-normalised): descriptions, notes, quotes, comments.
Text = Annotated[str, _TEXT_LIMITS, AfterValidator(_multi_line)]
#: One line of text (NFC-normalised): labels, synonyms, names, doses, populations.
Line = Annotated[str, _TEXT_LIMITS, AfterValidator(_one_line)]
Curie = Annotated[str, StringConstraints(min_length=3, max_length=300)]

Status = Literal["verified", "expert_knowledge", "unverified"]
STATUS_RANK: dict[str, int] = {"verified": 0, "expert_knowledge": 1, "unverified": 2}

Route = Literal[
    "intravenous",
    "subcutaneous",
    "intralesional",
    "intramuscular",
    "oral",
    "intratumoral",
    "inhaled",
]

#: Units curators may write -> their UCUM code (the form written to RDF).
UNITS: dict[str, str] = {
    "M": "mol/L",
    "mM": "mmol/L",
    "uM": "umol/L",
    "nM": "nmol/L",
    "pM": "pmol/L",
    "%": "%",
    "fraction": "1",
    "ratio": "1",
    "count": "1",
    "patients": "{patients}",
    "IU/kg": "[iU]/kg",
    "MIU/m2": "10*6.[iU]/m2",
    "MIU/m2/day": "10*6.[iU]/m2/d",
    "MIU/day": "10*6.[iU]/d",
    "IU/m2/day": "[iU]/m2/d",
    "ug/kg": "ug/kg",
    "ug/day": "ug/d",
    "mg/kg": "mg/kg",
    "mg/m2": "mg/m2",
    "kDa": "kDa",
    "aa": "{amino_acids}",
    "month": "mo",
    "week": "wk",
    "day": "d",
    "hour": "h",
    "1e9 cells": "10*9.{cells}",
}
Unit = Literal[
    "M",
    "mM",
    "uM",
    "nM",
    "pM",
    "%",
    "fraction",
    "ratio",
    "count",
    "patients",
    "IU/kg",
    "MIU/m2",
    "MIU/m2/day",
    "MIU/day",
    "IU/m2/day",
    "ug/kg",
    "ug/day",
    "mg/kg",
    "mg/m2",
    "kDa",
    "aa",
    "month",
    "week",
    "day",
    "hour",
    "1e9 cells",
]

QuantityKind = Literal[
    "dissociation_constant",
    "objective_response_rate",
    "complete_response_rate",
    "partial_response_rate",
    "response_rate",
    "disease_control_rate",
    "median_overall_survival",
    "median_progression_free_survival",
    "median_relapse_free_survival",
    "hazard_ratio",
    "adverse_event_rate",
    "treatment_related_mortality",
    "dose",
    "cell_dose",
    "sample_size",
    "fold_change",
    "percent_change",
    "molecular_mass",
    "length",
    "duration",
]

_DATE_RE = re.compile(r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01]))?)?")

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
# RFC 3987 (IRIs), without the quote characters ' and " (sub-delims minus ', for safe HTML)
_UCS = (
    "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(p * 0x10000)}-{chr(p * 0x10000 + 0xFFFD)}" for p in range(1, 14))
    + "\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_PCHAR = f"(?:[A-Za-z0-9\\-._~{_UCS}!$&()*+,;=:@]|%[0-9A-Fa-f]{{2}})"
_IRI_TAIL = re.compile(
    f"(?P<path>(?:/{_PCHAR}*)*)"
    f"(?:\\?(?P<query>(?:{_PCHAR}|[/?{_IPRIVATE}])*))?"
    f"(?:#(?P<fragment>(?:{_PCHAR}|[/?])*))?"
)
_USERINFO = re.compile(r"(?:[A-Za-z0-9._~!$&()*+,;=:-]|%[0-9A-Fa-f]{2})*")
_PORT = re.compile(r"[0-9]{1,5}")


def check_http_iri(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is an absolute http(s) IRI with a plain host name.

    Refuses other schemes (``javascript:``, ``data:``), characters that IRIs forbid (``[``,
    ``]``, a second ``#``, spaces, quotes ...), stray ``%`` signs, bad ports and IP-literal
    hosts, so that every accepted URL is a valid link target and a valid RDF IRI (RFC 3987).
    """
    m = re.fullmatch(r"(https?)://([^/?#]+)([/?#].*)?", url, re.DOTALL)
    if m is None:
        raise ValueError("url must be an http:// or https:// address")
    authority = m.group(2)
    userinfo, at, hostport = authority.rpartition("@")
    if at and not _USERINFO.fullmatch(userinfo):
        raise ValueError(f"url has an invalid user part: {shown(authority)}")
    host, _, port = hostport.partition(":")
    if not _HOST.fullmatch(host) or (
        port and not (_PORT.fullmatch(port) and 0 < int(port) < 65536)
    ):
        raise ValueError(f"url has an invalid host or port: {shown(authority)}")
    tail = m.group(3) or ""
    if not _IRI_TAIL.fullmatch(tail):
        good = _IRI_TAIL.match(tail)
        at_ = good.end() if good else 0
        bad = tail[at_] if at_ < len(tail) else "%"
        if bad == "%":
            hint = "write a '%' sign as %25"
        elif bad == "#":
            hint = "a url has at most one '#': escape the others as %23"
        else:
            hint = "escape it as " + "".join(f"%{b:02X}" for b in bad.encode("utf-8"))
        raise ValueError(
            f"url has a character that is not allowed in an IRI, {shown(bad)} "
            f"at position {len(url) - len(tail) + at_ + 1}: {hint}"
        )


_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


def _coerce_date(value: Any) -> Any:
    """Accept a YAML date (1976-09-10) or a quoted 'YYYY' / 'YYYY-MM' / 'YYYY-MM-DD' string."""
    if isinstance(value, _dt.datetime):
        raise ValueError("a date must not carry a time")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(f"quote the year as text: '{value}'")
    if isinstance(value, str):
        if not _DATE_RE.fullmatch(value):
            raise ValueError(
                f"{shown(value)} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"
            )
        if len(value) == 10:
            _dt.date.fromisoformat(value)  # raises for 2023-02-30
        return value
    return value


#: Publication types of the reference registry (a closed list).
PubType = Literal[
    "primary_research",
    "clinical_trial_report",
    "regulatory_label",
    "database_record",
    "review",
    "meta_analysis",
    "guideline",
    "web_page",
    "press_news",
]


class Reference(BaseModel):
    """One cited work of the reference registry (``data/references.yaml``)."""

    model_config = _STRICT

    id: Curie = Field(
        description="PMID:, DOI:, PMC: (publications), NCT:, a database record's CURIE, REF: for "
        "a work without a public identifier, or the https URL of a label or page."
    )
    type: PubType = Field(description="The publication type (a closed list).")
    first_author: Line = Field(description="First author as 'Surname AB', or the organisation.")
    title: Line = Field(description="The title as published (the record's name for databases).")
    venue: Line = Field(description="Journal, publisher, database or site.")
    year: int | None = Field(
        None, description="Year of publication (of the version read, for records and pages)."
    )
    checked: bool = Field(
        True,
        description="False: the registry's curator could not read this work (its title and year "
        "are as cited, unconfirmed); evidence citing it cannot be 'verified'.",
    )
    species: list[Curie] = Field(
        default_factory=list,
        description="NCBITaxon ids of the organisms studied (empty: not species-specific).",
    )
    url: Line | None = Field(None, description="Where it can be read (http(s)).")
    xrefs: list[Curie] = Field(default_factory=list, description="Other ids of the same work.")
    note: Text | None = Field(None, description="What the curator read, or could not find.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, v: str | None) -> str | None:
        if v is not None:
            check_http_iri(v)
        return v

    def citation(self) -> str:
        """The work as people cite it: ``Johnston 1995 Proc Natl Acad Sci U S A``."""
        words = self.first_author.split()
        # "Johnston JA" -> Johnston; an organisation ("Reactome", "R&D Systems") stays whole
        name = (
            words[0]
            if len(words) == 2 and words[1].isupper() and len(words[1]) <= 3
            else self.first_author
        )
        year = f" {self.year}" if self.year is not None else ""
        if name.startswith("(") or name == self.venue:  # an organisation, or no author shown
            return f"{self.venue}{year}"
        return f"{name}{year} {self.venue}"


class Evidence(BaseModel):
    """One citation of a registry work for a relation, with the context it was read in."""

    model_config = _STRICT

    source: Curie = Field(description="The id of a work of the reference registry.")
    status: Status = Field(description="verified, expert_knowledge or unverified.")
    species: Curie | None = Field(
        None,
        description="NCBITaxon id of the organism this evidence is about; required when the "
        "source studied another organism than human (the default).",
    )
    evidence_type: Curie | None = Field(
        None, description="An ECO class from the ontology's closed list (ECO:0000269 ...)."
    )
    supports: bool = Field(True, description="False: the source refutes the claim.")
    note: Text | None = Field(None, description="A curator's note on what the source supports.")
    quote: Text | None = Field(None, description="A short quotation from the source.")


class Quantity(BaseModel):
    """A measured value with its unit."""

    model_config = _STRICT

    kind: QuantityKind = Field(description="What is measured.")
    value: int | float = Field(
        description="The number (a plain YAML number; 1.0e-11 for 10^-11); big integers stay exact."
    )
    unit: Unit = Field(description="The unit; written to RDF as a UCUM code.")
    comparator: Literal["=", "~", "<", ">", "<=", ">="] = Field(
        "=", description="'~' for approximate values."
    )
    note: Text | None = Field(None, description="What the value refers to (arm, subgroup).")

    @field_validator("value")
    @classmethod
    def _exact(cls, v: int | float) -> int | float:
        # a float holds every integer up to 2**53 exactly; larger ones stay ints, so that
        # 12345678901234567891 is not rewritten as 1.2345678901234567e+19
        return float(v) if isinstance(v, int) and abs(v) <= 2**53 else v


Agency = Literal["FDA", "EMA", "PMDA", "MHRA", "Health Canada", "TGA", "Swissmedic", "NMPA"]


class Qualifiers(BaseModel):
    """The context in which a relation holds."""

    model_config = _STRICT

    cell_type: Curie | None = Field(None, description="An entity id of a CellType.")
    species: Curie | None = Field(None, description="An NCBITaxon CURIE (NCBITaxon:9606 human).")
    regimen: Curie | None = Field(None, description="An entity id of a TherapyRegimen.")
    route: Route | None = Field(None, description="Route of administration.")
    disease_stage: Line | None = Field(None, description="metastatic, unresectable, stage III ...")
    population: Line | None = Field(None, description="The patient population.")
    agency: Agency | None = Field(
        None, description="indicated_for: the regulator whose label states the use (FDA, EMA ...)."
    )
    year: int | None = Field(None, description="indicated_for: the year of that labelled use.")

    def is_empty(self) -> bool:
        return all(v is None for v in self.model_dump().values())


EventType = Literal[
    "discovery",
    "cloning",
    "structure",
    "mechanism",
    "clinical_first",
    "trial_result",
    "approval",
    "withdrawal",
    "regulatory",
    "genetics",
    "publication",
    "nomenclature",
]


class Entity(BaseModel):
    """A curated entity: anything with an identifier and a type from the ontology."""

    model_config = _STRICT

    id: Curie = Field(description="A CURIE; IL2KG: only where no public identifier exists.")
    type: Annotated[str, StringConstraints(max_length=100, pattern=r"^[A-Z][A-Za-z]+$")] = Field(
        description="A class of the ontology (Cytokine, ReceptorComplex, CellType ...)."
    )
    label: Line = Field(description="The preferred label.")
    synonyms: list[Line] = Field(
        default_factory=list, max_length=MAX_LIST, description="Other names."
    )
    xrefs: list[Curie] = Field(
        default_factory=list, max_length=MAX_LIST, description="Cross-references (CURIEs)."
    )
    description: Text | None = Field(None, description="A sentence or two.")
    date: str | None = Field(None, description="TimelineEvent only: YYYY, YYYY-MM or YYYY-MM-DD.")
    event_type: EventType | None = Field(None, description="TimelineEvent only.")
    trial_phase: Annotated[str, StringConstraints(pattern=r"^[1-4](/[1-4])?[ab]?$")] | None = Field(
        None, description="ClinicalTrial only: 1, 1/2, 2, 3, 1b ..."
    )
    route: Route | None = Field(None, description="TherapyRegimen only: route of administration.")
    dose: Line | None = Field(None, description="TherapyRegimen only: dose and schedule in words.")

    _coerce = field_validator("date", mode="before")(classmethod(lambda cls, v: _coerce_date(v)))


class Relation(BaseModel):
    """A curated relation ``subject predicate object`` with its evidence."""

    model_config = _STRICT

    subject: Curie = Field(description="An entity id.")
    predicate: Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z][a-z_]*$")] = Field(
        description="A curated predicate of the ontology (binds, part_of ...)."
    )
    object: Curie = Field(description="An entity id.")
    negated: bool = Field(False, description="True: the relation does NOT hold.")
    direct: bool = Field(
        True,
        description="False: an indirect summary of a chain of direct events (name them in 'via').",
    )
    via: list[Curie] = Field(
        default_factory=list,
        description="A summary relation's mechanism: the entities between subject and object, "
        "in order.",
    )
    qualifiers: Qualifiers | None = Field(None, description="The context of the relation.")
    quantities: list[Quantity] = Field(
        default_factory=list, max_length=MAX_LIST, description="Measured values."
    )
    evidence: list[Evidence] = Field(
        min_length=1, max_length=MAX_LIST, description="At least one citation."
    )
    comment: Text | None = Field(None, description="A curator's remark on the relation as a whole.")

    def key(self) -> tuple[str, ...]:
        """The identity of the relation: subject, predicate, object, negation and qualifiers."""
        q = self.qualifiers.model_dump(exclude_none=True) if self.qualifiers else {}
        quals = tuple(f"{k}={v}" for k, v in sorted(q.items()))
        return (self.subject, self.predicate, self.object, str(self.negated), *quals)

    def best_status(self) -> Status:
        """The strongest curation status among the evidence items that support the claim."""
        items = [e for e in self.evidence if e.supports] or self.evidence
        return min((e.status for e in items), key=STATUS_RANK.__getitem__)


# -- the dataset ----------------------------------------------------------------------------------

Location = tuple[str, int, int]


@dataclass
class Dataset:
    """The curated entities and relations, with where each was written."""

    entities: dict[str, Entity] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    entity_locations: dict[str, Location] = field(default_factory=dict)
    relation_locations: list[Location] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    references: dict[str, Reference] = field(default_factory=dict)
    reference_locations: dict[str, Location] = field(default_factory=dict)
    #: ids of reference records that failed to read (their problems are reported already)
    broken_references: set[str] = field(default_factory=set)
    #: works cited by relations that failed to read (so their records do not look uncited)
    broken_citations: set[str] = field(default_factory=set)

    def relation_label(self, i: int) -> str:
        r = self.relations[i]
        neg = "NOT " if r.negated else ""
        return f"relation {r.subject} {neg}{r.predicate} {r.object}"
