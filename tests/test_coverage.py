"""Coverage against community maps (il2kg/curate/coverage.py, ``il2kg coverage``).

The fixture lists (tests/fixtures/coverage) are compared with the fixture KB, whose paths are
drawn in tests/fixtures/kb; WP49 (docs/coverage) with the shipped data.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from il2kg.cli import cli
from il2kg.curate.coverage import GeneListError, read_gene_list

from .conftest import FIXTURE_KB, FIXTURES, ROOT

LISTS = FIXTURES / "coverage"
WP49 = ROOT / "docs" / "coverage" / "WP49-datanodes.tsv"


def run(*args: str, kb: Path | None = FIXTURE_KB) -> tuple[int, str, str]:
    pre = ["--data-dir", str(kb)] if kb is not None else []
    r = CliRunner().invoke(cli, [*pre, "coverage", *args])
    return r.exit_code, r.stdout, r.stderr


def test_plain_list_exact_output() -> None:
    code, out, _ = run("--against", str(LISTS / "genes.txt"))
    assert code == 0
    assert out == (
        "genes.txt (gene list): 6 genes\n"
        "present 4 (66.7%), connected 4 (66.7%), absent 2 (33.3%)\n"
        "\n"
        "present (path: hops of 'il2kg path IL2 GENE', undirected: with --undirected, -: no path)\n"
        "  name       entity      label   match     degree  path  undirected\n"
        "  IL2RA      HGNC:6008   IL2RA   symbol         2     2           2\n"
        "  HGNC:6193  HGNC:6193   JAK3    HGNC           2     -           3\n"
        "  3558       HGNC:6001   IL2     NCBIGene       3     0           0\n"
        "  stat5a     HGNC:11366  STAT5A  symbol         2     -           4\n"
        "\n"
        "absent\n"
        "  NCBIGene:6850  NCBIGene:6850\n"
        "  LCK            symbol LCK\n"
    )


def test_wikipathways_table_exact_output() -> None:
    code, out, _ = run("--against", str(LISTS / "datanodes.tsv"))
    assert code == 0
    assert out == (
        "datanodes.tsv (WikiPathways data nodes): 5 genes\n"
        "present 4 (80.0%), connected 4 (80.0%), absent 1 (20.0%)\n"
        "\n"
        "present (path: hops of 'il2kg path IL2 GENE', undirected: with --undirected, -: no path)\n"
        "  name   entity     label  match      degree  path  undirected\n"
        "  IL2RA  HGNC:6008  IL2RA  UniProtKB       2     2           2\n"
        "  IL2    HGNC:6001  IL2    NCBIGene        3     0           0\n"
        "  JAK1   HGNC:6190  JAK1   UniProtKB       2     -           3\n"
        "  IL2RG  HGNC:6010  IL2RG  symbol          3     2           2\n"
        "\n"
        "absent\n"
        "  CBL  symbol CBL, NCBIGene:867\n"
        "\n"
        "notes\n"
        "  line 7 IL2RG: matched HGNC:6010 (IL2RG) by symbol; its symbol MAPT names another gene\n"
    )


def test_paths_agree_with_il2kg_path() -> None:
    """The hop counts are those of the path command itself."""
    r = CliRunner().invoke(
        cli, ["--data-dir", str(FIXTURE_KB), "path", "IL2", "IL2RA", "--format", "json"]
    )
    assert r.exit_code == 0
    assert json.loads(r.stdout)["paths"][0]["length"] == 2
    r = CliRunner().invoke(cli, ["--data-dir", str(FIXTURE_KB), "path", "IL2", "JAK3"])
    assert r.exit_code != 0  # hence '-' in the path column


def test_json_output_and_repeated_rows() -> None:
    code, out, _ = run("--against", str(LISTS / "genes.txt"), "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert (d["total"], d["present"], d["connected"], d["absent"]) == (6, 4, 4, 2)
    assert d["covered_share"] == 0.6667
    il2ra = d["genes"][0]
    assert (il2ra["name"], il2ra["lines"], il2ra["entity"], il2ra["path_hops"]) == (
        "IL2RA",
        [2, 9],
        "HGNC:6008",
        2,
    )
    assert [m["name"] for m in d["missing"]] == ["NCBIGene:6850", "LCK"]


def test_min_share_sets_the_exit_code() -> None:
    code, _, err = run("--against", str(LISTS / "genes.txt"), "--min", "0.9")
    assert code == 1
    assert err == "Error: 66.7% of the 6 listed genes are present and connected, below --min 0.9\n"
    code, _, _ = run("--against", str(LISTS / "genes.txt"), "--min", "0.6")
    assert code == 0
    code, _, err = run("--against", str(LISTS / "genes.txt"), "--min", "95")
    assert code == 2 and "--min" in err


def test_bad_lines_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("IL2\nHGNC:six\n")
    code, _, err = run("--against", str(bad))
    assert code == 1
    assert err == (
        f"Error: {bad}:2: 'HGNC:six' is not a gene symbol, an HGNC id (HGNC:6001) or an NCBI Gene "
        "id (NCBIGene:3558 or 3558)\n"
    )
    code, _, err = run("--against", str(tmp_path / "none.txt"))
    assert (code, err) == (1, f"Error: {tmp_path / 'none.txt'}: no such file\n")


def test_unknown_anchor_is_a_message() -> None:
    code, _, err = run("--against", str(LISTS / "genes.txt"), "--from", "nothing-such")
    assert code == 1 and err.startswith("Error: ") and "nothing-such" in err


def test_wp49_reads_its_37_genes() -> None:
    genes, kind = read_gene_list(WP49)
    assert kind == "WikiPathways data nodes"
    assert len(genes) == 37  # 38 gene and protein nodes, IL2RA drawn twice
    assert next(g for g in genes if g.name == "IL2RA").lines == (2, 19)


def test_wp49_against_the_shipped_graph() -> None:
    code, out, _ = run("--against", str(WP49), "--format", "json", kb=None)
    assert code == 0
    d = json.loads(out)
    assert d["total"] == 37 == d["present"] + d["absent"]
    mtor = next(g for g in d["genes"] if g["name"] == "MTOR")
    assert (mtor["entity"], mtor["matched_by"]) == (
        "HGNC:3942",
        "symbol",
    )  # not MAPT, as the node says
    assert any("MTOR" in n and "NCBIGene:4137" in n for n in d["notes"])


def test_gene_list_error_type(tmp_path: Path) -> None:
    p = tmp_path / "x.tsv"
    p.write_text("Label\tType\tIdentifier\n\tProtein\t\n")
    try:
        read_gene_list(p)
    except GeneListError as exc:
        assert str(exc) == f"{p}:2: the Protein node '' has no gene identifier or symbol"
    else:
        raise AssertionError("expected GeneListError")
