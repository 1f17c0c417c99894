"""The ``html`` command: the graph as one self-contained, interactive HTML page."""

from __future__ import annotations

from pathlib import Path

import click

from il2kg.cli import State, output_option, pass_state
from il2kg.explorer.defaults import DEPTH, PATH_MAX_LENGTH, PATHS_SHOWN


@click.command()
@output_option("The HTML file to write.")
@click.option(
    "--focus",
    metavar="ENTITY",
    default=None,
    help="Show the neighbourhood of this entity (a CURIE, label or synonym).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=DEPTH,
    show_default=True,
    help="Hops around --focus, or of context around the --path paths.",
)
@click.option(
    "--path",
    "path_ends",
    nargs=2,
    metavar="A B",
    default=None,
    help="Highlight the shortest paths from A to B within their context.",
)
@click.option(
    "--max-paths",
    type=click.IntRange(min=1),
    default=PATHS_SHOWN,
    show_default=True,
    help="With --path: how many paths to highlight.",
)
@click.option(
    "--max-length",
    type=click.IntRange(min=1),
    default=PATH_MAX_LENGTH,
    show_default=True,
    help="With --path: the longest path, in hops.",
)
@click.option(
    "--undirected",
    is_flag=True,
    help="With --path: walk relations against their direction too.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="CLASS",
    help="Only entities of this class or its subclasses (repeatable), e.g. CellType.",
)
@click.option(
    "--predicate",
    "predicates",
    multiple=True,
    metavar="PREDICATE",
    help="Only relations with this predicate (repeatable), e.g. binds.",
)
@click.option(
    "--query",
    metavar="NAME|FILE",
    default=None,
    help="Show the entities and relations a SELECT or CONSTRUCT query returns.",
)
@pass_state
def html(
    state: State,
    output: Path | None,
    focus: str | None,
    depth: int,
    path_ends: tuple[str, str] | None,
    max_paths: int,
    max_length: int,
    undirected: bool,
    types: tuple[str, ...],
    predicates: tuple[str, ...],
    query: str | None,
) -> None:
    """Write an interactive HTML explorer of the graph.

    One self-contained file: it loads nothing from the network when opened. Nodes are coloured
    and shaped by entity kind, edges coloured by predicate; search by name or synonym, hide
    kinds and predicates, and click a node or edge for its identifiers and evidence.

    \b
    Example:
      il2kg html -o il2kg.html
      il2kg html --focus IL2 --depth 2 -o il2.html
      il2kg html --path IL2 STAT5A --undirected -o path.html
      il2kg html --type CellType --type Cytokine --predicate produced_by -o cells.html
      il2kg html --query my-query.rq -o answer.html
    """
    from il2kg.explorer.page import write_explorer

    chosen = [o for o, v in (("--focus", focus), ("--path", path_ends), ("--query", query)) if v]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined: choose one")
    target = output if output is not None else Path("il2kg.html")
    page = write_explorer(
        state.kg(),
        target,
        focus=focus,
        depth=depth,
        path=path_ends,
        types=types,
        predicates=predicates,
        query=query,
        max_paths=max_paths,
        max_length=max_length,
        directed=not undirected,
    )
    for warning in page.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(
        f"wrote {target} ({page.nodes:,} nodes, {page.edges:,} edges, "
        f"{target.stat().st_size:,} bytes)",
        err=True,
    )
