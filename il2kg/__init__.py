"""il2kg: an open, citable knowledge graph of interleukin-2 immunology and immunotherapy.

The public API::

    from il2kg import KnowledgeGraph
    kg = KnowledgeGraph()          # the shipped data, or KnowledgeGraph("my-data/")
    kg.validate()                  # raises DataError listing every problem
    kg.write("il2kg.ttl")          # Turtle, N-Triples, JSON-LD, RDF/XML, GraphML, KGX
"""

from il2kg._version import __version__
from il2kg.errors import (
    DataError,
    EndpointError,
    Il2kgError,
    OutputError,
    PathNotFound,
    Problem,
    QueryError,
    QueryTimeout,
    UnknownEntityError,
)
from il2kg.kg import KnowledgeGraph
from il2kg.namespaces import PREFIXES, compress, expand
from il2kg.paths.resolve import Resolver
from il2kg.paths.search import Hop, PathResult, find_paths, search_paths

__all__ = [
    "PREFIXES",
    "DataError",
    "EndpointError",
    "Hop",
    "Il2kgError",
    "KnowledgeGraph",
    "OutputError",
    "PathNotFound",
    "PathResult",
    "Problem",
    "QueryError",
    "QueryTimeout",
    "Resolver",
    "UnknownEntityError",
    "__version__",
    "compress",
    "expand",
    "find_paths",
    "search_paths",
]
