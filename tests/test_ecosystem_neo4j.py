"""``il2kg build --format neo4j``: neo4j-admin import CSVs, loaded into a real embedded Cypher
engine and asked three named questions, whose answers must equal SPARQL's.

The engine is LadybugDB (``ladybug`` on PyPI), the maintained fork of Kùzu (Kùzu itself was
archived in 2025; FalkorDB's embedded server needs Python 3.12). Kùzu-style engines have typed
node and relationship tables and no multi-labels, so the loader below reads the neo4j-admin headers
as neo4j-admin does (``:ID``, ``:LABEL``, ``:START_ID``, ``:END_ID``, ``:TYPE``, ``name:type``,
``[]`` arrays split on the array delimiter, empty cells absent) and makes one node table per first
label (the entity's own class) and one relationship table per ``:TYPE``.
"""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.query.results import Results
from il2kg.rdf.formats import NEO4J_ARRAY_DELIMITER

from .test_ecosystem_support import il2kg_command, module

TYPES = {
    "string": "STRING",
    "int": "INT64",
    "long": "INT64",
    "float": "DOUBLE",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
}


def _column(spec: str) -> tuple[str, str, bool]:
    """``name:type[]`` -> (name, engine type, is array); ``:ID`` and friends keep their name."""
    name, _, typ = spec.partition(":")
    if not name:  # :LABEL, :TYPE, :START_ID, :END_ID
        return spec, "STRING", False
    if typ == "ID":
        return name, "STRING", False
    array = typ.endswith("[]")
    return name, TYPES[(typ.removesuffix("[]") or "string").lower()], array


def _value(text: str, typ: str, array: bool) -> Any:
    if text == "":
        return [] if array else None
    if array:
        return [_value(x, typ, False) for x in text.split(NEO4J_ARRAY_DELIMITER)]
    if typ == "INT64":
        return int(text)
    if typ == "DOUBLE":
        return float(text)
    if typ == "BOOLEAN":
        return text == "true"
    return text


