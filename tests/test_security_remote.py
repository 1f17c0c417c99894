"""What a remote endpoint or store can do to il2kg, and what il2kg sends where (issue #11).

Every case runs against real TCP servers on 127.0.0.1: one that redirects, dribbles, streams
forever or answers crafted bodies, and one that records every connection and request it gets.
Nothing here leaves the loopback interface.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from il2kg import EndpointError, QueryError
from il2kg.cli import cli
from il2kg.errors import OptionError, QueryTimeout
from il2kg.query import remote
from il2kg.query.layout import MAX_QUERY_BYTES
from il2kg.query.remote import Auth, query_endpoint, results_from_json

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
ROOT = Path(__file__).resolve().parent.parent
ASK_TRUE = b'{"head": {}, "boolean": true}'
SECRET = "s3cr3t-token-value"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Responder = Callable[[Request, socket.socket], None]


@dataclass
class Listener:
    """A TCP server on 127.0.0.1 that records what it gets and answers with ``respond``."""

    respond: Responder
    tls: ssl.SSLContext | None = None
    connections: int = 0
    requests: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        with conn:
            try:
                if self.tls is not None:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:])
                }
                length = int(headers.get("content-length", "0"))
                while len(body) < length:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                req = Request(method, path, headers, body)
                self.requests.append(req)
                self.respond(req, conn)
            except OSError:
                pass  # the client hung up: what several tests want

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    made: list[Listener] = []

    def start(respond: Responder, tls: ssl.SSLContext | None = None) -> Listener:
        made.append(Listener(respond, tls))
        return made[-1]

    yield start
    for listener in made:
        listener.close()


def answer(
    status: int = 200,
    body: bytes = ASK_TRUE,
    content_type: str = "application/sparql-results+json",
    extra: str = "",
) -> Responder:
    def respond(req: Request, conn: socket.socket) -> None:
        head = (
            f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
        )
        conn.sendall(head.encode("latin-1") + body)

    return respond


def redirect(status: int, location: str) -> Responder:
    return answer(status, b"", "text/plain", f"Location: {location}\r\n")


def stream_forever(status: int = 200) -> Responder:
    """Headers without a length, then a body that never ends (stops when the client hangs up)."""

    def respond(req: Request, conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\n\r\n".encode())
        chunk = b"A" * 65536
        end = time.monotonic() + 30
        while time.monotonic() < end:
            conn.sendall(chunk)

    return respond


def dribble(head_too: bool) -> Responder:
    """One byte every 0.3 s: of the whole answer, or of the body after prompt headers."""

    def respond(req: Request, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n"
        if not head_too:
            conn.sendall(head)
        data = (head if head_too else b"") + b" " * 1000 + ASK_TRUE
        for i in range(min(len(data), 100)):  # at most 30 s, whatever the client does
            conn.sendall(data[i : i + 1])
            time.sleep(0.3)

    return respond


def run(
    args: list[str], env: Mapping[str, str | None] | None = None, stdin: bytes | None = None
) -> Result:
    """The CLI in this process, on the fixture data; an exception that is not a clean exit
    fails the test."""
    res = CliRunner().invoke(cli, ["--data-dir", str(FIXTURE_KB), *args], env=env, input=stdin)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"traceback instead of a message: {res.exception!r}\n{res.output}")
    return res


NO_ENV: dict[str, str | None] = {"IL2KG_USER": None, "IL2KG_PASSWORD": None, "IL2KG_TOKEN": None}


def token_env() -> dict[str, str | None]:
    return {**NO_ENV, "IL2KG_TOKEN": SECRET}


# -- C3: credentials stay with their origin ------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("how", ["token", "basic"])
def test_a_redirect_to_another_origin_gets_no_credentials(
    listen: Callable[..., Listener], status: int, how: str
) -> None:
    b = listen(answer(200, b'{"head": {"vars": []}, "results": {"bindings": []}}'))
    a = listen(redirect(status, b.origin + "/stolen"))
    env = (
        token_env() if how == "token" else {**NO_ENV, "IL2KG_USER": "ann", "IL2KG_PASSWORD": SECRET}
    )
    res = run(["query", "--endpoint", a.origin + "/query", "ASK {}"], env)
    assert res.exit_code == 1, res.output
    assert f"HTTP {status}" in res.stderr and f"127.0.0.1:{b.port}" in res.stderr
    assert "another origin" in res.stderr
    assert b.connections == 0 and b.requests == []  # B heard nothing, so no Authorization
    assert a.requests[0].headers.get("authorization")  # A, the origin, did get them
    assert SECRET not in res.output


def test_a_302_on_the_same_origin_is_an_error_not_an_empty_result(
    listen: Callable[..., Listener],
) -> None:
    empty = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'

    def respond(req: Request, conn: socket.socket) -> None:
        if req.path == "/query":
            redirect(302, "/elsewhere")(req, conn)
        else:
            answer(200, empty)(req, conn)

    a = listen(respond)
    res = run(["query", "--endpoint", a.origin + "/query", "SELECT ?x WHERE { ?x ?p ?o }"], NO_ENV)
    assert res.exit_code == 1, res.output
    assert "HTTP 302" in res.stderr and "GET" in res.stderr and "0 rows" not in res.output
    assert [r.path for r in a.requests] == ["/query"]  # never followed


def test_a_307_on_the_same_origin_repeats_the_post_with_its_query(
    listen: Callable[..., Listener],
) -> None:
    def respond(req: Request, conn: socket.socket) -> None:
        if req.path == "/old":
            redirect(307, "/new")(req, conn)
        else:
            answer(200, ASK_TRUE)(req, conn)

    a = listen(respond)
    res = query_endpoint(a.origin + "/old", "ASK {}", auth=Auth(token=SECRET), timeout=5)
    assert res.form == "ASK" and res.boolean is True
    old, new = a.requests
    assert (new.method, new.path) == ("POST", "/new")
    assert new.body == old.body and b"query=" in new.body
    assert new.headers["authorization"] == f"Bearer {SECRET}"


def test_redirect_loops_stop(listen: Callable[..., Listener]) -> None:
    a = listen(redirect(308, "/query"))
    with pytest.raises(EndpointError, match="redirected more than"):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=5)
    assert len(a.requests) == remote.MAX_REDIRECTS + 1


def test_https_to_http_and_other_origins_are_refused_by_the_redirect_policy() -> None:
    # the rule itself (a local https server would need a trusted certificate)
    with pytest.raises(EndpointError, match="plain http"):
        remote._redirect("POST", "https://127.0.0.1:8443/q", 307, "http://127.0.0.1:8443/q")
    with pytest.raises(EndpointError, match=r"another origin, https://127\.0\.0\.1:9443"):
        remote._redirect("POST", "https://127.0.0.1:8443/q", 307, "https://127.0.0.1:9443/q")
    with pytest.raises(EndpointError, match="another origin") as err:
        remote._redirect("POST", "http://h/q", 307, f"http://ann:{SECRET}@h/q")
    assert SECRET not in str(err.value)
    assert remote._redirect("POST", "https://H:443/q", 308, "https://h/r#x") == "https://h/r"


def test_a_push_is_not_redirected_to_another_origin(
    listen: Callable[..., Listener],
) -> None:
    b = listen(answer(204, b""))
    a = listen(redirect(307, b.origin + "/store"))
    res = run(
        ["push", "--endpoint", a.origin + "/store", "--no-ontology"],
        token_env(),
    )
    assert res.exit_code == 1 and "another origin" in res.stderr, res.output
    assert b.connections == 0


def test_the_environment_proxy_is_used_as_urllib_would(
    listen: Callable[..., Listener], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = listen(answer(200, ASK_TRUE))
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy.origin)
    res = query_endpoint("http://db.invalid/query", "ASK {}", timeout=5)
    assert res.boolean is True
    [req] = proxy.requests
    assert (req.method, req.path, req.headers["host"]) == (
        "POST",
        "http://db.invalid/query",
        "db.invalid",
    )


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context with a self-signed certificate for 127.0.0.1, which the client trusts
    (through $SSL_CERT_FILE, read by OpenSSL when a context loads its default roots)."""
    if shutil.which("openssl") is None:
        pytest.skip("SKIPPED LOUDLY: no openssl binary to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_https_works_and_a_redirect_to_plain_http_is_refused(
    listen: Callable[..., Listener], tls: ssl.SSLContext
) -> None:
    ok = listen(answer(200, ASK_TRUE), tls)
    assert query_endpoint(ok.origin + "/query", "ASK {}", timeout=5).boolean is True
    b = listen(answer(200, ASK_TRUE))
    a = listen(redirect(307, f"http://127.0.0.1:{b.port}/query"), tls)
    res = run(["query", "--endpoint", a.origin + "/query", "ASK {}"], token_env())
    assert res.exit_code == 1 and "from https to plain http" in res.stderr, res.output
    assert a.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert b.connections == 0


