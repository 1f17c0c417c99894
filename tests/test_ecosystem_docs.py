"""Every shell example of README.md and docs/*.md runs (```bash, ```sh and ```console blocks).

The commands run in a scratch copy of the repository (a git repository of its own with two
commits, so ``il2kg diff HEAD~1`` and ``il2kg format`` touch nothing real), with
``IL2KG_DATA_DIR`` pointing at the copy's data. Servers the docs start (``il2kg serve``,
``oxigraph serve … &``) are started in the background on a free port that replaces 7878 in every
command; a push to ``…/store`` gets an Oxigraph server if none runs. A command exits 0, or
non-zero where the docs show ``Error:`` as its output. Not run, with the reason: SKIP below.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_ecosystem_support import free_port, need

#: Commands not run, and why (matched as a prefix of the command).
SKIP = {
    "python3 -m venv .venv": "the README quick start is .ci/run itself (a fresh venv, the suite)",
    ".venv/bin/python -m pytest": "the whole suite, from inside the suite",
    "$EDITOR": "an interactive editor",
}


@dataclass
class Command:
    source: str
    line: int
    text: str
    fails: bool  # the docs show "Error:" as its output


def _strip_comment(line: str) -> str:
    return re.sub(r"\s{2,}#.*$", "", line).strip()


def commands() -> list[Command]:
    out: list[Command] = []
    for f in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = f.read_text(encoding="utf-8")
        for m in re.finditer(r"```(bash|sh|console)\n(.*?)```", text, re.S):
            first = text.count("\n", 0, m.start(2)) + 1
            lines = m.group(2).splitlines()
            i = 0
            while i < len(lines):
                raw, n = lines[i], first + i
                i += 1
                if m.group(1) == "console":
                    if not raw.startswith("$ "):
                        continue
                    raw = raw[2:]
                elif not raw.strip() or raw.lstrip().startswith("#"):
                    continue
                while raw.endswith("\\") and i < len(lines):
                    raw = raw[:-1] + " " + lines[i].strip()
                    i += 1
                nxt = lines[i] if i < len(lines) else ""
                out.append(
                    Command(
                        f"{f.relative_to(ROOT)}:{n}",
                        n,
                        _strip_comment(raw),
                        nxt.startswith("Error:"),
                    )
                )
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    git = shutil.which("git")
    if git is None:
        need("git")
    d = tmp_path_factory.mktemp("docs-run")
    for name in ("data", "docs", "tests", "bench"):
        shutil.copytree(ROOT / name, d / name, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for msg in ("first", "second"):
        if msg == "second":
            (d / "CHANGES").write_text("a second commit, so that HEAD~1 exists\n")
        subprocess.run(["git", "init", "-q"], cwd=d, check=True, env=env)
        subprocess.run(["git", "add", "-A"], cwd=d, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", msg], cwd=d, check=True, env=env)
    # the placeholder query files the docs name as "your own query"
    shown = subprocess.run(
        [sys.executable, "-m", "il2kg", "queries", "--show", "kinases-of-receptor"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (d / "my.rq").write_text(shown)
    (d / "my-question.rq").write_text(shown)
    return d


class Servers:
    """The one server the examples talk to on the port that stands for 7878."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.cwd, self.env = cwd, env
        self.proc: subprocess.Popen[bytes] | None = None
        self.kind = ""

    def start(self, cmd: str, kind: str) -> None:
        self.stop()
        self.proc = subprocess.Popen(
            ["bash", "-c", "exec " + cmd],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.kind = kind
        url = f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd!r} did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc, self.kind = None, ""


@pytest.fixture(scope="module")
def servers(scratch: Path) -> Iterator[Servers]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["IL2KG_DATA_DIR"] = str(scratch / "data")
    s = Servers(scratch, env)
    yield s
    s.stop()


ALL = commands()


def test_examples_were_found() -> None:
    sources = {c.source.split(":")[0] for c in ALL}
    assert {"README.md", "docs/queries.md", "docs/endpoint.md", "docs/ecosystems.md"} <= sources
    assert len(ALL) > 40


@pytest.mark.parametrize("cmd", ALL, ids=[f"{c.source}" for c in ALL])
def test_shell_example_runs(cmd: Command, servers: Servers, scratch: Path) -> None:
    for prefix, why in SKIP.items():
        if cmd.text.startswith(prefix):
            pytest.skip(f"not run: {why}")
    text = cmd.text.replace("7878", str(servers.port)).replace("localhost", "127.0.0.1")
    if text.startswith("il2kg serve"):
        servers.start(text + f" --port {servers.port}" if "--port" not in text else text, "il2kg")
        return
    if text.endswith("&"):
        if shutil.which("oxigraph", path=servers.env["PATH"]) is None:
            need("the oxigraph server (pip install -e '.[test]')")
        servers.start(text[:-1].strip(), "oxigraph")
        return
    if f":{servers.port}/store" in text and servers.kind != "oxigraph":
        if shutil.which("oxigraph", path=servers.env["PATH"]) is None:
            need("the oxigraph server (pip install -e '.[test]')")
        store = scratch / f"store-{cmd.line}"
        servers.start(
            f"oxigraph serve --location {store} --bind 127.0.0.1:{servers.port}", "oxigraph"
        )
    done = subprocess.run(
        ["bash", "-c", text],
        cwd=scratch,
        env=servers.env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    if cmd.fails:
        assert done.returncode != 0 and "Error:" in done.stderr, (done.stdout, done.stderr)
    else:
        assert done.returncode == 0, (
            f"{cmd.source}: {text}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
