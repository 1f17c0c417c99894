"""The explorer's defaults, as constants the CLI reads without importing the page builder."""

from typing import Final

#: With ``--path``: how many of the best paths are highlighted.
PATHS_SHOWN: Final = 10
#: With ``--path``: the longest path highlighted, in hops.
PATH_MAX_LENGTH: Final = 4
#: Hops of context around a focus or around the highlighted paths.
DEPTH: Final = 1
