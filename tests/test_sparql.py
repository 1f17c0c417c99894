"""The SPARQL gate, engines, reasoning, isolation and result formats, on the fixture KB."""

from __future__ import annotations

import json
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg import KnowledgeGraph, QueryError, QueryTimeout, UnknownEntityError
from il2kg.cli import cli
from il2kg.query.catalogue import get_named_query, parse_named_query
from il2kg.query.engines import execute
from il2kg.query.gate import check_query
from il2kg.query.layout import oxigraph_store
from il2kg.query.params import bind_params, parse_value
from il2kg.query.results import Term, dumps, to_csv, to_json, to_table, to_tsv, to_xml
from il2kg.query.sandbox import run_isolated

FIXTURE = Path(__file__).parent / "fixtures" / "kb"
ENGINES = ["oxigraph", "rdflib"]


@pytest.fixture(scope="module")
def kg(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    return KnowledgeGraph(FIXTURE, cache_root=tmp_path_factory.mktemp("cache"))


def run_cli(*args: str) -> object:
    return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE), *args])


# -- the gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fragment", "line", "column"),
    [
        ("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE", 1, 12),
        ("SELECT * {\n  SERVICE:x { ?s ?p ?o } }", "SERVICE", 2, 3),
        ("SELECT *\nFROM <file:///etc/passwd>\nWHERE { ?s ?p ?o }", "FROM", 2, 1),
        ("SELECT * FROM NAMED <http://x/> { ?s ?p ?o }", "FROM", 1, 10),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "Update (INSERT)", 1, 1),
        ("LOAD <http://example.org/x.ttl>", "Update (LOAD)", 1, 1),
        ("DELETE WHERE { ?s ?p ?o }", "Update (DELETE)", 1, 1),
        ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", "SERVICE", 1, 12),
        ("SELECT * { ?s foo:bar ?o }", "unknown prefix 'foo:'", 1, 15),
        ("hello", "not a SPARQL query", 1, 1),
    ],
)
def test_gate_refuses_with_position(query: str, fragment: str, line: int, column: int) -> None:
    with pytest.raises(QueryError) as exc:
        check_query(query)
    msg = str(exc.value)
    assert fragment in msg
    assert msg.startswith(f"line {line}, column {column}:")
    assert "^" in msg.splitlines()[-1]


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?x WHERE { ?x rdfs:label "SERVICE FROM INSERT" }',
        "SELECT ?x WHERE { ?x rdfs:label ?l } # SERVICE <http://x/> in a comment",
        "SELECT ?x WHERE { ?x <https://example.org/service/from> ?y }",
        "SELECT ?service ?from WHERE { ?service ?from ?x }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?s<?o) }",
        "PREFIX ex: <http://example.org/> SELECT ?x { ?x ex:insert ?y }",
    ],
)
def test_gate_lets_harmless_text_through(query: str) -> None:
    assert check_query(query).form == "SELECT"


