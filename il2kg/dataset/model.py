"""The curators' data model: frozen, strict pydantic models of entities and relations.

Strict mode means no silent coercion: ``label: NO`` (YAML 1.1 for False) is refused, not turned
into the string "False". Field descriptions are the reference of the YAML format.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

#: Free text: no control characters other than tab and newline (nor U+2028/U+2029, U+0085).
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]*$"
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000, pattern=_NO_CONTROL),
]
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

_DATE_RE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
_IRI_TAIL = re.compile(r"(?:[^\x00-\x20<>\"'{}|\\^`%\x7f-\x9f]|%[0-9A-Fa-f]{2})*")


def check_http_iri(url: str) -> None:
    """Raise ``ValueError`` unless ``url`` is an absolute http(s) IRI with a plain host name.

    Refuses other schemes (``javascript:``, ``data:``), characters that IRIs forbid (and
    quotes), stray
    ``%`` signs, bad ports and IP-literal hosts, so that every accepted URL is a valid link
    target and a valid RDF IRI.
    """
    m = re.fullmatch(r"(https?)://([^/?#]+)([/?#].*)?", url)
    if m is None:
        raise ValueError("url must be an http:// or https:// address")
    authority = m.group(2)
    userinfo, at, hostport = authority.rpartition("@")
    if at and not re.fullmatch(r"(?:[A-Za-z0-9._~!$&()*+,;=:-]|%[0-9A-Fa-f]{2})*", userinfo):
        raise ValueError(f"url has an invalid user part: '{authority}'")
    host, _, port = hostport.partition(":")
    if not _HOST.fullmatch(host) or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ValueError(f"url has an invalid host or port: '{m.group(2)}'")
    if not _IRI_TAIL.fullmatch(m.group(3) or ""):
        raise ValueError("url has characters that are not allowed in an IRI (escape them as %XX)")


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
            raise ValueError(f"'{value}' is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        if len(value) == 10:
            _dt.date.fromisoformat(value)  # raises for 2023-02-30
        return value
    return value


class Evidence(BaseModel):
    """One citation for a relation."""

    model_config = _STRICT

    source: Curie | None = Field(
        None,
        description="A CURIE of the source: PMID:, DOI:, PMC:, or a database entry (UniProtKB:, NCT: ...).",
    )
    name: Text | None = Field(
        None,
        description="A named public source without an identifier (a drug label, a press release).",
    )
    url: Text | None = Field(None, description="An http(s) address of the named source.")
    status: Status = Field(description="verified, expert_knowledge or unverified.")
    note: Text | None = Field(None, description="A curator's note on what the source supports.")
    quote: Text | None = Field(None, description="A short quotation from the source.")

    @model_validator(mode="after")
    def _has_source(self) -> Evidence:
        if self.source is None and self.name is None:
            raise ValueError("evidence needs a 'source' CURIE or a 'name'")
        return self

    @field_validator("url")
    @classmethod
    def _http_only(cls, v: str | None) -> str | None:
        if v is not None:
            check_http_iri(v)
        return v


class Quantity(BaseModel):
    """A measured value with its unit."""

    model_config = _STRICT

    kind: QuantityKind = Field(description="What is measured.")
    value: float = Field(description="The number (a plain YAML number; 1.0e-11 for 10^-11).")
    unit: Unit = Field(description="The unit; written to RDF as a UCUM code.")
    comparator: Literal["=", "~", "<", ">", "<=", ">="] = Field(
        "=", description="'~' for approximate values."
    )
    note: Text | None = Field(None, description="What the value refers to (arm, subgroup).")


class Qualifiers(BaseModel):
    """The context in which a relation holds."""

    model_config = _STRICT

    cell_type: Curie | None = Field(None, description="An entity id of a CellType.")
    species: Curie | None = Field(None, description="An NCBITaxon CURIE (NCBITaxon:9606 human).")
    regimen: Curie | None = Field(None, description="An entity id of a TherapyRegimen.")
    route: Route | None = Field(None, description="Route of administration.")
    disease_stage: Text | None = Field(None, description="metastatic, unresectable, stage III ...")
    population: Text | None = Field(None, description="The patient population.")

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
    type: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z]+$")] = Field(
        description="A class of the ontology (Cytokine, ReceptorComplex, CellType ...)."
    )
    label: Text = Field(description="The preferred label.")
    synonyms: list[Text] = Field(default_factory=list, description="Other names.")
    xrefs: list[Curie] = Field(default_factory=list, description="Cross-references (CURIEs).")
    description: Text | None = Field(None, description="A sentence or two.")
    date: str | None = Field(None, description="TimelineEvent only: YYYY, YYYY-MM or YYYY-MM-DD.")
    event_type: EventType | None = Field(None, description="TimelineEvent only.")
    trial_phase: Annotated[str, StringConstraints(pattern=r"^[1-4](/[1-4])?[ab]?$")] | None = Field(
        None, description="ClinicalTrial only: 1, 1/2, 2, 3, 1b ..."
    )
    route: Route | None = Field(None, description="TherapyRegimen only: route of administration.")
    dose: Text | None = Field(None, description="TherapyRegimen only: dose and schedule in words.")

    _coerce = field_validator("date", mode="before")(classmethod(lambda cls, v: _coerce_date(v)))


class Relation(BaseModel):
    """A curated relation ``subject predicate object`` with its evidence."""

    model_config = _STRICT

    subject: Curie = Field(description="An entity id.")
    predicate: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")] = Field(
        description="A curated predicate of the ontology (binds, part_of ...)."
    )
    object: Curie = Field(description="An entity id.")
    negated: bool = Field(False, description="True: the relation does NOT hold.")
    qualifiers: Qualifiers | None = Field(None, description="The context of the relation.")
    quantities: list[Quantity] = Field(default_factory=list, description="Measured values.")
    evidence: list[Evidence] = Field(min_length=1, description="At least one citation.")
    comment: Text | None = Field(None, description="A curator's remark on the relation as a whole.")

    def key(self) -> tuple[str, ...]:
        """The identity of the relation: subject, predicate, object, negation and qualifiers."""
        q = self.qualifiers.model_dump(exclude_none=True) if self.qualifiers else {}
        quals = tuple(f"{k}={v}" for k, v in sorted(q.items()))
        return (self.subject, self.predicate, self.object, str(self.negated), *quals)

    def best_status(self) -> Status:
        """The strongest curation status among the evidence items."""
        return min((e.status for e in self.evidence), key=STATUS_RANK.__getitem__)


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

    def relation_label(self, i: int) -> str:
        r = self.relations[i]
        neg = "NOT " if r.negated else ""
        return f"relation {r.subject} {neg}{r.predicate} {r.object}"
