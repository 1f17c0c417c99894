"""``il2kg coverage``: the graph's genes compared with a community map's gene list."""

from __future__ import annotations

from pathlib import Path

import click

from il2kg.cli import State, echo_json, fail, pass_state
from il2kg.paths.defaults import DEFAULT_TIMEOUT


@click.command()
@click.option(
    "--against",
    "against",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A gene list (symbols, HGNC or NCBI Gene ids, one a line) or a WikiPathways data-node TSV.",
)
@click.option(
    "--min",
    "minimum",
    type=click.FloatRange(0.0, 1.0),
    default=None,
    help="Exit 1 when the share of listed genes present and connected is below this (0-1).",
)
@click.option(
    "--from",
    "anchor",
    default="IL2",
    show_default=True,
    help="The entity the path search starts from.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_state
def coverage(state: State, against: Path, minimum: float | None, anchor: str, fmt: str) -> None:
    """Which genes of a list the graph holds, and how each is connected.

    Prints the genes present (the entity, what matched, its degree, and the hops of the path
    `il2kg path` finds from IL2, directed and --undirected) and those absent. A gene counts as
    covered when present with at least one relation; --min sets the share required.

    \b
    Example:
      il2kg coverage --against docs/coverage/WP49-datanodes.tsv
      il2kg coverage --against genes.txt --min 0.95 --format json
    """
    from il2kg.curate.coverage import compare, read_gene_list
    from il2kg.curate.idcheck import SNAPSHOT_PATH, SnapshotError, read_snapshot
    from il2kg.errors import PathNotFound

    kg = state.kg()
    genes, kind = read_gene_list(against)
    start = kg.resolve(anchor)
    try:
        snapshot = read_snapshot(kg.data_dir / SNAPSHOT_PATH)
    except SnapshotError:
        snapshot = None  # matching then uses the ids and xrefs written in the data only

    def hops(target: str, directed: bool) -> int | None:
        if target == start:
            return 0
        try:
            found = kg.paths(start, target, directed=directed, timeout=DEFAULT_TIMEOUT)
        except PathNotFound:
            return None
        return found.paths[0].length if found.paths else None

    cov = compare(
        genes,
        kg.dataset,
        kg.path_graph,
        lambda eid: (hops(eid, True), hops(eid, False)),
        source=against.name,
        kind=kind,
        anchor=kg.label(start),
        snapshot=snapshot,
    )
    if fmt == "json":
        echo_json(cov.to_json())
    else:
        click.echo(cov.text())
    if minimum is not None and cov.covered_share < minimum:
        fail(
            f"{100 * cov.covered_share:.1f}% of the {cov.total} listed genes are present and "
            f"connected, below --min {minimum:g}"
        )
