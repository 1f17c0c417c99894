"""The query layout every backend sees, and the query choices with their defaults.

Constants only (plus the two in-memory store builders): the CLI derives its choices and defaults
from here without importing an engine. The data is the default graph and the ontology the named
graph ``<https://w3id.org/il2kg/ontology>``; ``--reasoning rdfs`` materialises :data:`RDFS_RULES`.
"""

from __future__ import annotations

from typing import Any, Final, Literal, get_args

from il2kg.errors import OptionError
from il2kg.namespaces import ONTOLOGY_IRI, VOCABULARIES
from il2kg.resources import ontology_dir

Engine = Literal["oxigraph", "rdflib"]
Reasoning = Literal["none", "rdfs"]
Store = Literal["memory", "oxigraph"]
#: Where ``--store`` keeps the data: the rdflib Graph API over one of these.
STORES: Final[tuple[str, ...]] = get_args(Store)
ENGINES: Final[tuple[str, ...]] = get_args(Engine)
REASONING: Final[tuple[str, ...]] = get_args(Reasoning)
DEFAULT_ENGINE: Final = "oxigraph"
DEFAULT_REASONING: Final = "none"
#: Seconds a query may run (the child process is killed after that).
DEFAULT_TIMEOUT: Final = 5.0
#: Rows (or triples) returned at most; more are counted, not returned.
DEFAULT_LIMIT: Final = 10_000
#: Answers counted at most beyond the limit.
COUNT_CAP: Final = 1_000_000
#: The longest query text, in UTF-8 bytes: the endpoint's request limit, and what
#: ``il2kg query`` reads at most of a query file or standard input.
MAX_QUERY_BYTES: Final = 256 * 1024

_RDFS = VOCABULARIES["rdfs"]

# -- reasoning ------------------------------------------------------------------------------------

_ONT = f"<{ONTOLOGY_IRI}>"
#: The materialisation of ``--reasoning rdfs``: SPARQL Updates run in this order.
RDFS_RULES: Final = (
    # owl:inverseOf, declared in either direction
    f"INSERT {{ ?o ?q ?s }} WHERE {{ GRAPH {_ONT} {{ {{ ?p owl:inverseOf ?q }} UNION "
    f"{{ ?q owl:inverseOf ?p }} }} ?s ?p ?o . FILTER(isIRI(?o) && isIRI(?q)) }}",
    f"INSERT {{ ?o ?p ?s }} WHERE {{ GRAPH {_ONT} {{ ?p a owl:SymmetricProperty }} "
    f"?s ?p ?o . FILTER(isIRI(?o)) }}",
    # rdfs7: sub-properties
    f"INSERT {{ ?s ?q ?o }} WHERE {{ GRAPH {_ONT} {{ ?p rdfs:subPropertyOf+ ?q }} ?s ?p ?o }}",
    # rdfs2/rdfs3: domain and range (named classes, object properties)
    f"INSERT {{ ?s a ?c }} WHERE {{ GRAPH {_ONT} {{ ?p rdfs:domain ?c . FILTER(isIRI(?c)) }} "
    f"?s ?p ?o }}",
    f"INSERT {{ ?o a ?c }} WHERE {{ GRAPH {_ONT} {{ ?p a owl:ObjectProperty ; rdfs:range ?c . "
    f"FILTER(isIRI(?c)) }} ?s ?p ?o . FILTER(isIRI(?o)) }}",
    # rdfs9: super-classes
    f"INSERT {{ ?x a ?d }} WHERE {{ GRAPH {_ONT} {{ ?c rdfs:subClassOf+ ?d . FILTER(isIRI(?d)) }} "
    f"?x a ?c }}",
)
RULE_PREFIXES: Final = {"owl": VOCABULARIES["owl"], "rdfs": _RDFS}


def check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    """Raise :class:`~il2kg.errors.OptionError` (exit 2) unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise OptionError(f"unknown {what} '{value}' (choose from {', '.join(choices)})")


def oxigraph_store(ntriples: bytes, reasoning: str = DEFAULT_REASONING) -> Any:
    """A pyoxigraph ``Store``: the data as default graph, the ontology as a named graph."""
    import pyoxigraph as ox

    check_choice(reasoning, REASONING, "reasoning")
    store = ox.Store()
    store.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    store.load(
        path=ontology_dir() / "il2kg.ttl",
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(ONTOLOGY_IRI),
    )
    if reasoning == "rdfs":
        for rule in RDFS_RULES:
            store.update(rule, prefixes=RULE_PREFIXES)
    return store


def rdflib_dataset(ntriples: bytes, reasoning: str = DEFAULT_REASONING) -> Any:
    """An rdflib ``Dataset``: the data as default graph, the ontology as a named graph."""
    from rdflib import Dataset, URIRef

    check_choice(reasoning, REASONING, "reasoning")
    ds = Dataset()
    ds.default_graph.parse(data=ntriples, format="nt")
    ds.graph(URIRef(ONTOLOGY_IRI)).parse(ontology_dir() / "il2kg.ttl", format="turtle")
    if reasoning == "rdfs":
        for rule in RDFS_RULES:
            ds.update(rule, initNs=RULE_PREFIXES)
    return ds
