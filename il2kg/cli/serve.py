"""Commands that put the graph behind HTTP: ``serve`` (a local endpoint) and ``push`` (a store)."""

from __future__ import annotations

from pathlib import Path

import click

from il2kg.cli import State, echo_json, pass_state


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=10.0,
    show_default=True,
    help="Seconds a query may run; then the client gets HTTP 503 and the query is killed.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Queries answered at the same time (one process each).",
)
@click.option(
    "--location",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the on-disk Oxigraph store (default: in the build cache); reused while "
    "the data is unchanged.",
)
@click.option("--cors", is_flag=True, help="Allow queries from web pages of any origin.")
@click.option(
    "--queue",
    type=click.IntRange(0, 1024),
    default=32,
    show_default=True,
    help="Queries that may wait for a free worker; one more gets HTTP 503 at once.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(8, 1000),
    default=400,
    show_default=True,
    help="Open connections in all; then new ones wait.",
)
@click.option(
    "--max-client-connections",
    type=click.IntRange(0, 4096),
    default=64,
    show_default=True,
    help="Open connections per client address (0: no limit, e.g. behind a proxy); "
    "one more gets HTTP 429.",
)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0.5, max=3600),
    default=10.0,
    show_default=True,
    help="Seconds a connection has to send a whole request; then it is closed.",
)
@click.option(
    "--answer-cache",
    type=click.IntRange(0, 4096),
    default=32,
    show_default=True,
    metavar="MIB",
    help="MiB of answers kept to answer the same query again without a worker (0: none).",
)
@click.option(
    "--worker-idle",
    type=click.FloatRange(min=0, max=86400),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds a query worker may stay idle before it ends (one is forked again, in about "
    "40 ms, when a query needs it; 0: never).",
)
@pass_state
def serve(
    state: State,
    host: str,
    port: int,
    timeout: float,
    workers: int,
    location: Path | None,
    cors: bool,
    queue: int,
    max_connections: int,
    max_client_connections: int,
    request_timeout: float,
    answer_cache: int,
    worker_idle: float,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 endpoint, with the HTML explorer.

    Queries: GET or POST at /query (SPARQL JSON, XML, CSV or TSV results; Turtle, N-Triples,
    JSON-LD or RDF/XML for CONSTRUCT and DESCRIBE, by the Accept header). Updates, SERVICE,
    LOAD and FROM are refused; nothing reaches the network. The explorer is at /explore.
    Listens on 127.0.0.1 only unless --host says otherwise. Stop with Ctrl-C.

    Under load, a query beyond --workers running and --queue waiting gets HTTP 503 at once
    (with Retry-After); a client beyond --max-client-connections gets 429; a connection that
    does not send a whole request within --request-timeout seconds is closed (docs/endpoint.md).

    \b
    Example:
      il2kg serve
      curl -H 'Accept: text/csv' --data-urlencode \\
        'query=SELECT ?k WHERE { ?k a il2kg:Kinase }' http://127.0.0.1:7878/query
      il2kg serve --port 8890 --timeout 30 --workers 4
    """
    from il2kg.server.endpoint import default_location, describe, start
    from il2kg.server.guard import ConnectionLimits

    kg = state.kg()
    endpoint = start(
        kg,
        host=host,
        port=port,
        location=location or default_location(kg),
        timeout=timeout,
        workers=workers,
        cors=cors,
        queue=queue,
        limits=ConnectionLimits(
            total=max_connections,
            per_client=max_client_connections,
            request_timeout=request_timeout,
        ),
        answer_cache=answer_cache * 1024 * 1024,
        worker_idle=worker_idle,
    )
    info = describe(endpoint)
    click.echo(f"il2kg SPARQL endpoint: {info['query']}", err=True)
    click.echo(f"query page: {info['url']}/", err=True)
    click.echo(f"explorer: {info['explore']}", err=True)
    click.echo(f"VoID: {info['void']}", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"note: listening on {host}: other machines can query this endpoint", err=True)
    click.echo("Ctrl-C stops it.", err=True)
    try:
        endpoint.server.run()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.stop()


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol URL (Oxigraph: http://HOST:7878/store; "
    "Fuseki: http://HOST:3030/DATASET/data), without credentials in it.",
)
@click.option(
    "--graph",
    default=None,
    metavar="IRI",
    help="Named graph for the data.  [default: https://w3id.org/il2kg/dataset]",
)
@click.option(
    "--ontology-graph",
    default=None,
    metavar="IRI",
    help="Named graph for the ontology.  [default: https://w3id.org/il2kg/ontology]",
)
@click.option("--no-ontology", is_flag=True, help="Push the data graph only.")
@click.option("--user", default=None, envvar="IL2KG_USER", help="HTTP Basic user name.")
@click.option(
    "--password", default=None, envvar="IL2KG_PASSWORD", help="HTTP Basic password (or env)."
)
@click.option("--token", default=None, envvar="IL2KG_TOKEN", help="Bearer token (or env).")
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=600.0, show_default=True, help="Seconds."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
def push(
    state: State,
    endpoint: str,
    graph: str | None,
    ontology_graph: str | None,
    no_ontology: bool,
    user: str | None,
    password: str | None,
    token: str | None,
    timeout: float,
    as_json: bool,
) -> None:
    """Replace the il2kg graphs in a triple store (SPARQL 1.1 Graph Store Protocol).

    The data and the ontology go to two named graphs, each replaced whole by one HTTP PUT.
    Works with Oxigraph, Apache Jena Fuseki, GraphDB, Virtuoso and Amazon Neptune. Query the
    store afterwards with `il2kg query --endpoint QUERY-URL`, which sees the same dataset as
    local queries do. Credentials go to the URL's origin only (no redirect to another host is
    followed); each PUT must end within --timeout seconds.

    \b
    Example:
      il2kg push --endpoint http://localhost:7878/store
      il2kg push --endpoint http://localhost:3030/il2kg/data --user admin --password secret
      IL2KG_TOKEN=... il2kg push --endpoint https://db.example.org/repositories/kg/rdf-graphs/service
    """
    from il2kg.query.remote import DATA_GRAPH, ONTOLOGY_GRAPH, Auth
    from il2kg.query.remote import push as do_push

    auth = Auth.from_options(user, password, token)
    kg = state.kg()
    kg.validate()
    report = do_push(
        kg.ntriples,
        endpoint,
        graph=graph or DATA_GRAPH,
        ontology_graph=None if no_ontology else (ontology_graph or ONTOLOGY_GRAPH),
        auth=auth,
        timeout=timeout,
    )
    if as_json:
        echo_json(
            [
                {"graph": p.graph, "triples": p.triples, "bytes": p.bytes, "status": p.status}
                for p in report
            ]
        )
        return
    for p in report:
        click.echo(
            f"replaced <{p.graph}>: {p.triples:,} triples (HTTP {p.status}, {p.seconds:.1f} s)"
        )
