"""The pinned prefix map, CURIE syntax rules, and the closed il2kg vocabulary.

This module imports nothing heavy: the path and search commands use it without rdflib.
The rdflib ``DefinedNamespace`` of the vocabulary lives in :mod:`il2kg.rdf.vocab`.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote

#: Namespace of the il2kg ontology (classes and properties), prefix ``il2kg``.
VOCAB: Final = "https://w3id.org/il2kg/vocab/"
#: Namespace of project-local entities (no public identifier exists), prefix ``IL2KG``.
ENTITY: Final = "https://w3id.org/il2kg/entity/"
#: Namespace of statement (reified relation) nodes.
STATEMENT: Final = "https://w3id.org/il2kg/statement/"
#: Namespace of named, non-CURIE evidence sources.
SOURCE: Final = "https://w3id.org/il2kg/source/"
#: Works of the reference registry that have no public identifier (a REF: CURIE).
REFERENCE: Final = "https://w3id.org/il2kg/reference/"
ONTOLOGY_IRI: Final = "https://w3id.org/il2kg/ontology"
DATASET_IRI: Final = "https://w3id.org/il2kg/dataset"

#: Prefixes of entity and source identifiers: CURIE prefix -> IRI prefix.
#: OBO ontologies use their PURLs; other registries use identifiers.org-style IRIs.
PREFIXES: Final[dict[str, str]] = {
    "HGNC": "https://identifiers.org/hgnc:",
    "UniProtKB": "https://identifiers.org/uniprot:",
    "NCBIGene": "https://identifiers.org/ncbigene:",
    "CL": "http://purl.obolibrary.org/obo/CL_",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "HP": "http://purl.obolibrary.org/obo/HP_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "NCBITaxon": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "BFO": "http://purl.obolibrary.org/obo/BFO_",
    "UO": "http://purl.obolibrary.org/obo/UO_",
    "DrugBank": "https://identifiers.org/drugbank:",
    "Reactome": "https://identifiers.org/reactome:",
    "KEGG": "https://identifiers.org/kegg.pathway:",
    "WP": "https://identifiers.org/wikipathways:",
    "NCT": "https://identifiers.org/clinicaltrials:",
    "OMIM": "https://identifiers.org/mim:",
    "ORPHA": "https://identifiers.org/orphanet:",
    "MESH": "https://identifiers.org/mesh:",
    "UNII": "https://identifiers.org/unii:",
    "PMID": "https://identifiers.org/pubmed:",
    "PMC": "https://identifiers.org/pmc:",
    "DOI": "https://doi.org/",
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
    "REF": REFERENCE,
    "IL2KG": ENTITY,
}

#: W3C and other vocabularies bound in every output (and predeclared in SPARQL).
VOCABULARIES: Final[dict[str, str]] = {
    "il2kg": VOCAB,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "biolink": "https://w3id.org/biolink/vocab/",
    "fabio": "http://purl.org/spar/fabio/",
    "stmt": STATEMENT,
    "src": SOURCE,
}

#: Local-identifier syntax for each prefix (full match).
PATTERNS: Final[dict[str, re.Pattern[str]]] = {  # re.ASCII: \d is [0-9], never ٠ or ０
    "HGNC": re.compile(r"[1-9]\d*", re.ASCII),
    "UniProtKB": re.compile(
        r"(?:[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})(?:-\d+)?",
        re.ASCII,
    ),
    "NCBIGene": re.compile(r"[1-9]\d*", re.ASCII),
    "CL": re.compile(r"\d{7}", re.ASCII),
    "GO": re.compile(r"\d{7}", re.ASCII),
    "MONDO": re.compile(r"\d{7}", re.ASCII),
    "HP": re.compile(r"\d{7}", re.ASCII),
    "DOID": re.compile(r"[1-9]\d*", re.ASCII),
    "NCIT": re.compile(r"C\d+", re.ASCII),
    "CHEBI": re.compile(r"[1-9]\d*", re.ASCII),
    "UBERON": re.compile(r"\d{7}", re.ASCII),
    "NCBITaxon": re.compile(r"[1-9]\d*", re.ASCII),
    "RO": re.compile(r"\d{7}", re.ASCII),
    "BFO": re.compile(r"\d{7}", re.ASCII),
    "UO": re.compile(r"\d{7}", re.ASCII),
    "DrugBank": re.compile(r"DB\d{5}", re.ASCII),
    "Reactome": re.compile(r"R-[A-Z]{3}-\d+", re.ASCII),
    "KEGG": re.compile(r"(?:hsa|mmu|map)\d{5}", re.ASCII),
    "WP": re.compile(r"WP\d+", re.ASCII),
    "NCT": re.compile(r"NCT\d{8}", re.ASCII),
    "OMIM": re.compile(r"\d{6}", re.ASCII),
    "ORPHA": re.compile(r"[1-9]\d*", re.ASCII),
    "MESH": re.compile(r"[CDMT]\d{6,9}", re.ASCII),
    "UNII": re.compile(r"[A-Z0-9]{10}", re.ASCII),
    "PMID": re.compile(r"[1-9]\d{0,8}", re.ASCII),
    "PMC": re.compile(r"PMC\d+", re.ASCII),
    "DOI": re.compile(r"10\.\d{4,9}/[!-~]+", re.ASCII),
    "ECO": re.compile(r"\d{7}", re.ASCII),
    "REF": re.compile(r"[A-Za-z][A-Za-z0-9_.-]*", re.ASCII),
    "IL2KG": re.compile(r"[A-Za-z][A-Za-z0-9_.-]*", re.ASCII),
}

#: A human-readable form of each pattern, for error messages.
PATTERN_HINTS: Final[dict[str, str]] = {
    "HGNC": "digits, e.g. HGNC:6001",
    "UniProtKB": "a UniProt accession, e.g. UniProtKB:P60568",
    "NCBIGene": "digits, e.g. NCBIGene:3558",
    "CL": "seven digits, e.g. CL:0000815",
    "GO": "seven digits, e.g. GO:0038110",
    "MONDO": "seven digits, e.g. MONDO:0005086",
    "HP": "seven digits, e.g. HP:0001945",
    "UBERON": "seven digits",
    "RO": "seven digits",
    "BFO": "seven digits",
    "UO": "seven digits",
    "DrugBank": "DB and five digits, e.g. DrugBank:DB00041",
    "Reactome": "a stable id, e.g. Reactome:R-HSA-9020558",
    "KEGG": "an organism code and five digits, e.g. KEGG:hsa04630",
    "WP": "WP and digits, e.g. WP:WP2732",
    "NCT": "NCT and eight digits, e.g. NCT:NCT03635983",
    "OMIM": "six digits",
    "MESH": "a MeSH unique id, e.g. MESH:D002289",
    "PMID": "digits, e.g. PMID:21889323",
    "PMC": "PMC and digits, e.g. PMC:PMC3405730",
    "DOI": "10.<registrant>/<suffix>, e.g. DOI:10.1038/nri3156",
    "ECO": "seven digits, e.g. ECO:0000269",
    "REF": "a local reference key: a letter then letters, digits, '_', '-' or '.', e.g. REF:Smith1990",
    "IL2KG": "a letter then letters, digits, '_', '-' or '.'",
}

#: Prefixes whose identifiers are publications (evidence sources of the strongest kind).
PUBLICATION_PREFIXES: Final = frozenset({"PMID", "DOI", "PMC"})

_CURIE_RE = re.compile(r"([A-Za-z][A-Za-z0-9_.]*):(.+)", re.ASCII)


def split_curie(curie: str) -> tuple[str, str]:
    """Split ``PREFIX:local``; raise ``ValueError`` if it is not a CURIE of the pinned map."""
    m = _CURIE_RE.fullmatch(curie)
    if m is None:
        raise ValueError(f"{shown(curie)} is not a CURIE (PREFIX:identifier)")
    prefix, local = m.group(1), m.group(2)
    if prefix not in PREFIXES:
        known = ", ".join(sorted(PREFIXES, key=str.lower))
        raise ValueError(f"unknown prefix {shown(prefix)} in {shown(curie)} (known: {known})")
    return prefix, local


def check_curie(curie: str) -> str | None:
    """Return a message describing what is wrong with ``curie``, or ``None`` if it is valid."""
    try:
        prefix, local = split_curie(curie)
    except ValueError as exc:
        return str(exc)
    if not PATTERNS[prefix].fullmatch(local):
        hint = PATTERN_HINTS.get(prefix, "see docs/data-format.md")
        other = next((c for c in local if c.isdigit() and not c.isascii()), None)
        if other is not None:  # a homoglyph: ٠ (U+0660) and ０ (U+FF10) look like 0
            hint += f"; U+{ord(other):04X} is not one of the ASCII digits 0-9"
        return f"{shown(curie)} is not a valid {prefix} identifier (expected {hint})"
    return None


def expand(curie: str) -> str:
    """Expand a CURIE to its IRI through the pinned prefix map.

    >>> expand("CL:0000815")
    'http://purl.obolibrary.org/obo/CL_0000815'

    Raises ``ValueError`` for an unknown prefix.
    """
    prefix, local = split_curie(curie)
    if prefix == "DOI":
        local = doi_path(local)
    return PREFIXES[prefix] + local


#: Characters of a DOI kept as they are in its IRI; every other one is percent-encoded.
_DOI_SAFE: Final = "/:;()._-!$&'*+,=@~"


def doi_path(doi: str) -> str:
    """The IRI path of a DOI: characters an IRI path forbids are percent-encoded.

    DOIs may hold ``[`` ``]`` ``#`` ``?`` ``%`` ``<`` ``>`` ``"`` ``{`` ``}`` ``|`` ``\\`` ``^`` and
    backquotes; each is written as ``%XX`` (``%`` itself as ``%25``), as doi.org expects.

    >>> doi_path("10.1000/a[1]")
    '10.1000/a%5B1%5D'
    """
    return quote(doi, safe=_DOI_SAFE)


_ALL_PREFIXES: Final = sorted(
    {**PREFIXES, **VOCABULARIES}.items(), key=lambda kv: len(kv[1]), reverse=True
)


def compress(iri: str) -> str:
    """Shorten an IRI to a CURIE if a known prefix matches, else return it unchanged.

    >>> compress("https://identifiers.org/hgnc:6001")
    'HGNC:6001'
    """
    for prefix, base in _ALL_PREFIXES:
        if iri.startswith(base) and len(iri) > len(base):
            local = iri[len(base) :]
            if prefix == "DOI" and doi_path(unquote(local)) == local:
                local = unquote(local)  # the inverse of expand
            return f"{prefix}:{local}"
    return iri


def sparql_prologue() -> str:
    """PREFIX lines for every prefix of the map, for predeclaring in queries."""
    items = {**VOCABULARIES, **PREFIXES}
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(items.items()))


# -- user input in messages --------------------------------------------------------------------

#: Characters that must not reach a terminal raw: C0 and C1 controls (ESC starts CSI and OSC
#: sequences), DEL, line and paragraph separators, bidirectional overrides, surrogates and the
#: non-characters U+FFFE/U+FFFF.
_UNPRINTABLE: Final = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
#: Longest user value echoed in a message, in characters.
SHOWN_CHARS: Final = 80


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def printable(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\u202e``).

    What il2kg prints about user input goes through here, so that a label, key or CURIE cannot
    move the cursor, set a terminal title, make a hyperlink or start a fake line.
    """
    return _UNPRINTABLE.sub(_escape, text)


def shown(value: object, limit: int = SHOWN_CHARS, *, quote: bool = True) -> str:
    """A user value as a message shows it: printable, cut after ``limit`` characters.

    Text is put in single quotes (unless ``quote`` is false); other values are shown by ``repr``.
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters)"
    text = printable(text)
    return f"'{text}'" if quote and isinstance(value, str) else text
