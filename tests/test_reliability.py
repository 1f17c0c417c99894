"""Faults and hostile input around loading and building: nothing half-written, no tracebacks."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import il2kg.dataset.yamlio
from il2kg import DataError, KnowledgeGraph
from il2kg.cli import cli

from .conftest import FIXTURE_KB, FIXTURES


def test_file_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_KB, data)
    monkeypatch.setattr(il2kg.dataset.yamlio, "MAX_FILE_BYTES", 1000)
    with pytest.raises(DataError) as info:
        KnowledgeGraph(data, use_cache=False).validate()
    msgs = [str(p) for p in info.value.problems]
    assert any("data/molecules.yaml:1:1: file is" in m and "the limit is 1,000" in m for m in msgs)


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(FIXTURES / "invalid" / "tabs.yaml", bad)
    quiet = subprocess.run(
        [sys.executable, "-m", "il2kg", "--data-dir", str(bad), "validate"],
        capture_output=True,
        text=True,
    )
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    loud = subprocess.run(
        [sys.executable, "-m", "il2kg", "--debug", "--data-dir", str(bad), "validate"],
        capture_output=True,
        text=True,
    )
    assert loud.returncode == 1
    assert "Traceback (most recent call last)" in loud.stderr and "DataError" in loud.stderr


def test_internal_error_is_reported_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from il2kg import cli as cli_module
    from il2kg.kg import KnowledgeGraph as KG

    def broken(self: KG, shacl: bool = True) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(KG, "validate", broken)
    with pytest.raises(SystemExit) as info:
        cli_module.main(["--data-dir", str(FIXTURE_KB), "validate"])
    assert info.value.code == 70


def test_read_only_data_builds_to_another_output(tmp_path: Path) -> None:
    data = tmp_path / "ro"
    shutil.copytree(FIXTURE_KB, data)
    for p in [*data.iterdir(), data]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    try:
        out = tmp_path / "out" / "kg.ttl"
        result = CliRunner().invoke(
            cli, ["--no-cache", "--data-dir", str(data), "build", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    finally:
        for p in [data, *data.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)


def test_killing_a_build_midway_leaves_the_previous_output_intact(tmp_path: Path) -> None:
    """SIGKILL a build at several moments: the output is always the old or the new file, whole."""
    out = tmp_path / "kg.nt"
    build = [sys.executable, "-m", "il2kg", "--no-cache", "--data-dir", str(FIXTURE_KB), "build",
             "--no-shacl", "-o", str(out)]  # fmt: skip
    complete = subprocess.run(
        build,
        capture_output=True,
        check=True,
    )
    assert complete.returncode == 0
    new = out.read_bytes()
    old = b"<urn:x:old> <urn:x:p> <urn:x:o> .\n"
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8):
        out.write_bytes(old)
        proc = subprocess.Popen(
            build,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert out.read_bytes() in (old, new), f"torn output after {delay}s"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "kg.nt"]
    # a killed process cannot clean its temporary file; it is hidden and never the output itself
    assert all(name.startswith(".kg.nt.") and name.endswith(".tmp") for name in leftovers)