def test_a_dribbling_https_endpoint_hits_the_timeout(
    listen: Callable[..., Listener], tls: ssl.SSLContext
) -> None:
    a = listen(dribble(head_too=True), tls)
    t = time.monotonic()
    with pytest.raises(QueryTimeout, match="within 2 s"):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=2)
    assert time.monotonic() - t < 3.0


# -- m15: no credentials in URLs ----------------------------------------------------------------


def test_credentials_in_the_url_are_refused_and_never_shown(
    listen: Callable[..., Listener],
) -> None:
    a = listen(answer())
    url = f"http://ann:{SECRET}@127.0.0.1:{a.port}/query"
    res = run(["query", "--endpoint", url, "ASK {}"], NO_ENV)
    assert res.exit_code == 1
    assert "IL2KG_TOKEN" in res.stderr and "--user/--password" in res.stderr
    assert SECRET not in res.output and "ann" not in res.output
    res = run(["push", "--endpoint", url], NO_ENV)
    assert res.exit_code == 1 and "holds credentials" in res.stderr
    assert SECRET not in res.output
    assert a.connections == 0


def test_credentials_in_the_url_never_reach_the_resolver() -> None:
    # a real process with an audit hook on every name lookup
    script = (
        "import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda e, a: seen.append(str(a[0])) if e == 'socket.getaddrinfo' else None)\n"
        "from il2kg.cli import main\n"
        "try:\n"
        f"    main(['query', '--endpoint', 'http://ann:{SECRET}@db.invalid:7878/query', 'ASK {{}}'])\n"
        "except SystemExit as e:\n"
        "    print('EXIT', e.code, 'LOOKUPS', seen, file=sys.stderr)\n"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("IL2KG_") or k == "IL2KG_CACHE_DIR"
    }
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert "EXIT 1 LOOKUPS []" in proc.stderr, proc.stderr
    assert SECRET not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"IL2KG_TOKEN": "abc\r\nX-Injected: 1"},
        {"IL2KG_TOKEN": "tökén"},
        {"IL2KG_USER": "ann\n", "IL2KG_PASSWORD": "pw"},
        {"IL2KG_USER": "a:b", "IL2KG_PASSWORD": "pw"},
    ],
)
def test_credentials_that_cannot_be_a_header_are_a_message(
    listen: Callable[..., Listener], env: dict[str, str]
) -> None:
    a = listen(answer())
    res = run(["query", "--endpoint", a.origin + "/query", "ASK {}"], {**NO_ENV, **env})
    assert res.exit_code == 1 and "Error:" in res.stderr, res.output
    assert a.connections == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/q", "http://[::1/q", "http://h/a b"])
