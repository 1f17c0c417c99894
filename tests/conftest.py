"""Shared fixtures. The build cache goes to a private temporary folder for the whole session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["IL2KG_CACHE_DIR"] = tempfile.mkdtemp(prefix="il2kg-test-cache-")
os.environ.pop("IL2KG_DATA_DIR", None)

from il2kg import KnowledgeGraph
from tests._net import Listener

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_KB = FIXTURES / "kb"
SHIPPED_DATA = ROOT / "data"


@pytest.fixture(scope="session")
def fixture_kg() -> KnowledgeGraph:
    """The tiny hand-drawable knowledge base (tests/fixtures/kb)."""
    return KnowledgeGraph(FIXTURE_KB)


@pytest.fixture(scope="session")
def shipped_kg() -> KnowledgeGraph:
    """The real curated data shipped in data/."""
    return KnowledgeGraph(SHIPPED_DATA)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A recording loopback listener, one per test module."""
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture
def net(listener: Listener) -> Listener:
    """The module's listener, its record cleared for this test."""
    listener.reset()
    return listener
