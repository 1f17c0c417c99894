"""Cold start: what a read command imports in a fresh process, and the command list of --help.

The timings are in bench/bench_cold.py; these tests hold the properties that make them: the group
lists its commands from a table (checked here against the commands themselves), and a read
command on a warm build cache imports neither a command module it does not run nor pydantic,
PyYAML, rdflib or networkx.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

import il2kg
from il2kg.cli import COMMANDS, SUMMARIES, cli

from .conftest import FIXTURE_KB, ROOT

HEAVY = ("pydantic", "yaml", "rdflib", "networkx", "pyvis", "waitress")


def test_the_summary_table_names_every_command() -> None:
    assert list(SUMMARIES) == list(COMMANDS)


@pytest.mark.parametrize("width", [30, 60, 80, 100, 160])
def test_help_lists_the_commands_as_click_would_from_the_commands(width: int) -> None:
    """The table's lines equal click's own listing made from the imported commands."""
    ctx = click.Context(cli, terminal_width=width, max_content_width=width)
    ours = click.HelpFormatter(width=width)
    cli.format_commands(ctx, ours)
    theirs = click.HelpFormatter(width=width)
    click.Group.format_commands(cli, ctx, theirs)  # imports every command module
    assert ours.getvalue() == theirs.getvalue()
    assert ours.getvalue().count("\n") == len(COMMANDS) + 1


def test_the_public_names_resolve_lazily() -> None:
    for name in il2kg.__all__:
        assert getattr(il2kg, name) is not None, name
    assert set(il2kg.EXPORTS) | {"__version__"} == set(il2kg.__all__)
    assert set(il2kg.__all__) <= set(dir(il2kg))
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        il2kg.Nope  # noqa: B018


_PROBE = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
    "from il2kg.cli import main\n"
    "sys.argv = ['il2kg', *sys.argv[1:]]\n"
    "main()\n"
)


def _imports(args: list[str], env: dict[str, str]) -> set[str]:
    """The modules loaded by a fresh ``il2kg ARGS`` when it exits."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def warm_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ, IL2KG_CACHE_DIR=str(tmp_path_factory.mktemp("cold-cache")))
    env["IL2KG_DATA_DIR"] = str(FIXTURE_KB)
    for args in (["validate"], ["show", "IL-2"], ["search", "IL-2"]):  # fill the cache entry
        subprocess.run(
            [sys.executable, "-m", "il2kg", *args],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    return env


@pytest.mark.parametrize(
    ("args", "commands"),
    [
        (["--help"], set()),
        (["path", "IL-2", "STAT5A", "--undirected"], {"il2kg.cli.paths"}),
        (["show", "CD25"], {"il2kg.cli.paths"}),
        (["search", "CD25"], {"il2kg.cli.paths"}),
        (["query", "kinases-of-receptor", "-q"], {"il2kg.cli.query"}),
    ],
)
def test_a_read_command_imports_only_what_it_needs(
    warm_env: dict[str, str], args: list[str], commands: set[str]
) -> None:
    modules = _imports(args, warm_env)
    command_modules = {
        m for m in modules if m.startswith("il2kg.cli.") and m != "il2kg.cli.options"
    }
    assert command_modules == commands
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


_SCRIPT = (
    "import atexit, sys, threading, time\n"
    "atexit.register(lambda: print('handlers ran', file=sys.stderr))\n"
    "class Witness:\n"
    "    def __del__(self):\n"
    "        print('teardown ran', file=sys.stderr)\n"
    "witness = Witness()  # a global of __main__: freed only by the interpreter's teardown\n"
    "if sys.argv[1] == 'thread':\n"
    "    threading.Thread(target=lambda: (time.sleep(0.3), print('thread ended'))).start()\n"
    "from il2kg.cli import main\n"
    "sys.argv = ['il2kg', *sys.argv[2:]]\n"
    "main()\n"
)


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, cwd=ROOT
    )


def test_the_script_ends_without_the_teardown_but_with_its_exit_handlers_and_output() -> None:
    kb = ["--data-dir", str(FIXTURE_KB)]
    asked = _script("-", *kb, "query", "ASK { il2kg:nothing a il2kg:Kinase }")
    assert (asked.returncode, asked.stdout) == (4, "false\n")  # the exit code of ASK false
    assert "handlers ran" in asked.stderr and "teardown ran" not in asked.stderr
    rows = _script("-", *kb, "query", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "--format", "csv", "-q")
    assert rows.returncode == 0
    assert len(rows.stdout.splitlines()) == 1 + int(
        _script(
            "-", *kb, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"
        ).stdout.splitlines()[1]
    )  # every row written before the process ended
    refused = _script("-", *kb, "query", "DROP ALL")
    assert refused.returncode == 1 and "Error:" in refused.stderr
    # another thread runs: the exit is the usual one, which waits for it
    waited = _script("thread", *kb, "search", "CD25")
    assert waited.returncode == 0 and waited.stdout.endswith("thread ended\n")
    assert "teardown ran" in waited.stderr