def test_gate_reports_form_variables_and_prefixes() -> None:
    q = check_query(
        "PREFIX ex: <http://e/>\nSELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ex:p ?b ; a il2kg:Kinase }"
    )
    assert (q.form, q.variables) == ("SELECT", ("a", "n"))
    assert q.undeclared_prefixes == {"il2kg"}
    assert q.prologue() == "PREFIX il2kg: <https://w3id.org/il2kg/vocab/> "
    assert check_query("ASK { ?s ?p ?o }").form == "ASK"
    assert check_query("CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    assert check_query("SELECT * { ?s ?p ?o }").select_star
    assert check_query("SELECT * { SERVICE <http://x/> {} }", allow_service=True).form == "SELECT"


# -- engines ----------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_select_with_labels_and_curies(kg: KnowledgeGraph, engine: str) -> None:
    r = kg.query(
        "SELECT ?k ?chain WHERE { ?k a il2kg:Kinase ; il2kg:associates_with ?chain } ORDER BY ?k",
        engine=engine,
    )
    assert r.records() == [
        {"k": "HGNC:6190", "chain": "HGNC:6009"},
        {"k": "HGNC:6193", "chain": "HGNC:6010"},
    ]
    assert r.labels["https://identifiers.org/hgnc:6190"] == "JAK1"
    assert to_table(r) == (
        "?k                ?chain\n"
        "----------------  -----------------\n"
        "HGNC:6190 (JAK1)  HGNC:6009 (IL2RB)\n"
        "HGNC:6193 (JAK3)  HGNC:6010 (IL2RG)\n"
    )
    assert r.summary() == "2 rows"


def test_engines_give_equal_answers(kg: KnowledgeGraph) -> None:
    queries = [
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
        "SELECT ?st ?v WHERE { ?st il2kg:hasQuantity/il2kg:quantityValue ?v }",
        "SELECT ?x (COUNT(?y) AS ?n) WHERE { ?y il2kg:part_of ?x } GROUP BY ?x",
        "CONSTRUCT { ?a il2kg:part_of ?b } WHERE { ?a il2kg:part_of ?b }",
    ]
    for q in queries:
        a, b = (kg.query(q, engine=e, limit=100_000) for e in ENGINES)
        assert a.total == b.total > 0
        if a.form == "SELECT":
            # blank nodes aside (none here), the same terms, lexical forms included
            assert set(a.rows) == set(b.rows), q
        else:
            assert set(a.triples) == set(b.triples)


def test_decimal_and_date_values(kg: KnowledgeGraph) -> None:
    r = kg.query(
        "SELECT ?v WHERE { ?st rdf:object IL2KG:IL2R_BG ; il2kg:hasQuantity/il2kg:quantityValue ?v }"
    )
    from decimal import Decimal

    assert r.column("v") == [Decimal("0.000000001")]
    r = kg.query("SELECT ?d WHERE { ?e a il2kg:TimelineEvent ; dcterms:date ?d }")
    import datetime

    assert r.column("d") == [datetime.date(1992, 5, 5)]


@pytest.mark.parametrize("engine", ENGINES)
def test_ask_and_construct(kg: KnowledgeGraph, engine: str) -> None:
    assert kg.query("ASK { HGNC:6190 il2kg:associates_with HGNC:6009 }", engine=engine).boolean
    assert not kg.query("ASK { HGNC:6010 il2kg:binds HGNC:6001 }", engine=engine).boolean  # negated
    r = kg.query("DESCRIBE IL2KG:IL2R_BG", engine=engine)
    assert r.form == "DESCRIBE"
    g = kg.query("CONSTRUCT { ?c il2kg:has_part ?x } WHERE { ?x il2kg:part_of ?c }", engine=engine)
    assert len(g) == 5
    nt = dumps(g, "nt").decode()
    assert (
        "<https://w3id.org/il2kg/entity/IL2R_BG> <https://w3id.org/il2kg/vocab/has_part> "
        "<https://identifiers.org/hgnc:6009> .\n"
    ) in nt
    assert b"il2kg:has_part" in dumps(g, "turtle")


# -- reasoning --------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_rdfs_reasoning(kg: KnowledgeGraph, engine: str) -> None:
    genes = "SELECT ?x WHERE { ?x a il2kg:GeneOrProtein }"
    assert kg.query(genes, engine=engine).total == 0
    r = kg.query(genes, engine=engine, reasoning="rdfs")
    assert set(r.column("x")) == {
        "HGNC:6001", "HGNC:6008", "HGNC:6009", "HGNC:6010", "HGNC:6190", "HGNC:6193",
        "HGNC:11366",
    }  # fmt: skip
    # all kinases, typed by a subclass or not; inverse and sub-properties
    assert set(
        kg.query(
            "SELECT ?k WHERE { ?k a il2kg:MolecularEntity ; il2kg:phosphorylates ?s }",
            engine=engine,
            reasoning="rdfs",
        ).column("k")
    ) == {"HGNC:6190", "HGNC:6193"}
    has_part = "SELECT ?c ?x WHERE { ?c il2kg:has_part ?x }"
    assert kg.query(has_part, engine=engine).total == 0
    assert kg.query(has_part, engine=engine, reasoning="rdfs").total == 5
    bfo = "SELECT ?x WHERE { ?x obo:BFO_0000050 IL2KG:IL2R_BG }"
    r = kg.query(
        bfo.replace("obo:", "<http://purl.obolibrary.org/obo/").replace(
            "BFO_0000050", "BFO_0000050>"
        ),
        engine=engine,
        reasoning="rdfs",
    )
    assert set(r.column("x")) == {"HGNC:6009", "HGNC:6010"}
    curated = "SELECT ?o WHERE { HGNC:6001 il2kg:curatedRelation ?o }"
    assert kg.query(curated, engine=engine, reasoning="rdfs").total == 2
    # negated statements stay out of the inferred triples
    assert not kg.query(
        "ASK { HGNC:6010 il2kg:curatedRelation HGNC:6001 }", engine=engine, reasoning="rdfs"
    ).boolean


def test_ontology_is_a_named_graph(kg: KnowledgeGraph) -> None:
    q = (
        "SELECT ?d WHERE { GRAPH <https://w3id.org/il2kg/ontology> "
        "{ il2kg:Kinase rdfs:subClassOf+ ?d } }"
    )
    assert set(kg.query(q).column("d")) == {
        "il2kg:GeneOrProtein", "il2kg:MolecularEntity", "il2kg:Entity",
    }  # fmt: skip


# -- parameters -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "value",
    [
        "IL2KG:IL2R_BG",
        "IL-2Rβγ",
        "intermediate-affinity IL-2 receptor",
        "<https://w3id.org/il2kg/entity/IL2R_BG>",
    ],
)
def test_params_bind_rdf_terms(kg: KnowledgeGraph, engine: str, value: str) -> None:
    r = kg.query(
        "SELECT ?chain ?complex WHERE { ?chain il2kg:part_of ?complex }",
        params={"complex": value},
        engine=engine,
    )
    assert {x["chain"] for x in r.records()} == {"HGNC:6009", "HGNC:6010"}