def test_malformed_endpoint_urls_are_a_message(url: str) -> None:
    res = run(["query", "--endpoint", url, "ASK {}"], NO_ENV)
    assert res.exit_code == 1 and "Error:" in res.stderr, res.output


# -- M5: bounded answers, one deadline -----------------------------------------------------------


@pytest.mark.parametrize("head_too", [False, True], ids=["body", "headers"])
def test_a_dribbling_endpoint_hits_the_timeout(
    listen: Callable[..., Listener], head_too: bool
) -> None:
    a = listen(dribble(head_too))
    t = time.monotonic()
    res = run(["query", "--endpoint", a.origin + "/query", "--timeout", "2", "ASK {}"], NO_ENV)
    took = time.monotonic() - t
    assert res.exit_code == 3, res.output
    assert "did not answer within 2 s" in res.stderr
    assert took < 3.0, took


def test_an_endless_answer_is_cut_at_the_cap(
    listen: Callable[..., Listener], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "MAX_ANSWER_BYTES", 1024 * 1024)
    a = listen(stream_forever(200))
    t = time.monotonic()
    with pytest.raises(EndpointError, match="over 1,048,576 bytes"):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=20)
    assert time.monotonic() - t < 3


def test_a_declared_length_over_the_cap_is_not_read(
    listen: Callable[..., Listener], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "MAX_ANSWER_BYTES", 1000)
    a = listen(answer(200, b" " * 5000 + ASK_TRUE))
    with pytest.raises(EndpointError, match="over 1,000 bytes"):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=5)


