"""Stable identifiers of statement nodes (no rdflib needed)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from il2kg.dataset.model import Relation


def statement_id(rel: Relation) -> str:
    """A stable identifier for a relation's statement node: a hash of its key."""
    return hashlib.sha256("\x1f".join(rel.key()).encode()).hexdigest()[:16]