def _read(path: Path) -> tuple[list[tuple[str, str, bool]], list[dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    cols = [_column(c) for c in rows[0]]
    return cols, [
        {n: _value(v, t, a) for (n, t, a), v in zip(cols, row, strict=True)} for row in rows[1:]
    ]


def _decl(cols: list[tuple[str, str, bool]], skip: set[str]) -> str:
    return ", ".join(f"{n} {t}{'[]' if a else ''}" for n, t, a in cols if n not in skip)


def load(directory: Path, db_path: Path) -> Any:
    """Load nodes.csv and relationships.csv into a new Ladybug database; return a connection."""
    lb: Any = module("ladybug", "pip install -e '.[test]'")
    node_cols, nodes = _read(directory / "nodes.csv")
    rel_cols, rels = _read(directory / "relationships.csv")
    conn = lb.Connection(lb.Database(str(db_path)))
    table: dict[str, str] = {}
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes:
        labels = n.pop(":LABEL").split(";")
        n["labels"] = labels
        table[n["id"]] = labels[0]
        by_table[labels[0]].append(n)
    node_decl = _decl(node_cols, {":LABEL"}) + ", labels STRING[]"
    for t, rows in by_table.items():
        conn.execute(f"CREATE NODE TABLE {t}({node_decl}, PRIMARY KEY(id))")
        props = ", ".join(f"{k}: $p.{k}" for k in rows[0])
        for r in rows:
            conn.execute(f"CREATE (:{t} {{{props.replace('$p.', '$')}}})", r)
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in rels:
        pairs[r[":TYPE"]].add((table[r[":START_ID"]], table[r[":END_ID"]]))
    rel_decl = _decl(rel_cols, {":START_ID", ":END_ID", ":TYPE"})
    for typ, ends in pairs.items():
        froms = ", ".join(f"FROM {a} TO {b}" for a, b in sorted(ends))
        conn.execute(f"CREATE REL TABLE {typ}({froms}, {rel_decl})")
    for r in rels:
        s, o, typ = r.pop(":START_ID"), r.pop(":END_ID"), r.pop(":TYPE")
        props = ", ".join(f"{k}: ${k}" for k in r)
        conn.execute(
            f"MATCH (a:{table[s]} {{id: $s_}}), (b:{table[o]} {{id: $o_}}) "
            f"CREATE (a)-[:{typ} {{{props}}}]->(b)",
            {**r, "s_": s, "o_": o},
        )
    return conn


def cypher(conn: Any, query: str, **params: Any) -> list[list[Any]]:
    res = conn.execute(query, params)
    out = []
    while res.has_next():
        out.append(res.get_next())
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("neo4j") / "neo4j"
    done = subprocess.run(
        [*il2kg_command(), "build", "--format", "neo4j", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def graph(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load(exported, tmp_path_factory.mktemp("ladybug") / "db")


def test_headers_are_neo4j_admin_headers(exported: Path) -> None:
    assert sorted(p.name for p in exported.iterdir()) == [
        "import.sh",
        "nodes.csv",
        "relationships.csv",
    ]
    node_header = (exported / "nodes.csv").read_text().splitlines()[0].split(",")
    rel_header = (exported / "relationships.csv").read_text().splitlines()[0].split(",")
    assert node_header[:2] == ["id:ID", ":LABEL"]
    assert rel_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert {"negated:boolean", "sources:string[]", "quantity_values:double[]"} <= set(rel_header)
    assert "synonyms:string[]" in node_header and "year:int" in node_header
    assert "--array-delimiter" in (exported / "import.sh").read_text()


def test_everything_loads(graph: Any, shipped_kg: KnowledgeGraph) -> None:
    ds = shipped_kg.dataset
    assert cypher(graph, "MATCH (n) RETURN count(n)") == [[len(ds.entities)]]
    assert cypher(graph, "MATCH ()-[r]->() RETURN count(r)") == [[len(ds.relations)]]
    negated = cypher(graph, "MATCH ()-[r]->() WHERE r.negated RETURN label(r), r.predicate")
    assert len(negated) == sum(r.negated for r in ds.relations)
    assert all(t == "NOT_" + p.upper() for t, p in negated)  # never matched as a positive claim
    kinds = cypher(graph, "MATCH (n:Kinase) RETURN n.labels LIMIT 1")[0][0]
    assert kinds[0] == "Kinase" and "GeneOrProtein" in kinds and kinds[-1] == "Entity"


def _sources(value: str | list[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    parts = value.split(" | ") if isinstance(value, str) else value
    return frozenset(p for p in parts if p)


def _sparql(res: Results, *cols: str) -> list[tuple[Any, ...]]:
    out = []
    for rec in res.records():
        out.append(tuple(_sources(rec[c]) if c == "sources" else rec[c] for c in cols))
    return sorted(out, key=repr)


def test_kinases_of_receptor_in_cypher(graph: Any, shipped_kg: KnowledgeGraph) -> None:
    rows = cypher(
        graph,
        "MATCH (k:Kinase)-[a:ASSOCIATES_WITH]->(c)-[:PART_OF]->(x) WHERE x.id = $complex "
        "UNWIND a.sources AS s "
        "RETURN k.id, c.id, x.id, collect(DISTINCT s) ORDER BY k.id, c.id",
        complex="IL2KG:IL2R_ABG",
    )
    got = sorted(((k, c, x, _sources(s)) for k, c, x, s in rows), key=repr)
    want = _sparql(
        shipped_kg.named_query("kinases-of-receptor"), "kinase", "chain", "complex", "sources"
    )
    assert got == want and len(got) >= 2


def test_receptor_affinities_in_cypher(graph: Any, shipped_kg: KnowledgeGraph) -> None:
    # Kùzu/Ladybug lists are 1-based (Neo4j's are 0-based: range(0, size(...) - 1))
    rows = cypher(
        graph,
        "MATCH (i {id: 'HGNC:6001'})-[r:BINDS]->(c) "
        "UNWIND range(1, size(r.quantity_kinds)) AS j "
        "WITH c, r, j WHERE r.quantity_kinds[j] = 'dissociation_constant' "
        "RETURN c.id, r.quantity_comparators[j], r.quantity_values[j], r.quantity_units[j], "
        "r.sources",
    )
    got = sorted(((c, cmp, kd, u, _sources(s)) for c, cmp, kd, u, s in rows), key=repr)
    want = [
        (c, cmp, float(kd), u, s)
        for c, cmp, kd, u, s in _sparql(
            shipped_kg.named_query("receptor-affinities"),
            "complex",
            "comparator",
            "kd",
            "unit",
            "sources",
        )
    ]
    assert got == sorted(want, key=repr) and len(got) >= 4


def test_negated_claims_in_cypher(graph: Any, shipped_kg: KnowledgeGraph) -> None:
    rows = cypher(
        graph,
        "MATCH (s)-[r]->(o) WHERE r.negated RETURN s.id, r.predicate, o.id, r.cell_type, r.sources",
    )
    got = sorted(((s, f"il2kg:{p}", o, c, _sources(src)) for s, p, o, c, src in rows), key=repr)
    want = _sparql(
        shipped_kg.named_query("negated-claims"),
        "subject",
        "predicate",
        "object",
        "cellType",
        "sources",
    )
    assert got == want and len(got) >= 2