def test_an_endless_error_body_is_cut(listen: Callable[..., Listener]) -> None:
    a = listen(stream_forever(500))
    t = time.monotonic()
    with pytest.raises(EndpointError, match="HTTP 500") as err:
        query_endpoint(a.origin + "/query", "ASK {}", timeout=20)
    assert time.monotonic() - t < 3
    assert len(str(err.value)) < 1000


PUSH_SCRIPT = """
import resource, sys, time
from il2kg import KnowledgeGraph
from il2kg.errors import EndpointError
from il2kg.query.remote import push
nt = KnowledgeGraph(sys.argv[2]).ntriples
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.monotonic()
try:
    outcome = [p.status for p in push(nt, sys.argv[1], ontology_graph=None, timeout=60)]
except EndpointError as err:
    outcome = str(err)[:300]
took = time.monotonic() - t
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(f"{took:.2f} {grew} {outcome}")
"""


@pytest.mark.parametrize("status", [200, 500])
def test_a_store_streaming_forever_is_cut_off_and_memory_stays_flat(
    listen: Callable[..., Listener], status: int
) -> None:
    a = listen(stream_forever(status))
    proc = subprocess.run(
        [sys.executable, "-c", PUSH_SCRIPT, a.origin + "/store", str(FIXTURE_KB)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    took, grew_kib, outcome = proc.stdout.split(" ", 2)
    assert float(took) < 2.0
    assert int(grew_kib) < 100 * 1024  # ru_maxrss is in KiB on Linux
    assert ("HTTP 500" in outcome) if status == 500 else outcome.strip() == "[200]"


# -- m5: terminal safety of what a remote says ----------------------------------------------------

EVIL = b"\x1b]0;owned\x07\x1b[2J\rreplaced <x>: 1 triples\n\x1b]8;;http://evil/\x1b\\link\x9b"


def test_push_shows_a_store_error_body_without_terminal_escapes(
    listen: Callable[..., Listener],
) -> None:
    a = listen(answer(500, EVIL, "text/plain"))
    res = run(["push", "--endpoint", a.origin + "/store"], NO_ENV)
    assert res.exit_code == 1
    err = res.stderr
    assert not any(c in err for c in "\x1b\x07\r\x9b"), repr(err)
    assert "\\x1b]0;owned\\x07" in err and err.count("\n") == 1


def test_query_errors_show_remote_text_without_terminal_escapes(
    listen: Callable[..., Listener],
) -> None:
    a = listen(answer(400, EVIL, "text/plain"))
    with pytest.raises(QueryError, match="refused the query") as err:
        query_endpoint(a.origin + "/query", "ASK {}", timeout=5)
    assert not any(c in str(err.value) for c in "\x1b\x07\r\n\x9b")
    b = listen(redirect(307, "http://127.0.0.2\x1b]0;x\x07:1/"))
    with pytest.raises(EndpointError) as err2:
        query_endpoint(b.origin + "/query", "ASK {}", timeout=5)
    assert "\x1b" not in str(err2.value)


# -- m17, m9: answers not in the SPARQL JSON shape ------------------------------------------------

BAD_ANSWERS = {
    "bindings-object": {"head": {"vars": ["x"]}, "results": {"bindings": {"x": 1}}},
    "binding-number": {"head": {"vars": ["x"]}, "results": {"bindings": [1]}},
    "binding-string": {"head": {"vars": ["x"]}, "results": {"bindings": ["x"]}},
    "term-string": {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "a"}]}},
    "term-no-value": {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "uri"}}]}},
    "term-number-value": {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "literal", "value": 3}}]},
    },
    "no-head": {"results": {"bindings": []}},
    "vars-object": {"head": {"vars": {"x": 1}}, "results": {"bindings": []}},
    "results-list": {"head": {"vars": ["x"]}, "results": []},
    "boolean-string": {"head": {}, "boolean": "false"},
    "answer-list": [],
}


