"""Property-based fuzzing of the entity resolver, search, and the query/path/lookup commands.

Whatever the input, the library answers or raises an :class:`~il2kg.errors.Il2kgError`, and the
CLI exits with a documented code and a one-line message: never another exception, never a
traceback. The resolver runs over the shipped data (hundreds of names, real ambiguities); the
commands over the fixture KB, opened once (``State.kg`` is patched to hand out that one graph so
each example costs milliseconds, not a load).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il2kg import KnowledgeGraph
from il2kg.cli import State, cli
from il2kg.errors import Il2kgError, UnknownEntityError
from il2kg.paths.resolve import Resolver, SearchHit
from il2kg.paths.results import PathResult

from .conftest import FIXTURE_KB, SHIPPED_DATA

SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False
)
FEW = settings(SETTINGS, max_examples=40)

#: Exit codes the CLI documents: 0 ok, 1 error, 2 misuse, 3 timeout, 4 ASK false.
EXIT_CODES = {0, 1, 2, 3, 4}


@pytest.fixture(scope="module")
def shipped() -> KnowledgeGraph:
    return KnowledgeGraph(SHIPPED_DATA)


@pytest.fixture(scope="module")
def fixture() -> KnowledgeGraph:
    return KnowledgeGraph(FIXTURE_KB)


@pytest.fixture(scope="module")
def runner(fixture: KnowledgeGraph) -> Iterator[Any]:
    """Invoke the CLI on the fixture KB, opened once for the whole module."""
    fixture.dataset, fixture.path_graph, fixture.resolver, fixture.ntriples  # noqa: B018
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(State, "kg", lambda self: fixture)

        def invoke(*args: str, input: str | None = None) -> Result:
            return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE_KB), *args], input=input)

        yield invoke


def assert_clean(res: Result, codes: set[int] = EXIT_CODES) -> None:
    """A documented exit code; on failure a message, never a traceback or a stray exception."""
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"unexpected {type(res.exception).__name__}") from res.exception
    assert res.exit_code in codes, res.output
    assert "Traceback" not in res.output
    if res.exit_code in (1, 3):
        assert res.stderr.startswith("Error: "), res.stderr
        assert len(res.stderr.strip()) > len("Error:")
    elif res.exit_code == 2:
        assert "Error:" in res.stderr, res.stderr


# -- names ----------------------------------------------------------------------------------------


def _names(kg: KnowledgeGraph) -> list[str]:
    out: list[str] = []
    for eid, e in kg.dataset.entities.items():
        out += [eid, e.label, *e.synonyms, *e.xrefs]
    return sorted(set(out))


def _mangle(name: str, how: int) -> str:
    """Variants people type: case, punctuation, spaces, Greek spelt out, IRIs, truncation."""
    variants = [
        name,
        name.upper(),
        name.lower(),
        f"  {name}  ",
        name.replace("-", ""),
        name.replace(" ", "_"),
        name.replace("α", "alpha").replace("β", "beta").replace("γ", "gamma"),
        f"<{name}>",
        f"https://identifiers.org/{name.lower()}",
        name[: max(1, len(name) // 2)],
        name + "x",
        name[::-1],
    ]
    return variants[how % len(variants)]


def names(kg_names: list[str]) -> st.SearchStrategy[str]:
    """Real names, mangled real names, and anything at all."""
    real = st.builds(_mangle, st.sampled_from(kg_names), st.integers(0, 11))
    tricky = st.sampled_from(
        [
            "",
            " ",
            ":",
            "::",
            "HGNC:",
            ":6001",
            "<>",
            "<:>",
            "http://",
            "https://w3id.org/il2kg/entity/",
            "IL2KG:../../etc/passwd",
            "α",
            "receptor",
            "interleukin",
            "-",
            "--help",
            "\x00",
            "\u2028",
            "\ud7ff",
            "ＩＬ２",
            "ß",
            "İ",
            "ﬁ",
            "%00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "a" * 2000,
        ]
    )
    exact = st.sampled_from(kg_names)
    return st.one_of(exact, exact, exact, real, tricky, st.text(max_size=40))


@st.composite
def two_names(draw: st.DrawFn, kg: KnowledgeGraph) -> tuple[str, str]:
    """Names of two different entities (so that path searches run), sometimes anything."""
    ents = kg.dataset.entities
    pair = draw(st.lists(st.sampled_from(sorted(ents)), min_size=2, max_size=2, unique=True))
    out = []
    for eid in pair:
        e = ents[eid]
        choices = [eid, e.label, *e.synonyms, *e.xrefs]
        if draw(st.integers(0, 4)):
            out.append(choices[draw(st.integers(0, len(choices) - 1))])
        else:
            out.append(draw(names(_names(kg))))
    return out[0], out[1]


# -- the resolver and search (library) ------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_names(shipped: KnowledgeGraph) -> list[str]:
    return _names(shipped)


def test_every_id_and_label_resolves(shipped: KnowledgeGraph) -> None:
    r = shipped.resolver
    for eid, e in shipped.dataset.entities.items():
        assert r.resolve(eid) == eid
        assert r.resolve(eid.lower()) == eid
        try:
            assert r.resolve(e.label) == eid
        except UnknownEntityError as exc:  # a label shared with another name: ambiguous
            assert exc.ambiguous and eid in {c for c, _ in exc.candidates}


def test_resolver_and_search_never_crash(shipped: KnowledgeGraph, shipped_names: list[str]) -> None:
    resolver: Resolver = shipped.resolver
    entities = shipped.dataset.entities

    @SETTINGS
    @given(names(shipped_names), st.integers(1, 30))
    def prop(name: str, limit: int) -> None:
        try:
            eid = resolver.resolve(name)
        except UnknownEntityError as exc:
            assert str(exc).startswith(("no entity named", f"'{name}' is ambiguous"))
            assert all(c in entities for c, _ in exc.candidates)
            if exc.ambiguous:
                assert len(exc.candidates) >= 2
        else:
            assert eid in entities
        hits: list[SearchHit] = resolver.search(name, limit)
        assert len(hits) <= limit
        assert len({h.id for h in hits}) == len(hits)
        assert all(h.id in entities and 0 < h.score <= 100 for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    prop()


def test_paths_library_never_crashes(fixture: KnowledgeGraph) -> None:
    kb_names = _names(fixture)
    predicates = st.lists(
        st.sampled_from(
            ["binds", "part_of", "has_part", "phosphorylates", "associates_with", "nope"]
        ),
        max_size=2,
    )

    @SETTINGS
    @given(
        two_names(fixture),
        st.fixed_dictionaries(
            {},
            optional={
                "k": st.sampled_from([1, 1, 2, 5, 0]),
                "all_paths": st.booleans(),
                "max_length": st.sampled_from([2, 4, 8, 0]),
                "max_paths": st.sampled_from([1, 10, 50]),
                "timeout": st.floats(0.05, 2),
                "directed": st.booleans(),
                "predicates": predicates,
                "exclude_predicates": predicates,
                "via": st.lists(names(kb_names), max_size=1),
                "avoid": st.lists(names(kb_names), max_size=1),
                "metapath": st.sampled_from(
                    [
                        "Cytokine>STAT",
                        "Cytokine>ReceptorComplex",
                        "Cytokine",
                        "Foo>Bar",
                        "Entity>Entity",
                    ]
                ),
                "qualifiers": st.dictionaries(
                    st.sampled_from(["cell_type", "population", "bogus"]),
                    names(kb_names),
                    max_size=1,
                ),
            },
        ),
    )
    def prop(ends: tuple[str, str], options: dict[str, Any]) -> None:
        source, target = ends
        try:
            result = fixture.paths(source, target, **options)
        except Il2kgError as exc:
            assert str(exc)
            return
        assert isinstance(result, PathResult)
        for p in result.paths:
            assert p.nodes[0] == fixture.resolve(source) and p.nodes[-1] == fixture.resolve(target)
            assert p.length == len(p.hops) >= 1

    prop()


# -- the commands ---------------------------------------------------------------------------------

QUERY_PIECES = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "*",
    "?s",
    "?p",
    "?o",
    "{",
    "}",
    "(",
    ")",
    ".",
    ";",
    ",",
    "a",
    "il2kg:Kinase",
    "rdfs:label",
    "HGNC:6001",
    "foo:bar",
    "<https://w3id.org/il2kg/entity/IL2R_BG>",
    "<not an iri>",
    '"IL2"',
    '"unterminated',
    "'x'@en",
    '"1"^^xsd:integer',
    "FILTER",
    "regex(?o, '(a+)+$')",
    "OPTIONAL",
    "UNION",
    "LIMIT 3",
    "ORDER BY",
    "GROUP BY",
    "COUNT(*)",
    "AS ?n",
    "VALUES ?s { HGNC:6001 }",
    "BIND(1/0 AS ?z)",
    "SERVICE",
    "INSERT",
    "FROM",
    "PREFIX ex: <http://example.org/>",
    "# comment",
    "\n",
    "\\u0053",
    "1e999999",
    "99999999999999999999999999",
]


BODY_PIECES = [p for p in QUERY_PIECES if p not in ("SERVICE", "INSERT", "FROM", "foo:bar")]


@st.composite
def queries(draw: st.DrawFn) -> str:
    """Mostly query-shaped text (so most examples reach an engine), some soup, some noise."""
    kind = draw(st.integers(0, 3))
    if kind <= 1:
        head = draw(
            st.sampled_from(
                [
                    "SELECT *",
                    "SELECT ?s ?o",
                    "SELECT (COUNT(*) AS ?n)",
                    "ASK",
                    "CONSTRUCT",
                    "DESCRIBE ?s",
                ]
            )
        )
        body = " ".join(draw(st.lists(st.sampled_from(BODY_PIECES), max_size=4)))
        tail = draw(st.sampled_from(["", "LIMIT 5", "ORDER BY ?s", "LIMIT -1", "OFFSET 99"]))
        return f"{head} WHERE {{ ?s ?p ?o . {body} }} {tail}"
    if kind == 2:
        return " ".join(draw(st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=14)))
    return draw(st.text(min_size=1, max_size=80))


def test_query_command_never_crashes(runner: Any) -> None:
    @SETTINGS
    @given(
        queries(),
        st.one_of(
            st.just([]),
            st.lists(
                st.tuples(st.sampled_from(["s", "o", "n", "1x", ""]), st.text(max_size=15)),
                max_size=2,
            ),
        ),
        st.sampled_from(["table", "csv", "tsv", "json", "xml", "turtle", "nt", "jsonld"]),
    )
    def prop(text: str, params: list[tuple[str, str]], fmt: str) -> None:
        args = ["query", "--format", fmt, "--timeout", "2"]
        for name, value in params:
            args += ["--param", f"{name}={value}"]
        assert_clean(runner(*args, "--", text))

    prop()


def test_query_command_reads_anything_from_stdin(runner: Any) -> None:
    @FEW
    @given(st.text(max_size=200))
    def prop(text: str) -> None:
        assert_clean(runner("query", "-f", "-", "--timeout", "2", input=text))

    prop()


def test_path_command_never_crashes(runner: Any, fixture: KnowledgeGraph) -> None:
    kb_names = _names(fixture)

    def opt(flag: str, *values: str) -> st.SearchStrategy[list[str]]:
        return st.sampled_from(values).map(lambda v: [flag, v])

    option = st.one_of(
        st.just(["--undirected"]),
        st.just(["--undirected"]),
        st.just(["--all"]),
        opt("-k", "1", "2", "3", "0"),
        opt("--max-length", "2", "4", "12", "13"),
        opt("--max-paths", "1", "5", "100"),
        opt("--timeout", "0.1", "1", "0"),
        opt("--predicate", "binds", "part_of", "has_part", "associates_with", "nope"),
        opt("--exclude-predicate", "binds", "part_of", "phosphorylates"),
        st.tuples(st.sampled_from(["--via", "--avoid"]), names(kb_names)).map(list),
        opt(
            "--metapath", "Cytokine>ReceptorComplex>ReceptorChain>Kinase>STAT", "Cytokine>STAT", "x"
        ),
        opt("--qualifier", "cell_type=Treg", "population=adults", "x", "bogus=1"),
        opt("--format", "text", "json", "json"),
    )

    @SETTINGS
    @given(two_names(fixture), st.lists(option, max_size=3))
    def prop(ends: tuple[str, str], opts: list[list[str]]) -> None:
        source, target = ends
        flat = [a for o in opts for a in o]
        assert_clean(runner("path", *flat, "--", source, target), {0, 1, 2})

    prop()


def test_lookup_commands_never_crash(runner: Any, fixture: KnowledgeGraph) -> None:
    kb_names = _names(fixture)

    @FEW
    @given(
        st.sampled_from(["search", "show", "neighbors"]),
        names(kb_names),
        st.sampled_from(
            [[], ["--format", "json"], ["--depth", "3"], ["--type", "Kinase"], ["--type", "x"]]
        ),
    )
    def prop(command: str, name: str, extra: list[str]) -> None:
        if command != "neighbors" and extra[:1] in (["--depth"], ["--type"]):
            extra = []
        assert_clean(runner(command, *extra, "--", name), {0, 1, 2})

    prop()
