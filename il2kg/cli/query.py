"""Commands that ask SPARQL questions: ``query`` and ``queries``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from il2kg.cli import State, echo_json, fail, output_option, pass_state
from il2kg.cli.options import (
    KeyValue,
    engine_option,
    pairs,
    reasoning_option,
    store_option,
    timeout_option,
)
from il2kg.errors import QueryError
from il2kg.query.layout import MAX_QUERY_BYTES
from il2kg.query.results import GRAPH_FORMATS, SELECT_FORMATS

if TYPE_CHECKING:
    from il2kg.query.layout import Engine, Reasoning, Store

#: ``il2kg query`` exits with this code when an ASK query answers false.
ASK_FALSE_EXIT = 4
_FORMATS = tuple(dict.fromkeys((*SELECT_FORMATS, *GRAPH_FORMATS)))


def read_query_file(name: str) -> str:
    """The text of the query file ``name`` ('-': standard input), of which at most
    :data:`~il2kg.query.layout.MAX_QUERY_BYTES` (+1, to tell a longer one) are read."""
    shown = "standard input" if name == "-" else f"'{click.format_filename(name)}'"
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_QUERY_BYTES + 1)
        else:
            with open(name, "rb") as f:
                data = f.read(MAX_QUERY_BYTES + 1)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {shown}: {exc.strerror or exc}", param_hint="'-f' / '--file'"
        ) from exc
    if len(data) > MAX_QUERY_BYTES:
        fail(f"{shown} is over {MAX_QUERY_BYTES:,} bytes, the longest query il2kg takes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{shown} is not UTF-8 text (byte {exc.start + 1} is not valid)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@click.command()
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Read the query from this file ('-' for standard input); at most 256 KiB.",
)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    type=KeyValue(),
    help='Bind ?NAME to VALUE as an RDF term: a CURIE, <IRI>, number, "string", or an '
    "entity's label or synonym. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK: table, csv, tsv, json, xml (SPARQL results). "
    "CONSTRUCT/DESCRIBE: turtle (also for 'table'), nt, jsonld, xml (RDF/XML).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N rows.")
@engine_option()
@reasoning_option()
@timeout_option()
@click.option("--no-labels", is_flag=True, help="Table: show CURIEs without their labels.")
@click.option("--quiet", "-q", is_flag=True, help="Do not print the row count.")
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Ask a remote SPARQL endpoint filled by `il2kg push` instead (credentials from "
    "$IL2KG_USER/$IL2KG_PASSWORD or $IL2KG_TOKEN, never in the URL; they are sent to the "
    "URL's origin only).",
)
@store_option()
@output_option()
@pass_state
def query(
    state: State,
    query: str | None,
    query_file: str | None,
    params: tuple[tuple[str, str], ...],
    fmt: str,
    limit: int | None,
    engine: Engine | None,
    reasoning: Reasoning | None,
    timeout: float,
    no_labels: bool,
    quiet: bool,
    endpoint: str | None,
    store: Store | None,
    output: Path | None,
) -> None:
    """Ask the graph a SPARQL question: inline, from a file, or a named query.

    QUERY is a SPARQL text or the name of a query listed by `il2kg queries`. The prefixes of
    `il2kg prefixes` are predeclared. SERVICE, FROM and SPARQL Update are refused; nothing
    reaches the network. Exit codes: 0 success (ASK true), 4 ASK false, 1 error, 2 misuse,
    3 timeout. The row count goes to standard error.

    \b
    Example:
      il2kg query 'SELECT ?k WHERE { ?k a il2kg:Kinase }'
      il2kg query kinases-of-receptor --param complex=IL-2Rβγ
      il2kg query -f my.rq --format csv -o answer.csv
      il2kg query --reasoning rdfs 'SELECT ?x WHERE { ?x a il2kg:GeneOrProtein }'
      il2kg query 'ASK { HGNC:6190 il2kg:associates_with HGNC:6009 }'
    """
    from il2kg.query.results import dumps

    auth = None
    if endpoint is not None:
        import os

        from il2kg.query.remote import Auth

        auth = Auth.from_options(
            os.environ.get("IL2KG_USER"),
            os.environ.get("IL2KG_PASSWORD"),
            os.environ.get("IL2KG_TOKEN"),
        )
    if (query is None) == (query_file is None):
        raise click.UsageError("give a QUERY (text or name) or -f FILE, not both nor neither")
    text = read_query_file(query_file) if query_file is not None else query
    assert text is not None
    if len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        fail(f"the query is over {MAX_QUERY_BYTES:,} bytes, the longest query il2kg takes")
    results = state.kg().ask(
        text,
        by_name=query_file is None,
        params=pairs(params),
        endpoint=endpoint,
        store=store,
        auth=auth,
        engine=engine,
        reasoning=reasoning,
        timeout=timeout,
        limit=limit,
        labels=not no_labels and fmt == "table",
    )
    data = dumps(results, fmt, labels=not no_labels)
    if output is not None:
        from il2kg.files import atomic_write

        atomic_write(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    if not quiet and results.form != "ASK":
        click.echo(results.summary(), err=True)
    if results.form == "ASK" and not results.boolean:
        sys.exit(ASK_FALSE_EXIT)


@click.command()
@click.option("--show", "show", metavar="NAME", default=None, help="Print this query's text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (name, question, params).")
def queries(show: str | None, as_json: bool) -> None:
    """List the named queries with their questions, or print one with --show.

    \b
    Example:
      il2kg queries
      il2kg queries --show kinases-of-receptor
      il2kg query kinases-of-receptor
    """
    from il2kg.query.catalogue import get_named_query, named_queries

    if show is not None:
        try:
            nq = get_named_query(show)
        except QueryError as err:
            fail(str(err))
        click.echo(nq.text, nl=False)
        return
    items = named_queries()
    if as_json:
        echo_json(
            [
                {
                    "name": q.name,
                    "question": q.question,
                    "params": [
                        {"name": p.name, "type": p.type, "default": p.default, "help": p.help}
                        for p in q.params
                    ],
                }
                for q in items.values()
            ]
        )
        return
    width = max((len(n) for n in items), default=0)
    for name, q in items.items():
        extra = "".join(f" [{p.name}={p.default or '…'}]" for p in q.params)
        click.echo(f"{name.ljust(width)}  {q.question}{extra}")
