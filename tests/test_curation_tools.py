"""Curation tooling: canonical format (check and rewrite) and the data diff."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner

from il2kg import KnowledgeGraph
from il2kg.cli import cli
from il2kg.curate.canonical import natural_key
from il2kg.rdf.build import dataset_digest

from .conftest import FIXTURE_KB


def _copy_kb(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_KB, data)
    return data


def test_natural_sort() -> None:
    ids = ["HGNC:6001", "HGNC:990", "CL:0000815", "HGNC:11366"]
    assert sorted(ids, key=natural_key) == ["CL:0000815", "HGNC:990", "HGNC:6001", "HGNC:11366"]


def test_format_rewrites_then_check_passes_and_data_is_unchanged(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    before = dataset_digest(KnowledgeGraph(data, use_cache=False).dataset)
    check = CliRunner().invoke(cli, ["--data-dir", str(data), "format", "--check"])
    assert check.exit_code == 1
    assert "not in canonical form (run `il2kg format` to rewrite it)" in check.stderr
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "format"])
    assert result.exit_code == 0
    assert result.stdout == "3 file(s) rewritten\n"
    check = CliRunner().invoke(cli, ["--data-dir", str(data), "format", "--check"])
    assert check.exit_code == 0, check.output
    after = dataset_digest(KnowledgeGraph(data, use_cache=False).dataset)
    assert before == after
    text = (data / "molecules.yaml").read_text()
    assert text.index("id: HGNC:6001") < text.index("id: HGNC:11366")


def test_diff_of_two_directories(tmp_path: Path) -> None:
    data = _copy_kb(tmp_path)
    f = data / "clinic.yaml"
    text = f.read_text()
    text = text.replace("    synonyms: [Proleukin]\n", "    synonyms: [Proleukin, rIL-2]\n")
    text = text.replace(
        "  - {subject: HGNC:6008, predicate: expressed_in, object: CL:0000815, evidence: [{source: DOI:10.4049/jimmunol.155.3.1151, status: verified, species: NCBITaxon:10090}]}\n",
        "",
    )
    text += "  - {subject: HGNC:6001, predicate: acts_on, object: CL:0000815, evidence: [{source: DOI:10.4049/jimmunol.155.3.1151, status: verified, species: NCBITaxon:10090}]}\n"
    f.write_text(text)
    result = CliRunner().invoke(cli, ["diff", str(FIXTURE_KB), str(data)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "~ entity DrugBank:DB00041",
        '    synonyms: ["Proleukin"]',
        '              -> ["Proleukin", "rIL-2"]',
        "+ relation HGNC:6001 acts_on CL:0000815",
        "    evidence: DOI:10.4049/jimmunol.155.3.1151 (verified)",
        "- relation HGNC:6008 expressed_in CL:0000815",
        "    evidence: DOI:10.4049/jimmunol.155.3.1151 (verified)",
        "entity +0 -0 ~1; relation +1 -1 ~0",
    ]
    js = json.loads(
        CliRunner().invoke(cli, ["diff", str(FIXTURE_KB), str(data), "--format", "json"]).stdout
    )
    assert [(c["kind"], c["status"]) for c in js["changes"]] == [
        ("entity", "changed"),
        ("relation", "added"),
        ("relation", "removed"),
    ]


def test_diff_against_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    data = repo / "data"
    shutil.copytree(FIXTURE_KB, data)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (data / "molecules.yaml").write_text(
        (data / "molecules.yaml").read_text().replace("label: JAK3", "label: JAK-3")
    )
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "diff", "HEAD"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "~ entity HGNC:6193"
    bad = CliRunner().invoke(cli, ["--data-dir", str(data), "diff", "no-such-rev"])
    assert bad.exit_code == 1
    assert "is neither a directory nor a git revision" in bad.stderr
