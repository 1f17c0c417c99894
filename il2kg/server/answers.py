"""Answers the endpoint has given, kept to answer the same request again without a worker.

The workers read a read-only store that never changes while the server runs, so a query answer
depends only on the request: its path, its URL query string (the query, ``default-graph-uri``,
``named-graph-uri``, ``format``) and its ``Accept`` header (the answer's format). Only ``200``
answers of ``GET``/``HEAD`` requests to ``/query`` and ``/sparql`` are kept (no ``POST``, no
error, no page, nothing asked with ``Cache-Control: no-cache``), each at most ``max_entry`` bytes, in all at most ``max_bytes`` (least recently
used first out). A kept answer is answered by the server's event loop itself
(:mod:`il2kg.server.guard`), without a request thread, the gate or a worker.

What the gate said of a query text is remembered by :class:`il2kg.query.checked.CheckedCache`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from il2kg.server.web import Response

#: Total size of the kept answers by default (bytes).
DEFAULT_MAX_BYTES: Final = 32 * 1024 * 1024
#: Largest answer kept (bytes).
DEFAULT_MAX_ENTRY: Final = 1024 * 1024
#: Paths whose answers are kept.
QUERY_PATHS: Final = frozenset({"/query", "/sparql"})

#: What identifies an answer: path, URL query string, Accept header.
Key = tuple[str, str, str]


def answer_key(
    method: str, path: str, query_string: str, accept: str | None, cache_control: str | None = None
) -> Key | None:
    """The key of a request whose answer may be kept, or ``None``: not a GET/HEAD query, or
    the client asked for a fresh answer (``Cache-Control: no-cache`` or ``no-store``)."""
    if method not in ("GET", "HEAD") or path not in QUERY_PATHS or not query_string:
        return None
    if cache_control and ("no-cache" in cache_control or "no-store" in cache_control):
        return None
    return (path, query_string, accept or "")


class AnswerCache:
    """Kept answers, least recently used out first; safe to use from many threads."""

    def __init__(
        self, max_bytes: int = DEFAULT_MAX_BYTES, max_entry: int = DEFAULT_MAX_ENTRY
    ) -> None:
        if max_bytes < 0 or max_entry < 0:
            raise ValueError("cache sizes cannot be negative")
        self.max_bytes = max_bytes
        self.max_entry = min(max_entry, max_bytes)
        self._entries: OrderedDict[Key, Response] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _cost(key: Key, response: Response) -> int:
        return len(response.body) + sum(len(k) for k in key) + 256

    def get(self, key: Key) -> Response | None:
        """The kept answer of ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            response = self._entries.get(key)
            if response is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return response

    def put(self, key: Key, response: Response) -> bool:
        """Keep ``response`` (a ``200`` answer) for ``key``; ``False`` when it is too large."""
        cost = self._cost(key, response)
        if not response.status.startswith("200") or len(response.body) > self.max_entry:
            return False
        if cost > self.max_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= self._cost(key, old)
            self._entries[key] = response
            self._size += cost
            while self._size > self.max_bytes:
                k, r = self._entries.popitem(last=False)
                self._size -= self._cost(k, r)
        return True

    @property
    def size(self) -> int:
        """Bytes held (answers and keys)."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ENTRY",
    "QUERY_PATHS",
    "AnswerCache",
    "answer_key",
]