def test_params_are_never_pasted(kg: KnowledgeGraph) -> None:
    evil = '""} UNION { ?x ?p ?o } #"'
    r = kg.query("SELECT ?x ?name WHERE { ?x rdfs:label ?name }", params={"name": evil})
    assert r.total == 0
    with pytest.raises(QueryError, match="not a valid IRI"):
        parse_value("x", "<http://a> } SERVICE <http://b/>")


def test_param_errors(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError, match=r"ambiguous|no entity"):
        kg.query("SELECT ?x WHERE { ?x a ?t }", params={"x": "nothing-like-this"})
    with pytest.raises(QueryError, match="must be a variable the SELECT returns"):
        kg.query("SELECT ?y WHERE { ?x a ?y }", params={"x": "IL2"})
    nq = parse_named_query(
        "t", "# question: q?\n# param: c (entity): the complex\nSELECT ?c WHERE { ?c a ?t }\n"
    )
    with pytest.raises(QueryError, match="missing parameter 'c'"):
        bind_params(check_query(nq.text), {}, nq.params)
    with pytest.raises(QueryError, match="unknown parameter 'd'"):
        bind_params(check_query(nq.text), {"d": "x", "c": "IL2"}, nq.params)
    assert parse_value("n", "42") == Term.literal("42", "http://www.w3.org/2001/XMLSchema#integer")
    with pytest.raises(QueryError, match="needs a year"):
        parse_value("y", "92", "year")


def test_unknown_entity_suggests(kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownEntityError) as exc:
        kg.query("SELECT ?x WHERE { ?x a ?t }", params={"x": "affinity"})
    assert "IL2KG:IL2R_ABG" in str(exc.value)


# -- isolation --------------------------------------------------------------------------------


def test_timeout_kills_the_query(kg: KnowledgeGraph) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    start = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s") as exc:
        kg.query(slow, timeout=0.5)
    assert time.monotonic() - start < 3
    assert exc.value.exit_code == 3


def test_query_process_has_no_network() -> None:
    def connect() -> None:
        socket.create_connection(("127.0.0.1", 9), timeout=1)

    with pytest.raises(QueryError, match="blocked in the query process: socket"):
        run_isolated(connect, timeout=5)


