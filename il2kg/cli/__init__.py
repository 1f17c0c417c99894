"""The ``il2kg`` command line: a thin layer over the library.

Each command parses options, calls one library function and formats the result. Commands live
in small modules (``cli/<topic>.py``) loaded only when invoked, so start-up stays fast. Errors of the
library (:class:`~il2kg.errors.Il2kgError`) become a message and exit 1 (or their own code);
option misuse exits 2; anything else is an internal error (``--debug`` shows the traceback).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from il2kg._version import __version__
from il2kg.errors import Il2kgError
from il2kg.resources import DATA_DIR_ENV

if TYPE_CHECKING:
    from il2kg.kg import KnowledgeGraph

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: command name -> "module:function"; modules are imported only when their command runs.
COMMANDS: dict[str, str] = {
    "validate": "il2kg.cli.build:validate",
    "build": "il2kg.cli.build:build",
    "stats": "il2kg.cli.build:stats",
    "prefixes": "il2kg.cli.build:prefixes",
    "html": "il2kg.cli.html:html",
    "search": "il2kg.cli.paths:search",
    "show": "il2kg.cli.paths:show",
    "neighbors": "il2kg.cli.paths:neighbors",
    "path": "il2kg.cli.paths:path",
    "diff": "il2kg.cli.curate:diff",
    "format": "il2kg.cli.curate:format_cmd",
    "conflicts": "il2kg.cli.curate:conflicts",
    "query": "il2kg.cli.query:query",
    "queries": "il2kg.cli.query:queries",
    "serve": "il2kg.cli.serve:serve",
    "push": "il2kg.cli.serve:push",
    "ids": "il2kg.cli.ids:ids",
    "coverage": "il2kg.cli.coverage:coverage",
    "release": "il2kg.cli.release:release",
}

#: command name -> the first sentence of its help, what ``il2kg --help`` lists: kept here so that
#: the list imports no command module (tests/test_cli_build.py checks it against the commands).
SUMMARIES: dict[str, str] = {
    "validate": "Check the curated data; report every problem with file, line, column and field.",
    "build": "Validate the data and write the knowledge graph.",
    "stats": "Counts by class and predicate, evidence coverage and curation targets.",
    "prefixes": "Print the pinned prefix map used for CURIEs and IRIs.",
    "html": "Write an interactive HTML explorer of the graph.",
    "search": "Find entities by id, label, synonym or cross-reference, best match first.",
    "show": "Show an entity: type, identifiers, synonyms, description and relations with evidence.",
    "neighbors": "List the entities within --depth hops of ENTITY, with the relation that "
    "reaches each.",
    "path": "Find how SOURCE leads to TARGET: the shortest path, the k shortest, or all of them.",
    "diff": "Show entities and relations added, removed and changed between OLD and NEW.",
    "format": "Rewrite the data files into canonical form (sorted, one YAML style).",
    "conflicts": "List claims the evidence disagrees on.",
    "query": "Ask the graph a SPARQL question: inline, from a file, or a named query.",
    "queries": "List the named queries with their questions, or print one with --show.",
    "serve": "Serve the graph as a read-only SPARQL 1.1 endpoint, with the HTML explorer.",
    "push": "Replace the il2kg graphs in a triple store (SPARQL 1.1 Graph Store Protocol).",
    "ids": "Check the data's identifiers (HGNC, UniProtKB, NCBIGene, GO, MONDO, HP, CL, "
    "DrugBank, PMID).",
    "coverage": "Which genes of a list the graph holds, and how each is connected.",
    "release": "Build a citable release: every export format, the explorer page, the curated "
    "data, SHA-256 checksums, a claim-level changelog, CITATION.cff and RO-Crate metadata.",
}


def short_help(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word, as click shortens a command's help."""
    if len(text) <= limit:
        return text
    if limit < len("..."):
        return "..."
    import textwrap

    return textwrap.shorten(text, limit, placeholder="...", break_on_hyphens=False)


class Il2kgClickError(click.ClickException):
    """An :class:`Il2kgError` shown to the user, keeping the error's own exit code."""

    def __init__(self, err: Il2kgError) -> None:
        super().__init__(str(err))
        self.exit_code = err.exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


