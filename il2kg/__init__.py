"""il2kg: an open, citable knowledge graph of interleukin-2 immunology and immunotherapy.

The public API::

    from il2kg import KnowledgeGraph
    kg = KnowledgeGraph()          # the shipped data, or KnowledgeGraph("my-data/")
    kg.validate()                  # raises DataError listing every problem
    kg.write("il2kg.ttl")          # Turtle, N-Triples, JSON-LD, RDF/XML, GraphML, KGX
"""

from ._version import __version__
from .errors import (
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
from .kg import KnowledgeGraph
from .namespaces import PREFIXES, compress, expand
from .paths import Hop, PathResult, find_paths, search_paths
from .resolve import Resolver

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
