"""Commands that check and build the graph: validate, build, stats, prefixes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from il2kg.cli import State, echo_json, output_option, pass_state
from il2kg.rdf.formats import FORMATS, format_for


@click.command()
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL check of the built graph.")
@pass_state
def validate(state: State, no_shacl: bool) -> None:
    """Check the curated data; report every problem with file, line, column and field.

    Exit 0 with a one-line summary when the data is valid, 1 otherwise.

    \b
    Example:
      il2kg validate
      il2kg --data-dir my-data/ validate
    """
    state.without_gc()
    kg = state.kg()
    s = kg.validate(shacl=not no_shacl)
    checks = "YAML, model, identifiers, references, domain/range" + ("" if no_shacl else ", SHACL")
    click.echo(
        f"OK: {s.entities} entities, {s.relations} relations in {s.files} files "
        f"({kg.data_dir}); checked {checks}"
    )


@click.command()
@output_option("Output file (a directory for --format kgx); standard output when omitted.")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Output format; by default guessed from the output's suffix, else turtle.",
)
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL check of the built graph.")
@pass_state
def build(state: State, output: Path | None, fmt: str | None, no_shacl: bool) -> None:
    """Validate the data and write the knowledge graph.

    Formats: Turtle (.ttl), N-Triples (.nt), JSON-LD (.jsonld), RDF/XML (.rdf/.owl), GraphML
    (.graphml) and KGX TSV (a directory with nodes.tsv and edges.tsv). Output is deterministic
    and written atomically.

    \b
    Example:
      il2kg build -o il2kg.ttl
      il2kg build -o kgx/ --format kgx
      il2kg build --format nt | wc -l
    """
    state.without_gc()
    kg = state.kg()
    s = kg.validate(shacl=not no_shacl)
    chosen = format_for(output, fmt)
    if output is None:
        if FORMATS[chosen].directory:
            raise click.UsageError(f"--format {chosen} writes a directory: give -o DIR")
        kg.dump(sys.stdout.buffer, chosen)
        return
    click.echo(f"valid: {s.entities} entities, {s.relations} relations", err=True)
    for path in kg.write(output, chosen):
        click.echo(f"wrote {path} ({chosen}, {path.stat().st_size:,} bytes)", err=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_state
def stats(state: State, as_json: bool) -> None:
    """Counts by class and predicate, evidence coverage and curation targets.

    \b
    Example:
      il2kg stats
      il2kg stats --json
    """
    s = state.kg().stats()
    if as_json:
        echo_json(s.to_json())
        return
    click.echo(
        f"{s.entities} entities, {s.relations} relations ({s.negated} negated), "
        f"{s.files} files, {s.timeline_events} timeline events"
    )
    click.echo("\nEntities by class:")
    for k, v in sorted(s.by_class.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {v:5d}  {k}")
    click.echo("\nRelations by predicate:")
    for k, v in sorted(s.by_predicate.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {v:5d}  {k}")
    click.echo(
        f"\nEvidence: {s.evidence_items} items citing {s.references} distinct references "
        f"({s.refuted_items} refuting, {s.non_human_items} about another species than human)"
    )
    click.echo("  evidence items by status:")
    for k, v in s.by_status.items():
        click.echo(f"  {v:5d}  {k}")
    click.echo("  evidence items by publication type of the cited work:")
    for k, v in sorted(s.items_by_type.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {v:5d}  {k}")
    click.echo(
        f"  relations ({s.claims} findings, {s.axioms} ontology axioms apart; "
        f"{s.summaries} summaries of a mechanism):"
    )
    click.echo(f"  {s.with_primary:5d}  cite a primary source ({s.primary_share:.1%})")
    click.echo(f"  {s.review_only:5d}  rest on reviews only ({s.share(s.review_only):.1%})")
    click.echo(
        f"  {s.weak_only:5d}  rest on web or press sources only ({s.share(s.weak_only):.1%})"
    )
    click.echo("\nCuration targets:")
    for target, measured, met in s.targets():
        click.echo(f"  [{'x' if met else ' '}] {target}: {measured}")
    if s.missing_ids:
        click.echo("\nMissing identifiers:")
        for what, ids in s.missing_ids.items():
            click.echo(f"  {len(ids)} without {what}: {', '.join(ids)}")


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "json", "sparql", "turtle"]),
    default="tsv",
    show_default=True,
    help="How to print the prefix map.",
)
def prefixes(fmt: str) -> None:
    """Print the pinned prefix map used for CURIEs and IRIs.

    \b
    Example:
      il2kg prefixes
      il2kg prefixes --format json > prefixes.json
    """
    from il2kg.namespaces import PREFIXES, VOCABULARIES, sparql_prologue

    items = {**PREFIXES, **VOCABULARIES}
    if fmt == "json":
        echo_json(dict(sorted(items.items(), key=lambda kv: kv[0].lower())))
    elif fmt == "sparql":
        click.echo(sparql_prologue(), nl=False)
    elif fmt == "turtle":
        for p, iri in sorted(items.items(), key=lambda kv: kv[0].lower()):
            click.echo(f"@prefix {p}: <{iri}> .")
    else:
        for p, iri in sorted(items.items(), key=lambda kv: kv[0].lower()):
            click.echo(f"{p}\t{iri}")
