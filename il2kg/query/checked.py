"""What the query gate said of recent query texts, remembered.

The gate (:func:`il2kg.query.gate.check_query`) is a pure function of the text, so a query asked
again (a notebook cell run again, a dashboard, a crawler of the endpoint) need not be lexed
again: :class:`CheckedCache` keeps the last texts with the checked query or the refusal.
:func:`il2kg.query.ask.ask` and the endpoint each keep one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from il2kg.errors import QueryError
from il2kg.query.gate import CheckedQuery, check_query


class CheckedCache:
    """What the gate said of recent query texts (accepted, or the refusal), at most ``size``;
    texts over ``max_text`` characters are checked every time (not kept)."""

    def __init__(self, size: int = 1024, max_text: int = 16 * 1024) -> None:
        self.size = size
        self.max_text = max_text
        self._entries: OrderedDict[str, CheckedQuery | QueryError] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, text: str) -> CheckedQuery:
        """:func:`~il2kg.query.gate.check_query` of ``text``, remembered; raises as it does
        (a refusal again with the same message, line and column)."""
        with self._lock:
            known = self._entries.get(text)
            if known is not None:
                self._entries.move_to_end(text)
        if known is None:
            try:
                known = check_query(text)
            except QueryError as exc:
                known = exc
            if len(text) <= self.max_text and self.size:
                with self._lock:
                    self._entries[text] = known
                    while len(self._entries) > self.size:
                        self._entries.popitem(last=False)
        if isinstance(known, QueryError):
            err = type(known)(*known.args)
            err.__dict__.update(known.__dict__)  # line and column of a located refusal
            raise err
        return known

    def __len__(self) -> int:
        return len(self._entries)
