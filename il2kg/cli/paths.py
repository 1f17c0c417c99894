"""Commands that find things and the ways between them: search, show, neighbors, path.

Entities may be named by CURIE, IRI, label, synonym or cross-reference, in any letter case and
with or without Greek letters and punctuation (see :mod:`il2kg.paths.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from il2kg.cli import State, echo_json, fail, pass_state
from il2kg.cli.options import KeyValue, pairs, timeout_option
from il2kg.dataset.pubtypes import PUB_TYPE_NAMES
from il2kg.paths.defaults import (
    DEFAULT_ALL_MAX_LENGTH,
    DEFAULT_MAX_LENGTH,
    DEFAULT_MAX_PATHS,
    DEFAULT_TIMEOUT,
    MAX_PATHS_LIMIT,
    QUALIFIER_KEYS,
    SIGNS,
)

if TYPE_CHECKING:
    from il2kg.paths.results import Hop, PathResult

FORMATS = ("text", "json")


def format_option(f: Any) -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="Readable text, or JSON for scripts.",
    )(f)


@click.command()
@click.argument("term")
@click.option("-n", "--limit", type=click.IntRange(1), default=10, show_default=True)
@format_option
@pass_state
def search(state: State, term: str, limit: int, fmt: str) -> None:
    """Find entities by id, label, synonym or cross-reference, best match first.

    \b
    Example:
      il2kg search CD25
      il2kg search "il-2 receptor" --limit 5 --format json
    """
    hits = state.kg().search(term, limit)
    if fmt == "json":
        echo_json([h.to_json() for h in hits])
        return
    if not hits:
        fail(f"no entity matches '{term}'")
    for h in hits:
        via = "" if h.matched == h.label else f"  ({h.field}: {h.matched})"
        click.echo(f"{h.score:5.1f}  {h.id:<24} {h.label}  [{h.type}]{via}")


@click.command()
@click.argument("entity")
@format_option
@pass_state
def show(state: State, entity: str, fmt: str) -> None:
    """Show an entity: type, identifiers, synonyms, description and relations with evidence.

    Relations are grouped by predicate, outgoing then incoming; negated relations are marked
    NOT. Each shows its curation status and its sources.

    \b
    Example:
      il2kg show CD25
      il2kg show "IL-2Rβγ" --format json
    """
    card = state.kg().card(entity)
    if fmt == "json":
        echo_json(card.to_json())
        return
    click.echo(f"{card.label}  ({card.id})")
    click.echo(f"  type:        {card.type}")
    click.echo(f"  IRI:         {card.iri}")
    if card.synonyms:
        click.echo(f"  synonyms:    {'; '.join(card.synonyms)}")
    if card.xrefs:
        click.echo(f"  xrefs:       {', '.join(card.xrefs)}")
    for key, value in card.details.items():
        click.echo(f"  {key + ':':<12} {value}")
    if card.description:
        click.echo(f"  description: {card.description}")
    if card.location:
        click.echo(f"  curated in:  {card.location}")
    for title, groups, arrow in (
        ("Relations out", card.outgoing, "→"),
        ("Relations in", card.incoming, "←"),
    ):
        if not groups:
            continue
        click.echo(f"\n{title}:")
        for predicate, rels in groups.items():
            click.echo(f"  {predicate}")
            for r in rels:
                neg = "NOT " if r.negated else ""
                kind = (
                    ""
                    if r.direct
                    else "  (summary" + (f" via {', '.join(r.via)})" if r.via else ")")
                )
                quals = _quals(r.qualifiers)
                click.echo(
                    f"    {neg}{arrow} {r.other_label} ({r.other}){quals}{kind}  [{r.status}]"
                )
                for e in r.evidence:
                    click.echo(f"        {_cite(e)}")


def _cite(e: Mapping[str, Any]) -> str:
    """``verified: Johnston 1995 Proc Natl Acad Sci U S A, PMID:7568001, human (primary research)``."""
    kind = f" ({PUB_TYPE_NAMES.get(str(e['type']), e['type'])})" if e.get("type") else ""
    refutes = "" if e.get("supports", True) else " REFUTES"
    return f"{e['status']}{refutes}: {e['citation']}{kind}"


def _quals(q: Mapping[str, Any]) -> str:
    return ("  {" + ", ".join(f"{k}={v}" for k, v in q.items()) + "}") if q else ""


@click.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(1, 5), default=1, show_default=True)
@click.option("--predicate", "predicates", multiple=True, help="Walk only these (repeatable).")
@click.option("--type", "types", multiple=True, help="Show only these classes (repeatable).")
@click.option("--directed", is_flag=True, help="Follow relations only in their direction.")
@format_option
@pass_state
def neighbors(
    state: State,
    entity: str,
    depth: int,
    predicates: tuple[str, ...],
    types: tuple[str, ...],
    directed: bool,
    fmt: str,
) -> None:
    """List the entities within --depth hops of ENTITY, with the relation that reaches each.

    Relations are walked both ways unless --directed. --type filters what is listed (by
    subclass) but the walk goes through any class. Negated relations are never walked.

    \b
    Example:
      il2kg neighbors IL-2
      il2kg neighbors JAK1 --depth 2 --type TranscriptionFactor
      il2kg neighbors CD25 --predicate part_of --format json
    """
    kg = state.kg()
    eid = kg.resolve(entity)
    found = kg.neighbors(
        eid,
        depth=depth,
        predicates=predicates,
        types=types,
        directed=directed,
    )
    if fmt == "json":
        echo_json({"entity": eid, "neighbors": [n.to_json() for n in found]})
        return
    labels = kg.labels
    click.echo(f"{labels.get(eid, eid)} ({eid}): {len(found)} within {depth} hop(s)")
    for n in found:
        hop = n.hop
        click.echo(
            f"  {n.distance}  {labels.get(hop.source, hop.source)} {hop.arrow} "
            f"{n.label} ({n.id}) [{n.type}]  [{hop.status}]"
        )


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--undirected", is_flag=True, help="Walk relations either way.")
@click.option(
    "-k",
    "--k",
    "k",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="The k shortest simple paths.",
)
@click.option(
    "--all",
    "all_paths",
    is_flag=True,
    help="Every simple path up to --max-length (at most --max-paths).",
)
@click.option(
    "--max-length",
    type=click.IntRange(1, 12),
    default=None,
    help=f"Most hops in a path [default: {DEFAULT_MAX_LENGTH}; {DEFAULT_ALL_MAX_LENGTH} with --all].",
)
@click.option(
    "--max-paths",
    type=click.IntRange(1, MAX_PATHS_LIMIT),
    default=DEFAULT_MAX_PATHS,
    show_default=True,
    help="Most paths examined (and printed).",
)
@timeout_option(DEFAULT_TIMEOUT, "Seconds before the search stops.", minimum=0.1)
@click.option(
    "--predicate",
    "predicates",
    multiple=True,
    help="Walk only relations with this predicate or its sub-predicates (repeatable).",
)
@click.option(
    "--exclude-predicate",
    "exclude",
    multiple=True,
    help="Never walk relations with this predicate (repeatable).",
)
@click.option("--via", multiple=True, help="Pass through this entity (repeatable, in order).")
@click.option("--avoid", multiple=True, help="Never pass through this entity (repeatable).")
@click.option(
    "--metapath",
    default=None,
    help="Classes of the nodes in order, e.g. Cytokine>ReceptorComplex>Kinase>STAT.",
)
@click.option(
    "--summaries",
    is_flag=True,
    help="Also walk summary relations (indirect, e.g. IL2 activates STAT5A); by default paths "
    "follow direct events only, so the mechanism shows.",
)
@click.option(
    "--sign",
    type=click.Choice(SIGNS),
    default=None,
    help="Only paths of this net effect (two inhibitions make an activation).",
)
@click.option(
    "--qualifier",
    "qualifiers",
    multiple=True,
    type=KeyValue(),
    help="Skip relations qualified with another value, e.g. cell_type=CL:0000815 "
    f"(keys: {', '.join(QUALIFIER_KEYS)}).",
)
@format_option
@pass_state
def path(
    state: State,
    source: str,
    target: str,
    undirected: bool,
    k: int,
    all_paths: bool,
    max_length: int | None,
    max_paths: int,
    timeout: float,
    predicates: tuple[str, ...],
    exclude: tuple[str, ...],
    via: tuple[str, ...],
    avoid: tuple[str, ...],
    metapath: str | None,
    summaries: bool,
    sign: str | None,
    qualifiers: tuple[tuple[str, str], ...],
    fmt: str,
) -> None:
    """Find how SOURCE leads to TARGET: the shortest path, the k shortest, or all of them.

    Relations are followed in their direction (and backwards as their declared inverse, e.g.
    part_of as has_part); --undirected walks them either way. Paths of equal length are ranked
    by evidence (verified and multiply-sourced hops first) with a penalty for hubs. Negated
    relations are never walked. Each hop shows its predicate, status, qualifiers and sources.
    Exit 1 when no path exists, with what each end can reach instead.

    \b
    Example:
      il2kg path IL-2 STAT5A --undirected
      il2kg path IL-2 STAT5A --undirected -k 3 --via JAK1
      il2kg path IL-2 FOXP3 --all --max-length 5 --format json
      il2kg path IL-2 STAT5A --undirected --metapath "Cytokine>ReceptorComplex>ReceptorChain>Kinase>STAT"
    """
    kg = state.kg()
    if all_paths and k != 1:
        raise click.UsageError("--k and --all are exclusive")
    result = kg.paths(
        source,
        target,
        k=k,
        all_paths=all_paths,
        max_length=max_length,
        max_paths=max_paths,
        timeout=timeout,
        directed=not undirected,
        predicates=predicates,
        exclude_predicates=exclude,
        via=via,
        avoid=avoid,
        metapath=metapath,
        qualifiers=pairs(qualifiers),
        summaries=summaries,
        sign=sign,
    )
    if fmt == "json":
        echo_json(_result_json(result, kg.labels))
    else:
        _print_paths(result, kg.labels)
    if result.truncated:
        click.echo(
            f"note: the search stopped at its {result.truncated}; the answer may be incomplete "
            "(raise --max-paths/--timeout or narrow the search)",
            err=True,
        )


def _result_json(result: PathResult, labels: Mapping[str, str]) -> dict[str, Any]:
    nodes = {n for p in result.paths for n in p.nodes}
    return {
        "paths": [p.to_json() | {"chain": p.chain(labels)} for p in result.paths],
        "labels": {n: labels.get(n, n) for n in sorted(nodes)},
        "truncated": result.truncated,
    }


_EFFECT_MARK = {"positive": "(+)", "negative": "(−)", "reversed": "(walked backwards)"}


def _hop_line(hop: Hop, labels: Mapping[str, str]) -> str:
    also = f"  (also: {', '.join(hop.alternatives)})" if hop.alternatives else ""
    mark = f" {_EFFECT_MARK[hop.effect]}" if hop.effect in _EFFECT_MARK else ""
    summary = ""
    if not hop.direct:
        chain = " → ".join(labels.get(n, n) for n in (hop.subject, *hop.via, hop.object))
        summary = f"\n       summary of: {chain}"
    lines = [
        f"     {labels.get(hop.source, hop.source)} {hop.arrow} {labels.get(hop.target, hop.target)}"
        f"{_quals(hop.qualifiers)}{mark}  [{hop.status}]{also}{summary}"
    ]
    lines += [f"       {_cite(e)}" for e in hop.evidence] or ["       no source"]
    return "\n".join(lines)


def _print_paths(result: PathResult, labels: Mapping[str, str]) -> None:
    for i, p in enumerate(result.paths, 1):
        click.echo(f"{i}. {p.chain(labels)}")
        click.echo(
            f"   {p.length} hop{'s' if p.length != 1 else ''}, cost {p.cost:.2f}, "
            f"net effect {p.effect}"
        )
        for hop in p.hops:
            click.echo(_hop_line(hop, labels))
