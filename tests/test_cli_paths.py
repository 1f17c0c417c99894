"""The search, show, neighbors and path commands on the fixture KB (exact output, exit codes)."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from il2kg.cli import cli

from .conftest import FIXTURE_KB


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(FIXTURE_KB), *args])


def test_path_undirected_text() -> None:
    r = run("path", "IL-2", "STAT5A", "--undirected")
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "1. IL2 —binds→ intermediate-affinity IL-2 receptor —has_part→ IL2RG "
        "←associates_with— JAK3 —phosphorylates→ STAT5A\n"
        "   4 hops, cost 2.66, net effect positive\n"
        "     IL2 —binds→ intermediate-affinity IL-2 receptor  [verified]\n"
        "       verified: Wang 2005 Science, PMID:16293754, human (primary research paper)\n"
        "     intermediate-affinity IL-2 receptor —has_part→ IL2RG  [verified]\n"
        "       verified: Wang 2005 Science, PMID:16293754, human (primary research paper)\n"
        "     IL2RG ←associates_with— JAK3  [verified]\n"
        "       verified: WikiPathways 2024, WP:WP2732, human (database record)\n"
        "     JAK3 —phosphorylates→ STAT5A (+)  [verified]\n"
        "       verified: Reactome 2024, Reactome:R-HSA-9020558, human (database record)\n"
    )


def test_path_json() -> None:
    r = run("path", "il2", "stat5a", "--undirected", "--k", "3", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert [p["length"] for p in data["paths"]] == [4, 4, 4]
    assert data["truncated"] is None
    hop = data["paths"][0]["hops"][1]
    assert hop["predicate"] == "has_part" and hop["direction"] == "inverse"
    assert hop["relation"] == {
        "subject": "HGNC:6010",
        "predicate": "part_of",
        "object": "IL2KG:IL2R_BG",
    }
    assert data["labels"]["HGNC:6193"] == "JAK3"


def test_path_none_exits_1_with_nearest() -> None:
    r = run("path", "IL-2", "STAT5A")
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("Error: no directed path of at most 10 hops from IL2 (HGNC:6001)")
    assert (
        "STAT5A (HGNC:11366) is reached from: JAK1 (HGNC:6190) [1], JAK3 (HGNC:6193) [1]"
        in r.stderr
    )
    assert "try --undirected" in r.stderr


def test_path_all_truncated_says_so() -> None:
    r = run(
        "path", "IL-2", "STAT5A", "--undirected", "--all", "--max-length", "6", "--max-paths", "5"
    )
    assert r.exit_code == 0
    assert r.stdout.count("\n1. ") + r.stdout.startswith("1. ") == 1
    assert "5. " in r.stdout and "6. " not in r.stdout
    assert "note: the search stopped at its limit of 5 paths" in r.stderr


def test_path_constraints() -> None:
    r = run(
        "path",
        "IL-2",
        "STAT5A",
        "--undirected",
        "--via",
        "JAK1",
        "--avoid",
        "IL-2Rαβγ",
        "--metapath",
        "Cytokine>ReceptorComplex>ReceptorChain>Kinase>STAT",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    (p,) = json.loads(r.stdout)["paths"]
    assert p["nodes"] == ["HGNC:6001", "IL2KG:IL2R_BG", "HGNC:6009", "HGNC:6190", "HGNC:11366"]
    r = run("path", "IL-2", "STAT5A", "--undirected", "--exclude-predicate", "associates_with")
    assert r.exit_code == 1
    r = run("path", "aldesleukin", "RCC", "--qualifier", "disease_stage=metastatic")
    assert (
        r.exit_code == 0
        and "{disease_stage=metastatic, population=adults, agency=FDA, year=1992}" in r.stdout
    )


def test_path_usage_errors_exit_2() -> None:
    assert run("path", "IL-2", "STAT5A", "--k", "2", "--all").exit_code == 2
    assert run("path", "IL-2", "STAT5A", "--qualifier", "cell_type").exit_code == 2
    assert run("path", "IL-2", "STAT5A", "--k", "0").exit_code == 2


def test_unknown_and_ambiguous_entities_exit_1() -> None:
    r = run("path", "STAT5", "IL-2")
    assert r.exit_code == 1
    assert r.stderr == "Error: no entity named 'STAT5'; did you mean:\n  HGNC:11366  STAT5A\n"
    r = run("show", "nothing-like-it")
    assert r.exit_code == 1 and "no entity named 'nothing-like-it'" in r.stderr
    r = run("path", "IL-2", "STAT5A", "--predicate", "bindz")
    assert r.exit_code == 1 and "unknown predicate bindz" in r.stderr


def test_search() -> None:
    r = run("search", "CD25", "-n", "1")
    assert r.exit_code == 0
    assert r.stdout == " 90.0  HGNC:6008                IL2RA  [ReceptorChain]  (synonym: CD25)\n"
    data = json.loads(run("search", "jak", "--format", "json").stdout)
    assert [d["id"] for d in data[:2]] == ["HGNC:6190", "HGNC:6193"]
    assert run("search", "qqqqqq").exit_code == 1


def test_show() -> None:
    r = run("show", "γc")
    assert r.exit_code == 0
    assert r.stdout.startswith("IL2RG  (HGNC:6010)\n  type:        ReceptorChain\n")
    assert (
        "  binds\n    NOT → IL2 (HGNC:6001)  [verified]\n"
        "        verified: Wang 2005 Science, PMID:16293754, human (primary research paper)\n"
        "        unverified: R&D Systems 2024, https://www.rndsystems.com/products/"
        "human-common-gamma-chain-gammac-il-2-r-gamma-antibody_mab2241, human (web page)\n"
        in r.stdout
    )
    assert (
        "Relations in:\n  associates_with\n    ← JAK3 (HGNC:6193)  [verified]\n"
        "        verified: WikiPathways 2024, WP:WP2732, human (database record)\n" in r.stdout
    )
    card = json.loads(run("show", "IL2RG", "--format", "json").stdout)
    assert card["outgoing"]["binds"][0]["negated"] is True


def test_neighbors() -> None:
    r = run("neighbors", "JAK1")
    assert r.exit_code == 0
    assert r.stdout == (
        "JAK1 (HGNC:6190): 2 within 1 hop(s)\n"
        "  1  JAK1 —associates_with→ IL2RB (HGNC:6009) [ReceptorChain]  [verified]\n"
        "  1  JAK1 —phosphorylates→ STAT5A (HGNC:11366) [STAT]  [expert_knowledge]\n"
    )
    data = json.loads(
        run(
            "neighbors", "JAK1", "--depth", "2", "--type", "ProteinComplex", "--format", "json"
        ).stdout
    )
    assert [n["id"] for n in data["neighbors"]] == ["IL2KG:IL2R_ABG", "IL2KG:IL2R_BG"]
    assert run("neighbors", "JAK1", "--type", "Kinaze").exit_code == 1


def test_every_command_has_an_example() -> None:
    for name in ("search", "show", "neighbors", "path"):
        r = run(name, "--help")
        assert r.exit_code == 0 and "Example:" in r.stdout


def test_shipped_path_from_the_shell_names() -> None:
    r = CliRunner().invoke(cli, ["path", "IL-2Rα", "Treg"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("1. IL2RA ")
    assert r.stdout.splitlines()[0].endswith(" regulatory T cell")


def test_path_output_is_bounded_like_its_search() -> None:
    """m16: --max-paths is capped, so what `path --all` prints is bounded as its search is."""
    from il2kg.paths.defaults import MAX_PATHS_LIMIT

    r = run("path", "IL-2", "STAT5A", "--all", "--max-paths", str(MAX_PATHS_LIMIT + 1))
    assert r.exit_code == 2 and "--max-paths" in r.stderr
    ok = run("path", "IL-2", "STAT5A", "--undirected", "--all", "--max-paths", str(MAX_PATHS_LIMIT))
    assert ok.exit_code == 0, ok.output
