"""SPARQL security: no outbound call, no update, no runaway query, no injection through --param.

"No network" is checked against a real TCP listener on 127.0.0.1 that records every connection:
a positive control first shows that pyoxigraph, asked directly, does connect to it, then every
way of reaching il2kg's engines (library, CLI, the HTTP endpoint) must leave it untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il2kg import KnowledgeGraph, QueryError, UnknownEntityError
from il2kg.cli import cli
from il2kg.errors import Il2kgError
from il2kg.query.gate import check_query
from il2kg.query.params import parse_value
from il2kg.query.results import Term
from tests._net import Listener

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
ENGINES = ["oxigraph", "rdflib"]


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return KnowledgeGraph(FIXTURE, cache_root=tmp_path_factory.mktemp("cache"))


def run_cli(*args: str) -> object:
    return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE), *args])


# -- the detector works ---------------------------------------------------------------------------


def test_positive_control_pyoxigraph_does_call_out(net: Listener) -> None:
    """Without il2kg's gate, pyoxigraph performs SERVICE: the listener sees the request."""
    import pyoxigraph as ox

    with contextlib.suppress(Exception):  # the listener hangs up: "Empty HTTP request"
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{net.url}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
    assert net.count() == 1
    assert net.requests[0].startswith(b"POST /sparql HTTP/1.1")


# -- SERVICE, LOAD, FROM and updates never reach the listener --------------------------------------

#: Queries that would call the listener if an engine ran them. {u} is the listener's URL.
OUTBOUND = {
    "service": "SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "service-lowercase": "select * where {{ service <{u}> {{ ?s ?p ?o }} }}",
    "service-silent": "SELECT * WHERE {{ SERVICE SILENT <{u}> {{ ?s ?p ?o }} }}",
    "service-variable": ("SELECT * WHERE {{ VALUES ?e {{ <{u}> }} SERVICE ?e {{ ?s ?p ?o }} }}"),
    "service-nested": (
        "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {{ SELECT ?s WHERE {{ "
        "SERVICE <{u}> {{ ?s ?p ?o }} }} }} }} }}"
    ),
    "service-in-exists": "ASK {{ FILTER EXISTS {{ SERVICE <{u}> {{ ?s ?p ?o }} }} }}",
    "service-u-escape": "SELECT * WHERE {{ \\u0053ERVICE <{u}> {{ ?s ?p ?o }} }}",
    "service-U-escape": "SELECT * WHERE {{ \\U00000053ERVICE <{u}> {{ ?s ?p ?o }} }}",
    # SPARQL comments end at CR as well as LF (EOL ::= [#xA#xD]); pyoxigraph follows that
    "service-after-comment-ending-in-cr": "SELECT * WHERE {{ # note\rSERVICE <{u}> {{ ?s ?p ?o }} }}",
    # pyoxigraph applies \\u escapes inside string literals only: \\u0022 is a quote *in* the
    # string, while a reader that unescapes first sees the string end there
    "service-between-escaped-quotes": (
        'SELECT * WHERE {{ BIND("a\\u0022" AS ?x) SERVICE <{u}> {{ ?s ?p ?o }} '
        'BIND("\\u0022" AS ?y) }}'
    ),
    "service-between-escaped-apostrophes": (
        "SELECT * WHERE {{ BIND('''a\\u0027''' AS ?x) SERVICE <{u}> {{ ?s ?p ?o }} "
        "BIND('\\u0027' AS ?y) }}"
    ),
    "from": "SELECT * FROM <{u}> WHERE {{ ?s ?p ?o }}",
    "from-named": "SELECT * FROM NAMED <{u}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "load": "LOAD <{u}>",
    "load-silent-into": "LOAD SILENT <{u}> INTO GRAPH <urn:x:g>",
    "update-then-load": "INSERT DATA {{ <urn:x:a> <urn:x:b> <urn:x:c> }} ; LOAD <{u}>",
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(OUTBOUND))
def test_engines_never_call_out(kg: KnowledgeGraph, net: Listener, engine: str, name: str) -> None:
    query = OUTBOUND[name].format(u=net.url)
    with pytest.raises(QueryError):
        kg.query(query, engine=engine, timeout=5)
    net.assert_untouched()