def test_execute_on_a_prebuilt_store(kg: KnowledgeGraph) -> None:
    store = oxigraph_store(kg.ntriples)
    r = execute("SELECT ?s WHERE { ?s a il2kg:STAT }", lambda: store, limit=10)
    assert r.column("s") == ["HGNC:11366"]


def test_limit_counts_the_rest(kg: KnowledgeGraph) -> None:
    r = kg.query("SELECT ?s WHERE { ?s a il2kg:ReceptorChain } ORDER BY ?s", limit=2)
    assert (len(r), r.total, r.truncated) == (2, 3, True)
    assert r.summary() == "3 rows (showing the first 2; raise --limit to see more)"


@pytest.mark.parametrize("engine", ENGINES)
def test_syntax_error_has_line_and_caret(kg: KnowledgeGraph, engine: str) -> None:
    with pytest.raises(QueryError) as exc:
        kg.query("SELECT ?s WHERE {\n  ?s ?p \n}", engine=engine)
    msg = str(exc.value)
    assert msg.startswith("line ") and "SPARQL syntax error" in msg
    assert msg.splitlines()[-1].strip() == "^"


# -- formats ----------------------------------------------------------------------------------


def test_result_formats(kg: KnowledgeGraph) -> None:
    r = kg.query(
        "SELECT ?c ?label ?n WHERE { ?c a il2kg:ReceptorComplex ; rdfs:label ?label . "
        "BIND(1 AS ?n) FILTER(?c = IL2KG:IL2R_BG) }"
    )
    assert to_csv(r) == (
        "c,label,n\r\n"
        "https://w3id.org/il2kg/entity/IL2R_BG,intermediate-affinity IL-2 receptor,1\r\n"
    )
    assert to_tsv(r) == (
        "?c\t?label\t?n\n<https://w3id.org/il2kg/entity/IL2R_BG>\t"
        '"intermediate-affinity IL-2 receptor"\t'
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>\n'
    )
    doc = json.loads(to_json(r))
    assert doc["head"]["vars"] == ["c", "label", "n"]
    assert doc["results"]["bindings"][0]["c"] == {
        "type": "uri",
        "value": "https://w3id.org/il2kg/entity/IL2R_BG",
    }
    assert doc["results"]["bindings"][0]["label"] == {
        "type": "literal",
        "value": "intermediate-affinity IL-2 receptor",
    }
    root = ET.fromstring(to_xml(r))
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert [v.get("name") for v in root.iter(ns + "variable")] == ["c", "label", "n"]
    assert root.find(f"{ns}results/{ns}result/{ns}binding/{ns}uri").text == (  # type: ignore[union-attr]
        "https://w3id.org/il2kg/entity/IL2R_BG"
    )
    ask = kg.query("ASK { ?s a il2kg:Kinase }")
    assert json.loads(to_json(ask)) == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in to_xml(ask)


def test_json_round_trips_through_pyoxigraph(kg: KnowledgeGraph) -> None:
    import pyoxigraph as ox

    r = kg.query("SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s")
    for fmt, fn in ((ox.QueryResultsFormat.JSON, to_json), (ox.QueryResultsFormat.XML, to_xml)):
        parsed = ox.parse_query_results(fn(r).encode(), fmt)
        assert len(list(parsed)) == r.total  # type: ignore[arg-type]


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_query_table_and_count() -> None:
    res = run_cli("query", "SELECT ?s WHERE { ?s a il2kg:STAT }")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert res.stdout == "?s\n-------------------\nHGNC:11366 (STAT5A)\n"  # type: ignore[attr-defined]
    assert res.stderr == "1 row\n"  # type: ignore[attr-defined]


def test_cli_ask_exit_codes() -> None:
    yes = run_cli("query", "ASK { HGNC:6190 il2kg:associates_with HGNC:6009 }")
    no = run_cli("query", "ASK { HGNC:6190 il2kg:associates_with HGNC:6010 }")
    assert (yes.exit_code, yes.stdout) == (0, "true\n")  # type: ignore[attr-defined]
    assert (no.exit_code, no.stdout) == (4, "false\n")  # type: ignore[attr-defined]