@pytest.mark.parametrize("name", sorted(BAD_ANSWERS))
def test_answers_not_in_the_sparql_json_shape_are_a_message(
    listen: Callable[..., Listener], name: str
) -> None:
    a = listen(answer(200, json.dumps(BAD_ANSWERS[name]).encode()))
    res = run(
        ["query", "--endpoint", a.origin + "/query", "SELECT ?x WHERE { ?x ?p ?o }"],
        NO_ENV,
    )
    assert res.exit_code == 1, res.output
    assert "did not answer with SPARQL JSON results" in res.stderr
    assert "row" not in res.stderr


def test_nested_json_and_decimal_bombs_are_a_message() -> None:
    with pytest.raises(EndpointError, match="nested too deeply"):
        results_from_json(b"[" * 100_000)
    with pytest.raises(EndpointError, match="not a valid term"):
        results_from_json(
            b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", '
            b'"value": "1e999999999", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}}]}}'
        )  # would be a billion digits once made canonical


# -- M7: the query file is bounded ---------------------------------------------------------------


def test_query_file_dev_zero_is_refused_quickly() -> None:
    t = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "il2kg", "query", "-f", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 1, proc.stderr
    assert f"over {MAX_QUERY_BYTES:,} bytes" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - t < 10


def test_query_from_stdin_is_bounded_and_decoded() -> None:
    res = run(["query", "-f", "-"], stdin=b"#" * (MAX_QUERY_BYTES + 1))
    assert res.exit_code == 1 and "standard input is over" in res.stderr
    res = run(["query", "-f", "-"], stdin=b"ASK { \xff }")
    assert res.exit_code == 1 and "not UTF-8" in res.stderr
    res = run(["query", "-f", "-"], stdin=b"\xef\xbb\xbfASK {}\r\n")
    assert res.exit_code == 0, res.output


def test_query_file_errors_are_messages(tmp_path: Path) -> None:
    res = run(["query", "-f", str(tmp_path)])
    assert res.exit_code == 2 and "directory" in res.stderr
    res = run(["query", "-f", str(tmp_path / "missing.rq")])
    assert res.exit_code == 2 and "missing.rq" in res.stderr
    big = tmp_path / "big.rq"
    big.write_bytes(b"ASK {}" + b" " * MAX_QUERY_BYTES)
    res = run(["query", "-f", str(big)])
    assert res.exit_code == 1 and "big.rq' is over 262,144 bytes" in res.stderr


def test_push_with_an_endless_timeout_still_works(listen: Callable[..., Listener]) -> None:
    a = listen(answer(204, b""))
    res = run(["push", "--endpoint", a.origin + "/store", "--no-ontology", "--timeout", "inf"])
    assert res.exit_code == 0 and "HTTP 204" in res.stdout, res.output
    with pytest.raises(OptionError):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=float("nan"))


def test_timeouts_and_refusals_keep_their_exit_codes(
    listen: Callable[..., Listener],
) -> None:
    # the bounded client keeps the old contract: QueryTimeout for a cancelled query
    a = listen(answer(200, b"... the operation has been cancelled", "text/plain"))
    with pytest.raises(QueryTimeout):
        query_endpoint(a.origin + "/query", "ASK {}", timeout=5)