@pytest.mark.parametrize("name", ["service", "service-after-comment-ending-in-cr", "load"])
def test_cli_never_calls_out(net: Listener, name: str) -> None:
    res = run_cli("query", OUTBOUND[name].format(u=net.url))
    assert res.exit_code == 1  # type: ignore[attr-defined]
    assert res.stderr.startswith("Error: ")  # type: ignore[attr-defined]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    net.assert_untouched()


def test_gate_and_engine_agree_on_service(net: Listener) -> None:
    """Every query the gate passes, pyoxigraph (which has no switch for SERVICE) runs offline."""
    import pyoxigraph as ox

    store = ox.Store()
    eol = st.sampled_from(["\n", "\r", "\r\n"])
    body = st.lists(
        st.sampled_from(["a", " ", "#", "}", "{", "<", "\\u0022", "\\u0027", '\\"', "\\'"]),
        max_size=6,
    ).map("".join)
    quote = st.sampled_from(['"', "'", '"""', "'''"])
    string_atom = st.builds(lambda q, b: f"BIND({q}{b}{q} AS ?VAR)", quote, body)
    comment_atom = st.builds(lambda b, e: f"# {b}{e}", body, eol)
    other_atom = st.sampled_from(["?s ?p ?o .", "FILTER(?s<?o)", "OPTIONAL { ?s ?p ?o }", "\n"])
    atom = st.one_of(string_atom, comment_atom, other_atom)
    keyword = st.sampled_from(["SERVICE", "service", "SERVICE SILENT", "\\u0053ERVICE"])

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(atom, max_size=3), keyword, st.lists(atom, max_size=3))
    def prop(pre: list[str], kw: str, post: list[str]) -> None:
        parts = iter(
            f"SELECT * WHERE {{ {' '.join(pre)} {kw} <{net.url}> {{ ?s ?p ?o }} "
            f"{' '.join(post)} }}".split("?VAR")
        )
        query = next(parts) + "".join(f"?v{i}{part}" for i, part in enumerate(parts))
        try:
            check_query(query)
        except QueryError:
            return
        before = net.count(settle=0)
        with contextlib.suppress(Exception):
            list(store.query(query))  # type: ignore[arg-type]
        # pyoxigraph returns only once the listener has hung up, so no wait is needed here
        assert net.count(settle=0) == before, f"the gate passed a query that called out: {query!r}"

    prop()


def test_updates_leave_the_graph_unchanged(kg: KnowledgeGraph) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = kg.query(count).rows
    for update in (
        "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP DEFAULT",
        "CREATE GRAPH <urn:x:g>",
        "ADD DEFAULT TO <urn:x:g>",
        "MOVE DEFAULT TO <urn:x:g>",
        "COPY DEFAULT TO <urn:x:g>",
        "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <urn:x:g> WHERE { ?s ?p ?o }",
    ):
        for engine in ENGINES:
            with pytest.raises(QueryError, match=r"SPARQL Update .* is refused"):
                kg.query(update, engine=engine)
    assert kg.query(count).rows == before


# -- pathological queries are stopped by the timeout ---------------------------------------------

PATHOLOGICAL = {
    # 4-way cartesian product: ~10^10 rows on the fixture
    "cartesian": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    # two chained unbounded property paths over every predicate, both directions
    "property-path": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!rdf:nil|^!rdf:nil)* ?b . "
    "?b (!rdf:nil|^!rdf:nil)* ?c }",
}


