"""The query sandbox and the gate hold by construction (issue #11; review C1, M1, M3, M4, m1, m9).

- The query process has no network at all (its own network namespace, a seccomp filter): a
  real listener on 127.0.0.1 records that nothing connects, even when the gate is bypassed.
- The gate lexes as the engines do: the review's C1 queries (which pyoxigraph, asked directly,
  runs against the listener) are refused, with a position, on every road.
- The gate is linear (M1); rdflib's parse-tree walk visits the tree (m1); query processes die
  with their parent (M3) and with Ctrl-C (M4); odd timeouts never crash (m9).
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il2kg import KnowledgeGraph, QueryError
from il2kg.cli import cli
from il2kg.errors import QueryTimeout
from il2kg.query import sandbox
from il2kg.query.engines import (
    _Oxigraph,
    _Rdflib,
    execute,
    parse_rdflib,
    refuse_outbound,
)
from il2kg.query.gate import CheckedQuery, check_query
from il2kg.query.layout import oxigraph_store, rdflib_dataset
from tests._net import Listener
from tests._proc import alive

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LINUX = sys.platform.startswith("linux")


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return KnowledgeGraph(FIXTURE, cache_root=tmp_path_factory.mktemp("cache"))


def run_cli(*args: str) -> object:
    return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE), *args])


#: The review's C1 queries, {u} the listener's URL: two tricks hide SERVICE from the old gate.
C1 = {
    "quote-and-hash": (
        "SELECT * WHERE {{ BIND('x\\u0027y' AS ?a) BIND(<http://x/\\u0041#> AS ?b) "
        "SERVICE <{u}> {{ ?s ?p ?o }} BIND('z' AS ?c) }}"
    ),
    "store-variant": (
        'SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?i) BIND(CONCAT("A\\u0022, ") AS ?y) '
        'SERVICE <{u}> {{ ?s ?p ?o }} BIND(CONCAT(", \\u0022E") AS ?x) }}'
    ),
    "hash-in-iri": "SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?b) SERVICE <{u}> {{ ?s ?p ?o }} }}",
    "escaped-backslash": (
        'SELECT * WHERE {{ BIND("\\\\u0022" AS ?a) SERVICE <{u}> {{ ?s ?p ?o }} BIND("\\u0022" AS ?b) }}'
    ),
}
#: Found while fixing C1: in an expression, ``<`` after an operand is less-than to the engines,
#: so ``<?b#>`` is no IRI there and its ``#`` starts a comment that hides a string's opening.
C1.update(
    {
        "less-than-long1": "ASK {{ FILTER(?a<?b#> '''\n) SERVICE <{u}> {{ }} #'''\n}}",
        "less-than-long2": 'SELECT * {{ BIND(1<2#> """\n AS ?x) SERVICE <{u}> {{ }} #"""\n}}',
        "less-than-after-iri": "ASK {{ FILTER(<http://x/><?b#> '''\n) SERVICE <{u}> {{ }} #'''\n}}",
    }
)
#: rdflib reads \u with 8 hex digits and \U with 4 (m1).
RDFLIB_ESCAPES = {
    "U-with-4": "SELECT * WHERE {{ \\U0053ERVICE <{u}> {{ ?s ?p ?o }} }}",
    "u-with-8": "SELECT * WHERE {{ \\u00000053ERVICE <{u}> {{ ?s ?p ?o }} }}",
}


def _pyoxigraph_calls_out(query: str, net: Listener) -> bool:
    import pyoxigraph as ox

    before = net.count(settle=0)
    with contextlib.suppress(Exception):
        list(ox.Store().query(query))  # type: ignore[arg-type]
    return net.count() > before


# -- the barrier ----------------------------------------------------------------------------------


@pytest.mark.skipif(not LINUX, reason="kernel barriers are Linux's")
def test_barrier_is_reported_and_holds_in_the_kernel() -> None:
    found = sandbox.barrier()
    assert sandbox.SECCOMP in found
    if os.geteuid() == 0:  # CI runs as root: a network namespace is always granted
        assert sandbox.NETNS in found
    assert not sandbox.kernel_barrier_active()  # this (parent) process is left alone

    def probe() -> list[str]:
        out = []
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                socket.socket(family, socket.SOCK_STREAM).close()
                out.append("created")
            except OSError as exc:
                out.append(exc.strerror or str(exc))
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()  # pipes and AF_UNIX work
        return out

    assert sandbox.run_isolated(probe, 5) == ["Operation not permitted"] * 2


