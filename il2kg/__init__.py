"""il2kg: an open, citable knowledge graph of interleukin-2 immunology and immunotherapy.

The public API::

    from il2kg import KnowledgeGraph
    kg = KnowledgeGraph()          # the shipped data, or KnowledgeGraph("my-data/")
    kg.validate()                  # raises DataError listing every problem
    kg.write("il2kg.ttl")          # Turtle, N-Triples, JSON-LD, RDF/XML, GraphML, KGX
    kg.paths("IL-2", "STAT5A")     # PathResult: ranked Path objects made of Hop s
    kg.card("CD25")                # EntityCard: names, ids, relations with evidence
    kg.neighbors("JAK1", depth=2)  # list of Neighbor
    kg.named_query("kinases-of-receptor").records()   # Results (rows of Term s)

Below the facade (:mod:`il2kg.kg`) the stages take data; see docs/architecture.md.
"""

from il2kg._version import __version__
from il2kg.curate.card import EntityCard, RelationView
from il2kg.curate.stats import Stats
from il2kg.errors import (
    DataError,
    EndpointError,
    Il2kgError,
    NoPathError,
    OptionError,
    OutputError,
    PathNotFound,
    Problem,
    QueryError,
    QueryTimeout,
    StoreError,
    UnknownEntityError,
)
from il2kg.kg import KnowledgeGraph
from il2kg.namespaces import PREFIXES, compress, expand
from il2kg.paths.resolve import Resolver, SearchHit
from il2kg.paths.results import Hop, Neighbor, Path, PathResult
from il2kg.query.results import Results, Term

__all__ = [
    "PREFIXES",
    "DataError",
    "EndpointError",
    "EntityCard",
    "Hop",
    "Il2kgError",
    "KnowledgeGraph",
    "Neighbor",
    "NoPathError",
    "OptionError",
    "OutputError",
    "Path",
    "PathNotFound",
    "PathResult",
    "Problem",
    "QueryError",
    "QueryTimeout",
    "RelationView",
    "Resolver",
    "Results",
    "SearchHit",
    "Stats",
    "StoreError",
    "Term",
    "UnknownEntityError",
    "__version__",
    "compress",
    "expand",
]
