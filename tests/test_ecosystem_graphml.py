"""GraphML for Gephi and Cytoscape: unique edge ids (the statement ids), node IRIs, xrefs and
descriptions, typed edge quantities; and every written file gets the user's umask."""

from __future__ import annotations

import os
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from il2kg import KnowledgeGraph
from il2kg.dataset.ids import statement_id

from .test_ecosystem_support import il2kg_command

G = "{http://graphml.graphdrawing.org/xmlns}"


def test_edge_ids_are_the_statement_ids(shipped_kg: KnowledgeGraph, tmp_path: Path) -> None:
    out = tmp_path / "kg.graphml"
    shipped_kg.write(out)
    root = ET.parse(out).getroot()
    ids = [e.get("id") for e in root.iter(G + "edge")]
    kept = [r for r in shipped_kg.dataset.relations if not r.negated]
    assert len(ids) == len(set(ids)) == len(kept)  # Gephi refuses a repeated edge id
    assert set(ids) == {statement_id(r) for r in kept}


def test_nodes_and_edges_carry_what_graph_tools_show(shipped_kg: KnowledgeGraph) -> None:
    import io

    g = nx.read_graphml(io.BytesIO(shipped_kg.dumps("graphml")[""]))
    il2 = g.nodes["HGNC:6001"]
    assert il2["iri"] == "https://identifiers.org/hgnc:6001"
    assert "UniProtKB:P60568" in il2["xrefs"].split("|")
    assert il2["description"] == shipped_kg.dataset.entities["HGNC:6001"].description
    kd = [d for _, _, d in g.edges(data=True) if "q_dissociation_constant" in d]
    assert kd and all(isinstance(d["q_dissociation_constant"], float) for d in kd)
    assert all(d["q_dissociation_constant_unit"] == "mol/L" for d in kd)
    assert any("dissociation_constant" in d["quantities"] for _, _, d in g.edges(data=True))


def test_outputs_get_the_umask(tmp_path: Path) -> None:
    for umask, mode in ((0o022, 0o644), (0o077, 0o600)):
        out = tmp_path / f"u{umask:o}"
        done = subprocess.run(
            [
                "sh",
                "-c",
                f'umask {umask:o} && exec "$@"',
                "sh",
                *il2kg_command(),
                "build",
                "--format",
                "neo4j",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ),
        )
        assert done.returncode == 0, done.stderr
        for f in out.iterdir():
            assert stat.S_IMODE(f.stat().st_mode) == mode, (f, oct(f.stat().st_mode))