def test_the_query_process_cannot_connect_even_past_the_gate(net: Listener) -> None:
    """pyoxigraph asked for SERVICE inside the sandbox: nothing reaches the listener."""
    assert _pyoxigraph_calls_out(f"SELECT * {{ SERVICE <{net.url}> {{ ?s ?p ?o }} }}", net)
    net.reset()

    def service() -> str:
        import pyoxigraph as ox

        try:
            list(ox.Store().query(f"SELECT * {{ SERVICE <{net.url}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
        except OSError as exc:
            return str(exc)
        return "answered"

    def raw_connect() -> str:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # refused by seccomp
        s.connect(("127.0.0.1", net.port))
        return "connected"

    assert sandbox.run_isolated(service, 5) != "answered"
    with pytest.raises(QueryError, match=r"refused|not permitted|unreachable"):
        sandbox.run_isolated(raw_connect, 5)
    net.assert_untouched()


def test_execute_with_the_gate_bypassed_stays_offline(kg: KnowledgeGraph, net: Listener) -> None:
    """A CheckedQuery forged without the gate, on both engines: still no connection."""
    text = C1["quote-and-hash"].format(u=net.url)
    forged = CheckedQuery(text=text, form="SELECT", select_star=True)
    nt = kg.ntriples
    with pytest.raises(QueryError):
        execute(forged, lambda: oxigraph_store(nt), engine="oxigraph", timeout=10)
    with pytest.raises(QueryError, match="SERVICE"):
        execute(forged, lambda: rdflib_dataset(nt), engine="rdflib", timeout=10)
    net.assert_untouched()


@pytest.mark.skipif(not LINUX or os.geteuid() != 0, reason="needs root to drop to nobody")
def test_an_unprivileged_process_gets_a_barrier_too(net: Listener) -> None:
    """Without root, the sandbox uses a user namespace (or seccomp alone): still offline."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)

            def connect() -> tuple[tuple[str, ...], str]:
                try:
                    socket.socket().connect(("127.0.0.1", net.port))
                    return sandbox._installed or (), "connected"
                except OSError as exc:
                    return sandbox._installed or (), exc.strerror or "refused"

            installed, outcome = sandbox.run_isolated(connect, 5)
            os.write(w, f"{','.join(installed)}|{outcome}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        answer = f.read().decode()
    os.waitpid(pid, 0)
    installed, outcome = answer.split("|")
    assert sandbox.SECCOMP in installed and outcome != "connected"
    net.assert_untouched()


# -- C1: the review's queries on every road -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(C1))
def test_c1_queries_are_real_attacks_and_the_gate_refuses_them(net: Listener, name: str) -> None:
    query = C1[name].format(u=net.url)
    assert _pyoxigraph_calls_out(query, net), "positive control: pyoxigraph does call out"
    net.reset()
    with pytest.raises(QueryError) as exc:
        check_query(query)
    msg = str(exc.value)
    assert msg.startswith("line 1, column ") and msg.splitlines()[-1].strip() == "^"
    assert "escape" in msg or "SERVICE" in msg or "less-than" in msg


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name", sorted(C1) + sorted(RDFLIB_ESCAPES))
def test_c1_through_the_library(kg: KnowledgeGraph, net: Listener, engine: str, name: str) -> None:
    query = {**C1, **RDFLIB_ESCAPES}[name].format(u=net.url)
    with pytest.raises(QueryError, match=r"^line 1, column \d+: "):
        kg.query(query, engine=engine, timeout=5)
    net.assert_untouched()


@pytest.mark.parametrize(
    "options",
    [(), ("--engine", "rdflib"), ("--store", "oxigraph"), ("--store", "memory")],
    ids=["default", "rdflib", "store-oxigraph", "store-memory"],
)
@pytest.mark.parametrize("name", sorted(C1) + sorted(RDFLIB_ESCAPES))
def test_c1_through_il2kg_query(net: Listener, options: tuple[str, ...], name: str) -> None:
    query = {**C1, **RDFLIB_ESCAPES}[name].format(u=net.url)
    res = run_cli("query", *options, query)
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert res.stderr.startswith("Error: line 1, column ")  # type: ignore[attr-defined]
    assert "Traceback" not in res.output  # type: ignore[attr-defined]
    net.assert_untouched()


@pytest.mark.parametrize("name", sorted(C1))
def test_c1_through_il2kg_html_query(net: Listener, tmp_path: Path, name: str) -> None:
    rq = tmp_path / "colleague.rq"
    rq.write_text(C1[name].format(u=net.url), encoding="utf-8")
    res = run_cli("html", "--query", str(rq), "-o", str(tmp_path / "out.html"))
    assert res.exit_code == 1, res.output  # type: ignore[attr-defined]
    assert "line 1, column" in res.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / "out.html").exists()
    net.assert_untouched()


# -- the gate reads as the engines do ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fragment", "column"),
    [
        ("ASK { \\u0053ERVICE <http://x/> {} }", "spells 'SERVICE'", 7),
        ("ASK { \\U0053ERVICE <http://x/> {} }", "spells 'SERVICE'", 7),
        ("ASK { \\u00000053ERVICE <http://x/> {} }", "spells 'SERVICE'", 7),
        ("ASK { # \\u000A SERVICE <http://x/> {}\n}", "outside a string or an IRI", 9),
        ("ASK { ?s ex:\\u0041 ?o }", "outside a string or an IRI", 13),
        ("ASK { BIND('x\\u0027y' AS ?a) }", 'gives "\'"', 14),
        ('ASK { BIND("x\\u0022" AS ?a) }', "gives '\"'", 14),
        ('ASK { BIND("x\\U00000022" AS ?a) }', "gives '\"'", 14),
        ('ASK { BIND("x\\\\u0022" AS ?a) }', "gives '\"'", 15),
        ('ASK { BIND("x\\u005C" AS ?a) }', "gives '\\\\'", 14),
        ('ASK { BIND("x\\u000A" AS ?a) }', "gives a line feed", 14),
        ('ASK { BIND("x\\u007B" AS ?a) }', "gives '{'", 14),
        ('ASK { BIND("\\u00000041" AS ?a) }', "the control character U+0000", 13),
        ('ASK { BIND("\\uD800" AS ?a) }', "is not a character", 13),
        ('ASK { BIND("\\u12" AS ?a) }', "malformed escape", 13),
        ("ASK { BIND(<http://x/\\u0023> AS ?a) }", "gives '#'", 22),
        ("ASK { BIND(<http://x/\\u003E> AS ?a) }", "gives '>'", 22),
        ("ASK { BIND(<http://x/\\u003E AS ?a) }", "outside a string or an IRI", 22),
        ("ASK { # note\rSERVICE <http://x/> {} }", "bare carriage return", 13),
        ('ASK { BIND("open AS ?a) }', "unterminated string", 12),
    ],
)
def test_gate_refuses_what_the_engines_read_differently(
    query: str, fragment: str, column: int
) -> None:
    with pytest.raises(QueryError) as exc:
        check_query(query)
    msg = str(exc.value)
    assert fragment in msg
    assert msg.startswith(f"line 1, column {column}:")
    assert msg.splitlines()[-1].strip() == "^"


def test_gate_keeps_harmless_escapes_and_line_ends(kg: KnowledgeGraph) -> None:
    ok = (
        'SELECT ?a ?b ?c WHERE { BIND("caf\\u00e9" AS ?a) BIND(<http://x/\\u0041> AS ?b) '
        'BIND("\\U0001F600" AS ?c) } # end\r\n'
    )
    for engine in ("oxigraph", "rdflib"):
        r = kg.query(ok, engine=engine)
        assert [t.value for t in r.rows[0]] == ["café", "http://x/A", "\U0001f600"]  # type: ignore[union-attr]
    assert check_query("ASK {\r\n # note\r\n ?s ?p ?o }").form == "ASK"


def test_gate_positions_count_lines_inside_long_strings() -> None:
    with pytest.raises(QueryError) as exc:
        check_query('ASK { BIND("""a\nb""" AS ?x)\n  SERVICE <http://x/> {} }')
    assert str(exc.value).startswith("line 3, column 3: SERVICE")


# -- M1: the gate is linear ---------------------------------------------------------------------


def _gate_seconds(text: str) -> float:
    best = math.inf
    gc.disable()  # the collector's passes over many new tokens are not the gate's
    try:
        for _ in range(5):  # the best of five: other processes share the machine
            start = time.perf_counter()
            with contextlib.suppress(QueryError):
                check_query(text)
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "ASK {} " + "a." * (n // 2),
        lambda n: "SELECT (CONCAT(" + ",".join(f"?v{i}" for i in range(n // 7)) + ") AS ?x) {}",
        lambda n: "ASK { " + "<a" * (n // 2) + " }",
        lambda n: "ASK { ?s ?p " + '"x\\u0041" ' * (n // 10) + "}",
        lambda n: "ASK { " + "'\\'" * (n // 3) + " }",
    ],
    ids=["dots", "concat", "angles", "escaped-strings", "open-quotes"],
)
def test_gate_time_is_linear(make: object) -> None:
    small = _gate_seconds(make(10_000))  # type: ignore[operator]
    large = _gate_seconds(make(80_000))  # type: ignore[operator]
    assert large < 3.0, f"80 KB took {large:.2f} s in the gate (the old gate: 48 s)"
    # 8 times the text: linear is ~8x; the old gate took 80x (0.6 s -> 48 s)
    assert large < 30 * max(small, 0.01), (small, large)


def test_gate_bounds_the_text() -> None:
    with pytest.raises(QueryError, match="the limit is 1,000,000"):
        check_query("ASK {} " + " " * 1_000_000)


# -- m1: rdflib's parse-tree walk visits the tree ----------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { \\U0053ERVICE <{u}> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u00000053ERVICE <{u}> { ?s ?p ?o } }",
        "SELECT * WHERE { ?a ?b ?c OPTIONAL { { SELECT ?s WHERE { SERVICE <{u}> { ?s ?p ?o } } } } }",
        "ASK { FILTER NOT EXISTS { ?x ?y ?z MINUS { SERVICE SILENT <{u}> { ?s ?p ?o } } } }",
        "SELECT * { ?s ?p ?o } ORDER BY (EXISTS { SERVICE <{u}> {} })",
        "SELECT * FROM <{u}> WHERE { ?s ?p ?o }",
        "ASK FROM NAMED <{u}> {}",
    ],
)
def test_rdflib_walk_refuses_service_and_from(
    kg: KnowledgeGraph, net: Listener, query: str
) -> None:
    text = query.replace("{u}", net.url)
    with pytest.raises(QueryError, match=r"SERVICE|FROM"):
        refuse_outbound(parse_rdflib(text))
    # the rdflib engine itself, with neither gate nor sandbox in front (the old walk let rdflib
    # call out here: only the child's audit hook stood in the way)
    with pytest.raises(QueryError, match=r"SERVICE|FROM"):
        _Rdflib(rdflib_dataset(kg.ntriples)).run(text, {}, {})
    net.assert_untouched()
    refuse_outbound(parse_rdflib("SELECT * { ?s ?p ?o OPTIONAL { ?o ?q ?r } }"))


@pytest.mark.parametrize("road", ["oxigraph", "rdflib on oxigraph"])
def test_without_a_barrier_oxigraph_refuses_on_rdflibs_parse(
    kg: KnowledgeGraph, net: Listener, road: str
) -> None:
    """This test process has no kernel barrier: what Windows, or a refused unshare, gets.

    The rdflib API over an Oxigraph store (``--store oxigraph``) is pyoxigraph evaluating the
    text: behind a barrier it skips rdflib's parse as the oxigraph engine does, here it cannot."""
    from il2kg.query.stores import open_dataset

    assert not sandbox.kernel_barrier_active()
    engine = (
        _Oxigraph(oxigraph_store(kg.ntriples))
        if road == "oxigraph"
        else _Rdflib(open_dataset(kg.ntriples, "oxigraph"))
    )
    for text in (C1["quote-and-hash"].format(u=net.url), f"ASK {{ SERVICE <{net.url}> {{}} }}"):
        with pytest.raises(QueryError, match="no network barrier"):
            engine.run(text, {}, {})
    assert engine.run("ASK { ?s ?p ?o }", {}, {})[2] is True
    net.assert_untouched()
    net.assert_untouched()


# -- fuzzing: whatever the gate accepts, no engine reads SERVICE, LOAD or FROM --------------------


_CALL = "SERVICE <URL> { ?s ?p ?o }"
#: What goes inside strings, IRIs and comments: harmless text (so that many queries pass the
#: gate and the property has something to check), the call itself, and escapes of every kind.
_BODY = st.lists(
    st.sampled_from(
        ["a", " ", "{", "}", "#", _CALL, "FROM <URL>", "\\u0041", "\\u00e9", "\\U0001F600"] * 8
        + ["\\\\", '\\"', "\\'", "\\n", "<", ">", '"', "'", "\\", "\r", "\n"]
        + ["\\u0022", "\\u0027", "\\U00000022", "\\u00000022", "\\U0022", "\\\\u0022"]
        + ["\\u005C", "\\u000A", "\\u000D", "\\u003E", "\\u0023", "\\u007D", "\\u0020"]
    ),
    max_size=4,
).map("".join)
#: Comment text: escapes there are always refused, so mostly without them.
_PLAIN = st.lists(
    st.sampled_from(
        ["a", " ", "{", "}", "#", _CALL, _CALL, _CALL, "FROM <URL>", "'", '"', "<", "\\", "\r"]
    ),
    max_size=4,
).map("".join)
_EOL = st.sampled_from(["\n", "\r\n", "\r", ""])
_QUOTE = st.sampled_from(['"', "'", '"""', "'''"])
_KEYWORD = st.sampled_from(
    ["SERVICE", "service", "SERVICE SILENT", "LOAD"] * 3
    + ["\\u0053ERVICE", "\\U00000053ERVICE", "\\U0053ERVICE", "\\u00000053ERVICE"]
    + ["SERVIC\\u0045", "\\u004cOAD"]
)
_STRING = st.builds(lambda q, b: f"BIND({q}{b}{q} AS ?VAR)", _QUOTE, _BODY)
_IRI = st.builds(lambda b: f"BIND(<http://x/{b}> AS ?VAR)", _BODY)
_COMMENT = st.builds(lambda b, e: f"# {b}{e}", st.one_of(_PLAIN, _PLAIN, _PLAIN, _BODY), _EOL)
#: The call hidden in a string or a comment, with escapes and line ends around it.
_HIDDEN = st.one_of(
    st.builds(lambda q, a, b: f"BIND({q}{a}{_CALL}{b}{q} AS ?VAR)", _QUOTE, _BODY, _BODY),
    st.builds(lambda a, b, e: f"# {a}{_CALL}{b}{e}", _PLAIN, _PLAIN, _EOL),
    st.builds(lambda a, e: f"# {a}{e}{_CALL}", _PLAIN, _EOL),
)
_ATOM = st.one_of(
    _HIDDEN,
    _HIDDEN,
    _STRING,
    _IRI,
    _COMMENT,
    _COMMENT,
    st.builds(lambda k, e: f"{k} <URL> {{ ?s ?p ?o }}{e}", _KEYWORD, _EOL),
    st.sampled_from(["?s ?p ?o .", "FILTER(?s<?o)", "\n", "\r", "\r\n"]),
    st.sampled_from(["FILTER(?s<?o#>", "BIND(1<2#'>", "FILTER(?s<?o#> ?s)", ")", "("]),
)
_DATASET = st.sampled_from(
    ["", "", "", "", "", "", "FROM", "FROM NAMED", "\\u0046ROM", "\\U0046ROM", "fRoM"]
)


def test_fuzz_whatever_the_gate_accepts_stays_offline(net: Listener) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    accepted: list[str] = []

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_DATASET, st.lists(_ATOM, min_size=1, max_size=4))
    def prop(dataset: str, atoms: list[str]) -> None:
        from_part = f"{dataset} <URL>" if dataset else ""
        text = f"SELECT * {from_part} WHERE {{ {' '.join(atoms)} }}".replace("URL", net.url)
        parts = iter(text.split("?VAR"))
        query = next(parts) + "".join(f"?v{i}{part}" for i, part in enumerate(parts))
        try:
            check_query(query)
        except QueryError:
            return
        accepted.append(query)
        # pyoxigraph, with no sandbox: the gate alone must have kept SERVICE out
        before = net.count(settle=0)
        with contextlib.suppress(Exception):
            list(store.query(query))  # type: ignore[arg-type]
        assert net.count(settle=0) == before, f"the gate passed a query that called out: {query!r}"
        # rdflib's reading: no SERVICE, LOAD or dataset clause anywhere in its parse
        try:
            parsed = parse_rdflib(query)
        except QueryError:
            return
        refuse_outbound(parsed)

    prop()
    # not vacuous: many accepted queries carry the call hidden in strings, IRIs or comments
    hidden = [q for q in accepted if "SERVICE <" in q or "FROM <" in q]
    assert len(accepted) >= 20 and len(hidden) >= 10, (len(accepted), len(hidden))


# -- M3, M4: query processes end with il2kg ------------------------------------------------------


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _start_query(timeout: str = "30") -> tuple[subprocess.Popen[bytes], int]:
    """``il2kg query`` on a cartesian product in its own process group, and its query child."""
    argv = ["-m", "il2kg", "--data-dir", str(FIXTURE), "query", "--timeout", timeout]
    proc = subprocess.Popen(
        [sys.executable, *argv, CARTESIAN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        kids = [k for k in _children(proc.pid) if alive(k)]
        if kids:
            return proc, kids[0]
        if proc.poll() is not None:
            raise AssertionError(f"il2kg query ended early: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("il2kg query started no query process")


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return not alive(pid)


@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG and /proc are Linux's")
def test_m3_the_query_process_dies_with_its_parent() -> None:
    proc, child = _start_query()
    try:
        time.sleep(0.3)  # the child is computing
        assert alive(child)
        proc.kill()  # SIGKILL: no finally, no handler runs in the parent
        proc.wait(5)
        assert _gone_within(child, 2), "the query process outlived il2kg"
    finally:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
        proc.kill()
        proc.communicate()


@pytest.mark.skipif(not LINUX, reason="/proc is Linux's")
def test_m4_ctrl_c_stops_il2kg_query() -> None:
    proc, child = _start_query(timeout="600")
    try:
        time.sleep(0.3)
        start = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
        _, err = proc.communicate(timeout=5)
        elapsed = time.monotonic() - start
        assert elapsed < 2, f"il2kg query took {elapsed:.1f} s to stop on Ctrl-C"
        assert proc.returncode != 0
        message = err.decode()
        assert message.strip() and "Traceback" not in message
        assert _gone_within(child, 1)
    finally:
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.skipif(not LINUX, reason="/proc is Linux's")
def test_any_exception_in_the_parent_kills_the_child(kg: KnowledgeGraph) -> None:
    """An exception raised in the waiting parent (here from SIGALRM) kills the child first."""
    nt = kg.ntriples

    class Boom(Exception):
        pass

    def alarm(signum: int, frame: object) -> None:
        raise Boom

    before = {k for k in _children(os.getpid()) if alive(k)}
    old = signal.signal(signal.SIGALRM, alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        start = time.monotonic()
        with pytest.raises(Boom):
            execute(CARTESIAN, lambda: oxigraph_store(nt), timeout=60)
        assert time.monotonic() - start < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert {k for k in _children(os.getpid()) if alive(k)} <= before


# -- m9: odd timeouts -----------------------------------------------------------------------------


def test_odd_timeouts_never_crash(kg: KnowledgeGraph) -> None:
    for timeout in (math.inf, 1e308, 1e12):
        assert kg.query("ASK { ?s ?p ?o }", timeout=timeout).boolean is True
    for timeout in (math.nan, 0.0, -1.0):
        with pytest.raises(QueryError, match="positive number of seconds"):
            kg.query("ASK { ?s ?p ?o }", timeout=timeout)
    with pytest.raises(QueryTimeout, match=r"longer than 0\.3 s"):
        kg.query(CARTESIAN, timeout=0.3)