def test_cli_errors_have_no_traceback() -> None:
    res = run_cli("query", "SELECT ?s WHERE { ?s ?p }")
    assert res.exit_code == 1  # type: ignore[attr-defined]
    assert "Error: line 1, column" in res.stderr and "Traceback" not in res.stderr  # type: ignore[attr-defined]
    res = run_cli("query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert res.exit_code == 1 and "SERVICE" in res.stderr  # type: ignore[attr-defined]
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    res = run_cli("query", "--timeout", "0.3", slow)
    assert res.exit_code == 3 and "longer than 0.3 s" in res.stderr  # type: ignore[attr-defined]
    res = run_cli("query", "no-such-query")
    assert res.exit_code == 1 and "no named query 'no-such-query'" in res.stderr  # type: ignore[attr-defined]


def test_cli_file_stdin_params_and_formats(tmp_path: Path) -> None:
    q = tmp_path / "q.rq"
    q.write_text("SELECT ?chain ?complex WHERE { ?chain il2kg:part_of ?complex } ORDER BY ?chain")
    res = run_cli("query", "-f", str(q), "--param", "complex=IL-2Rβγ", "--format", "csv")
    assert res.stdout.splitlines()[1:] == [  # type: ignore[attr-defined]
        "https://identifiers.org/hgnc:6009,https://w3id.org/il2kg/entity/IL2R_BG",
        "https://identifiers.org/hgnc:6010,https://w3id.org/il2kg/entity/IL2R_BG",
    ]
    res = CliRunner().invoke(
        cli,
        ["--data-dir", str(FIXTURE), "query", "-f", "-", "--format", "nt", "-q"],
        input="CONSTRUCT WHERE { ?x il2kg:part_of IL2KG:IL2R_BG }",
    )
    assert res.exit_code == 0 and res.stdout.count(" .\n") == 2  # type: ignore[attr-defined]
    out = tmp_path / "r.json"
    res = run_cli(
        "query", "SELECT ?s WHERE { ?s a il2kg:Kinase }", "--format", "json", "-o", str(out)
    )
    assert len(json.loads(out.read_text())["results"]["bindings"]) == 2


def test_cli_queries_lists_and_shows() -> None:
    res = run_cli("queries")
    assert res.exit_code == 0  # type: ignore[attr-defined]
    assert "kinases-of-receptor" in res.stdout and "Which kinases" in res.stdout  # type: ignore[attr-defined]
    res = run_cli("queries", "--show", "kinases-of-receptor")
    assert res.stdout.startswith("# question: Which kinases")  # type: ignore[attr-defined]
    res = run_cli("query", "kinases-of-receptor", "--format", "tsv", "-q")
    assert res.exit_code == 0 and "<https://identifiers.org/hgnc:6190>" in res.stdout  # type: ignore[attr-defined]


def test_ask_dispatches_names_and_texts(shipped_kg: KnowledgeGraph) -> None:
    by_name = shipped_kg.ask("kinases-of-receptor")  # the default ?complex is bound
    text = get_named_query("kinases-of-receptor").text
    by_text = shipped_kg.ask(text, by_name=False, params={"complex": "IL2KG:IL2R_ABG"})
    nq = get_named_query("kinases-of-receptor")
    kinases = sorted({row[nq.expect_columns.index("kinase")] for row in nq.expect})
    assert {"HGNC:6190", "HGNC:6193"} <= set(kinases)  # JAK1 and JAK3 among them
    assert sorted(set(by_name.column("kinase"))) == kinases
    assert by_text.records() == by_name.records()
    with pytest.raises(QueryError, match="did you mean: kinases-of-receptor"):
        shipped_kg.ask("kinases-of-receptr")
    with pytest.raises(QueryError):  # not read as a name: a (bad) SPARQL text
        shipped_kg.ask("kinases-of-receptor", by_name=False)
    same = shipped_kg.ask("kinases-of-receptor", store="memory")
    assert sorted(set(same.column("kinase"))) == kinases