class LazyGroup(click.Group):
    """A group whose commands are imported on first use; its own help lists them from
    :data:`SUMMARIES` without importing any."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, short_help(SUMMARIES[name], limit)) for name in names])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        cmd = getattr(importlib.import_module(module), attr)
        assert isinstance(cmd, click.Command)
        return cmd

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Il2kgError as err:
            if ctx.find_object(State) is not None and ctx.find_object(State).debug:  # type: ignore[union-attr]
                raise
            raise Il2kgClickError(err) from err


@dataclass
class State:
    """What the group's options carry to every command (via the click context)."""

    data_dir: Path | None = None
    use_cache: bool = True
    debug: bool = False
    #: this process runs one command and exits (set by :func:`main`, the console script; not
    #: by a program or a test that runs the commands in its own process)
    one_shot: bool = False
    _kg: KnowledgeGraph | None = field(default=None, repr=False)

    def without_gc(self) -> None:
        """In a one-shot process, switch the cyclic garbage collector off for the rest of it.

        A build pauses the collector while it makes millions of objects; switched back on, its
        first collections walk all of them to find nothing (~3 s of CPU at 10^5 relations),
        since a build leaves no cycles behind. A command that builds once and exits does
        without it.
        """
        if self.one_shot:
            import gc

            gc.disable()

    def kg(self) -> KnowledgeGraph:
        """The knowledge graph of the chosen data directory (opened once per process)."""
        if self._kg is None:
            from il2kg.kg import KnowledgeGraph

            self._kg = KnowledgeGraph(self.data_dir, use_cache=self.use_cache)
        return self._kg


pass_state = click.make_pass_decorator(State)


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="il2kg")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    show_envvar=True,
    default=None,
    help="Curated YAML data to use instead of the data shipped with il2kg.",
)
@click.option(
    "--no-cache", is_flag=True, help="Rebuild from the YAML instead of using the build cache."
)
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, no_cache: bool, debug: bool) -> None:
    """il2kg: a citable knowledge graph of interleukin-2 immunology and immunotherapy.

    Validate and build the graph, ask it SPARQL questions, find how one thing leads to another,
    and browse it as an interactive HTML page.

    \b
    Example:
      il2kg validate
      il2kg build -o il2kg.ttl
    """
    one_shot = isinstance(ctx.obj, State) and ctx.obj.one_shot
    ctx.obj = State(data_dir=data_dir, use_cache=not no_cache, debug=debug, one_shot=one_shot)


def output_option(
    help_text: str = "Write to this file instead of standard output.",
) -> Callable[[F], F]:
    """The shared ``-o/--output`` option."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=True, path_type=Path),
        default=None,
        help=help_text,
    )


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with a message on stderr and an exit code (no traceback)."""
    err = click.ClickException(message)
    err.exit_code = code  # type: ignore[misc]
    raise err


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``il2kg`` console script.

    Run as the script (``argv`` is ``None``), the process ends as soon as the command is done
    (:func:`_leave`); with ``argv``, ``SystemExit`` is raised as click raises it.
    """
    try:
        _main(argv)
    except SystemExit as exc:
        if argv is None:
            _leave(exc.code)
        raise


def _leave(code: object) -> None:
    """End this process with ``code`` (a ``SystemExit`` code) without the interpreter's teardown.

    The exit handlers run (the query processes end) and the standard streams are flushed, as at
    any exit; what is skipped is freeing every object and module one by one, for nothing at
    the end of a process: ~16 ms of a read command on the shipped data. Returns (and the caller
    exits as usual) while another thread runs, which a normal exit would wait for.
    """
    import threading

    if threading.active_count() > 1:
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message to standard error, status 1
        print(code, file=sys.stderr)
        status = 1
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left (il2kg ... | head)
            status = status or 141
        except (OSError, ValueError):
            pass
    os._exit(status)


def _main(argv: list[str] | None) -> None:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="il2kg", standalone_mode=True, obj=State(one_shot=True))
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(141)
    except Exception as exc:  # anything not turned into a message is a bug of ours
        if debug:
            raise
        click.echo(
            f"Internal error: {type(exc).__name__}: {exc}\n(run with --debug for the traceback)",
            err=True,
        )
        sys.exit(70)
