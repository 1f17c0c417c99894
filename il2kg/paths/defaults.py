"""The defaults and costs every path search shares: constants only, which the facade and the
command line import without the result types (their dataclasses cost ~2 ms to create)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

#: Default bound on path length (hops) for shortest and k-shortest searches.
DEFAULT_MAX_LENGTH = 10
#: Default bound on path length for ``all_paths`` (the number of paths grows ~10x per hop).
DEFAULT_ALL_MAX_LENGTH = 4
#: Default bound on the number of paths examined (and returned by ``all_paths``).
DEFAULT_MAX_PATHS = 1000
#: The most paths the CLI lets a search examine, so that what it prints is bounded as well.
MAX_PATHS_LIMIT = 100_000
#: Default time bound of a search, in seconds.
DEFAULT_TIMEOUT = 10.0
#: Hop costs by curation status.
STATUS_COST: Mapping[str, float] = {"verified": 0.0, "expert_knowledge": 0.5, "unverified": 1.0}
#: Cost of walking a relation against its direction (undirected search only).
REVERSE_COST = 0.1
#: Weight of the hub penalty of intermediate nodes.
HUB_WEIGHT = 0.1


#: Qualifier keys a path search can filter on; the values of these are entity names.
QUALIFIER_KEYS: Final = (
    "cell_type",
    "species",
    "regimen",
    "route",
    "disease_stage",
    "population",
    "agency",
    "year",
)
#: The net effects a path search can be filtered by.
SIGNS: Final = ("positive", "negative")
