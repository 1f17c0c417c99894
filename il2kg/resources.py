"""Where the shipped data, ontology and named queries are, and the optional extras.

In a wheel they sit inside the package (``il2kg/_shipped/``); in a source checkout (editable
install) they are the top-level ``data/`` and ``ontology/`` folders beside the package.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR_ENV = "IL2KG_DATA_DIR"
CACHE_DIR_ENV = "IL2KG_CACHE_DIR"


def _shipped(name: str) -> Path:
    inside = PACKAGE_DIR / "_shipped" / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def default_data_dir() -> Path:
    """The curated data shipped with il2kg (or ``$IL2KG_DATA_DIR`` when set)."""
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env) if env else _shipped("data")


def ontology_dir() -> Path:
    """The folder holding ``il2kg.ttl`` and ``shapes.ttl``."""
    return _shipped("ontology")


def queries_dir() -> Path:
    """The named SPARQL queries (package data)."""
    return PACKAGE_DIR / "query" / "queries"


def cache_dir() -> Path:
    """Where built graphs are cached: ``$IL2KG_CACHE_DIR``, else the XDG cache folder."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "il2kg"


def data_files(data_dir: Path) -> list[Path]:
    """The YAML files of a data directory, in a stable order."""
    if not data_dir.is_dir():
        from il2kg.errors import DataError, Problem

        raise DataError([Problem(str(data_dir), 1, 1, "", "", "data directory not found")])
    files = [p for p in data_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(data_dir).as_posix())


def pandas() -> Any:
    """pandas, or an ImportError that says how to install it (the ``to_df()`` methods of both
    result kinds, paths and queries, need it)."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "to_df() needs pandas, an optional extra: pip install 'il2kg[pandas]'"
        ) from exc
    return pandas