def _children() -> set[int]:
    """The live (non-zombie) child processes of this process."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):
            found |= {int(p) for p in (task / "children").read_text().split()}
    alive = set()
    for pid in found:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                alive.add(pid)
    return alive


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_queries_time_out_with_exit_3(engine: str, name: str) -> None:
    before = _children()
    start = time.monotonic()
    res = run_cli("query", "--engine", engine, "--timeout", "0.5", PATHOLOGICAL[name])
    elapsed = time.monotonic() - start
    assert res.exit_code == 3, res.output  # type: ignore[attr-defined]
    assert res.stderr == (  # type: ignore[attr-defined]
        "Error: the query ran longer than 0.5 s and was stopped "
        "(raise --timeout, or add LIMIT / narrower patterns)\n"
    )
    assert elapsed < 4
    assert _children() <= before, "the query process outlived its timeout"


# -- parameters are bound as terms, never pasted ---------------------------------------------------

LABELS_QUERY = "SELECT ?x ?v WHERE { ?x rdfs:label ?v }"
INJECTIONS = [
    '"} UNION { ?x ?p ?v } #',
    '"IL2" } UNION { ?x ?p ?v } #',
    'IL2" . } SELECT * { ?x ?p ?v } #',
    "'x' ; DROP ALL",
    "x\n} UNION { ?x ?p ?v }",
    "<urn:x> } UNION { ?x ?p ?v",
    "<https://example.org/a>\n} UNION { ?x ?p ?v } #",
    "HGNC:6001> } UNION { ?x ?p ?v } #",
    "IL2KG:x } SERVICE <http://127.0.0.1:9/> { }",
    '""" } UNION { ?x ?p ?v } """',
    "?x",
    "*",
    "1 } UNION { ?x ?p ?v",
    "\\u0022 } UNION { ?x ?p ?v } #",
]


def _check_bound(kg: KnowledgeGraph, value: str, engine: str = "oxigraph") -> None:
    """``value`` bound to ?v selects at most the one entity whose label it is, or is refused."""
    try:
        r = kg.query(LABELS_QUERY, params={"v": value}, engine=engine)
    except (QueryError, UnknownEntityError) as exc:
        assert str(exc)
        assert "Traceback" not in str(exc)
        return
    assert r.total <= 1, f"{value!r} widened the query to {r.total} rows"
    term = parse_value("v", value)
    for row in r.rows:  # type: ignore[union-attr]
        assert isinstance(term, Term) and row[1] == term


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", INJECTIONS)
def test_param_injection_is_inert(kg: KnowledgeGraph, engine: str, value: str) -> None:
    _check_bound(kg, value, engine)


def test_a_quoted_label_binds_as_a_literal(kg: KnowledgeGraph) -> None:
    r = kg.query(LABELS_QUERY, params={"v": '"IL2"'})
    assert r.records() == [{"x": "HGNC:6001", "v": "IL2"}]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.sampled_from([*"\"'{}<>;#\n\r\\ ?$.*:/", "UNION", "IL2", "SERVICE", "HGNC", "a"]),
        min_size=1,
        max_size=12,
    ).map("".join)
)
def test_param_values_cannot_inject(kg: KnowledgeGraph, value: str) -> None:
    _check_bound(kg, value)


@pytest.mark.parametrize(
    "value", ['"} UNION { ?x ?p ?v } #', "x\n} UNION { ?x ?p ?v }", "HGNC:6001> } #"]
)
def test_cli_param_injection_is_inert(value: str) -> None:
    res = run_cli("query", "--format", "csv", "--param", f"v={value}", LABELS_QUERY)
    assert res.exit_code in (0, 1), res.output  # type: ignore[attr-defined]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    if res.exit_code == 0:  # type: ignore[attr-defined]
        assert res.stdout.count("\n") <= 2  # type: ignore[attr-defined] # header + at most one row
    else:
        assert res.stderr.startswith("Error: ")  # type: ignore[attr-defined]


def test_named_query_params_cannot_inject(kg: KnowledgeGraph) -> None:
    for value in ("IL2KG:IL2R_ABG> } UNION { ?kinase ?p ?chain } #", '"x" } #'):
        with pytest.raises(Il2kgError):
            kg.named_query("kinases-of-receptor", complex=value)


# -- the HTTP endpoint -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from il2kg.server.endpoint import start

    ep = start(
        kg,
        port=0,
        location=tmp_path_factory.mktemp("serve") / "store",
        timeout=2.0,
        workers=1,
        background=True,
    )
    yield ep.url
    ep.stop()


def _http(url: str, data: bytes | None = None, ctype: str | None = None) -> tuple[int, bytes]:
    headers = {"Content-Type": ctype} if ctype else {}
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.mark.parametrize(
    "name",
    [
        "service",
        "service-variable",
        "service-after-comment-ending-in-cr",
        "service-between-escaped-quotes",
        "from",
        "load",
        "update-then-load",
    ],
)
def test_endpoint_never_calls_out(endpoint: str, net: Listener, name: str) -> None:
    query = OUTBOUND[name].format(u=net.url)
    form = urllib.parse.urlencode({"query": query})
    answers = [
        _http(f"{endpoint}/query?{form}"),
        _http(f"{endpoint}/query", form.encode(), "application/x-www-form-urlencoded"),
        _http(f"{endpoint}/query", query.encode(), "application/sparql-query"),
        _http(
            f"{endpoint}/query",
            urllib.parse.urlencode({"update": query}).encode(),
            "application/x-www-form-urlencoded",
        ),
        _http(f"{endpoint}/query", query.encode(), "application/sparql-update"),
    ]
    assert [status for status, _ in answers] == [400, 400, 400, 403, 403], answers
    net.assert_untouched()


def test_endpoint_stops_an_unbounded_property_path(endpoint: str) -> None:
    start = time.monotonic()
    status, body = _http(
        f"{endpoint}/query?" + urllib.parse.urlencode({"query": PATHOLOGICAL["property-path"]})
    )
    assert status == 503 and b"query timeout" in body
    assert time.monotonic() - start < 6
    # the killed worker is replaced
    deadline = time.monotonic() + 20
    while True:
        status, body = _http(f"{endpoint}/query?" + urllib.parse.urlencode({"query": "ASK {}"}))
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200 and re.search(rb'"boolean"\s*:\s*true', body)


# -- the ASCII lexer stands in for the full one only where they lex alike -----------------------

_LEX_ALPHABET = (
    "?$_:.%#'\"<>\\@ \n\r\t-0123456789eEaAzZ{}()*+,;=/!^&|"
    "é·\u0300\u036f\u203f\u2040\u00d7\u00f7βγ\u037e\u200c\u2070\ufffd\U00010000\U000f0000"
)


def _full_lexing(text: str) -> list[tuple[str | None, int, int]]:
    from il2kg.query import gate

    return [(m.lastgroup, m.start(), m.end()) for m in gate._full_token_re().finditer(text)]


def _our_lexing(text: str) -> list[tuple[str | None, int, int]]:
    from il2kg.query import gate

    return [(m.lastgroup, m.start(), m.end()) for m in gate._token_matches(text)]


def test_the_ascii_name_classes_are_the_full_ones_on_ascii() -> None:
    from il2kg.query import gate

    full = (gate._PN_CHARS_BASE, gate._PN_CHARS, gate._VARNAME)
    for ours, theirs in zip(gate._ASCII_CLASSES, full, strict=True):
        a, b = re.compile(f"[{ours}]"), re.compile(f"[{theirs}]")
        assert [c for c in map(chr, range(128)) if a.fullmatch(c)] == [
            c for c in map(chr, range(128)) if b.fullmatch(c)
        ]


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=_LEX_ALPHABET, max_size=40))
def test_the_lexer_reads_any_text_as_the_full_lexer(text: str) -> None:
    assert _our_lexing(text) == _full_lexing(text)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?é WHERE {}",
        "SELECT ?xé WHERE {}",
        "ASK { ex:aé ?p ?o }",
        "ASK { éx:a ?p ?o }",
        "ASK { _:bé ?p ?o }",
        "ASK { ex:a\\#é ?p ?o }",
        "# γc\nSELECT * WHERE { ?s ?p 'β' . ?s ?p <urn:é> }",
        "ASK { ?s ?p ?o }·",
    ],
)
def test_non_ascii_names_are_lexed_by_the_full_lexer(text: str) -> None:
    assert _our_lexing(text) == _full_lexing(text)


def test_a_named_query_needs_no_full_lexer_when_its_names_are_ascii() -> None:
    from il2kg.query import gate
    from il2kg.query.catalogue import named_queries

    for nq in named_queries().values():
        assert _our_lexing(nq.text) == _full_lexing(nq.text), nq.name
    gate._full_token_re.cache_clear()
    check_query(named_queries()["kinases-of-receptor"].text)  # non-ASCII in a comment only
    assert gate._full_token_re.cache_info().currsize == 0
