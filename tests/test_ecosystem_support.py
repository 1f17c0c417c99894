"""Helpers of the ecosystem tests (no tests here): a missing tool skips a test on a developer's
machine, and fails it in CI (CI=true), where .ci/run installs every tool these tests need."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path
from typing import NoReturn

import pytest

ROOT = Path(__file__).resolve().parent.parent


def need(what: str) -> NoReturn:
    """Skip (no CI) or fail (CI) because ``what`` is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: .ci/run must install it", pytrace=False)
    pytest.skip(f"{what} is missing (.ci/run installs it; CI fails without it)")


def module(name: str, install: str) -> object:
    """Import ``name`` or :func:`need` it."""
    try:
        return __import__(name)
    except ImportError:
        need(f"the Python package '{name}' ({install})")


def kgx_python() -> str:
    """The Python of the kgx virtual environment: $IL2KG_KGX_PYTHON, else .venv-kgx/."""
    env = os.environ.get("IL2KG_KGX_PYTHON")
    candidates = [Path(env)] if env else [ROOT / ".venv-kgx" / "bin" / "python"]
    for c in candidates:
        if c.exists():
            return str(c)
    need("kgx (python3 -m venv .venv-kgx && .venv-kgx/bin/pip install -e '.[kgx]')")


def il2kg_command() -> list[str]:
    """The il2kg console script of this environment."""
    script = Path(sys.executable).parent / "il2kg"
    return [str(script)] if script.exists() else [sys.executable, "-m", "il2kg"]


def which(binary: str, install: str) -> str:
    found = shutil.which(binary)
    if found is None:
        need(f"the program '{binary}' ({install})")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
