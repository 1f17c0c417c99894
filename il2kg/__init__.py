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

The names are imported on first use (PEP 562), so that ``import il2kg.cli`` (every command
line start) does not pay for the modules a command does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from il2kg._version import __version__

if TYPE_CHECKING:
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

#: public name -> the module that defines it (what ``__getattr__`` imports on first use)
EXPORTS: dict[str, str] = {
    **dict.fromkeys(("EntityCard", "RelationView"), "il2kg.curate.card"),
    "Stats": "il2kg.curate.stats",
    **dict.fromkeys(
        (
            "DataError",
            "EndpointError",
            "Il2kgError",
            "NoPathError",
            "OptionError",
            "OutputError",
            "PathNotFound",
            "Problem",
            "QueryError",
            "QueryTimeout",
            "StoreError",
            "UnknownEntityError",
        ),
        "il2kg.errors",
    ),
    "KnowledgeGraph": "il2kg.kg",
    **dict.fromkeys(("PREFIXES", "compress", "expand"), "il2kg.namespaces"),
    **dict.fromkeys(("Resolver", "SearchHit"), "il2kg.paths.resolve"),
    **dict.fromkeys(("Hop", "Neighbor", "Path", "PathResult"), "il2kg.paths.results"),
    **dict.fromkeys(("Results", "Term"), "il2kg.query.results"),
}

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


def __getattr__(name: str) -> Any:
    module = EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'il2kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
