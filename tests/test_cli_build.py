"""The validate / build / stats / prefixes commands, with exact output and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg import __version__
from il2kg.cli import cli

from .conftest import FIXTURE_KB, FIXTURES, ROOT

KB = ["--data-dir", str(FIXTURE_KB)]


def run(*args: str) -> CliRunner.invoke:  # type: ignore[valid-type]
    return CliRunner().invoke(cli, [*KB, *args])


def test_validate_prints_one_line_summary() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"OK: 14 entities, 18 relations in 3 files ({FIXTURE_KB}); checked YAML, model, "
        "identifiers, references, domain/range, SHACL\n"
    )


def test_build_to_stdout_is_turtle() -> None:
    result = run("build")
    assert result.exit_code == 0
    assert result.stdout.startswith("@prefix BFO:")


def test_build_nt_to_stdout_is_the_file_it_writes(tmp_path: Path) -> None:
    """Standard output gets the N-Triples copied from the build's file, the same bytes."""
    from il2kg import KnowledgeGraph
    from il2kg.errors import OutputError

    for cache in ([], ["--no-cache"]):
        result = CliRunner().invoke(cli, [*cache, *KB, "build", "--format", "nt"])
        assert result.exit_code == 0, result.output
        assert result.stdout_bytes == KnowledgeGraph(FIXTURE_KB, use_cache=False).ntriples
    with pytest.raises(OutputError, match="writes a directory"):
        KnowledgeGraph(FIXTURE_KB).dump(sys.stdout.buffer, "kgx")


@pytest.mark.parametrize(
    ("suffix", "fmt", "start"),
    [
        (".ttl", "turtle", b"@prefix"),
        (".nt", "nt", b"<"),
        (".jsonld", "jsonld", b"{"),
        (".rdf", "xml", b"<?xml"),
        (".graphml", "graphml", b"<?xml"),
    ],
)
def test_build_format_from_suffix(tmp_path: Path, suffix: str, fmt: str, start: bytes) -> None:
    out = tmp_path / f"kg{suffix}"
    result = run("build", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(start)
    assert result.stderr == (
        f"valid: 14 entities, 18 relations\nwrote {out} ({fmt}, {out.stat().st_size:,} bytes)\n"
    )


def test_build_kgx_needs_a_directory(tmp_path: Path) -> None:
    result = run("build", "--format", "kgx")
    assert result.exit_code == 2
    assert "--format kgx writes a directory: give -o DIR" in result.stderr
    result = run("build", "--format", "kgx", "-o", str(tmp_path / "kgx"))
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "kgx").iterdir()) == [
        "context.jsonld",
        "edges.tsv",
        "nodes.tsv",
    ]


def test_unknown_suffix_is_a_clear_error(tmp_path: Path) -> None:
    result = run("build", "-o", str(tmp_path / "kg.docx"))
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: cannot tell the format of '{tmp_path / 'kg.docx'}' from its suffix; use --format\n"
    )


def test_failed_build_leaves_previous_output_intact(tmp_path: Path) -> None:
    out = tmp_path / "kg.ttl"
    out.write_text("previous build\n")
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(FIXTURES / "invalid" / "dangling_reference.yaml", bad)
    result = CliRunner().invoke(cli, ["--data-dir", str(bad), "build", "-o", str(out)])
    assert result.exit_code == 1
    assert out.read_text() == "previous build\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stats_json() -> None:
    result = run("stats", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["entities"] == 14 and data["relations"] == 18 and data["negated"] == 1
    assert data["by_class"]["ReceptorChain"] == 3
    assert data["evidence"]["by_status"] == {"expert_knowledge": 1, "unverified": 3, "verified": 15}
    # the fixture KB cites 8 works (tests/fixtures/kb/references.yaml): counted by their type
    assert data["evidence"]["by_publication_type"] == {
        "database_record": 5,
        "primary_research": 9,
        "regulatory_label": 2,
        "review": 2,
        "web_page": 1,
    }
    assert data["evidence"]["non_human_items"] == 1  # Sakaguchi 1995, mouse
    assert data["references"] == {
        "distinct": 8,
        "by_type": {
            "database_record": 3,
            "primary_research": 2,
            "regulatory_label": 1,
            "review": 1,
            "web_page": 1,
        },
    }
    assert data["relations_by_support"] == {
        "claims": 18,
        "ontology_axioms": 0,
        "with_primary_source": 16,
        "primary_share": 0.8889,
        "review_only": 2,  # the two timeline 'concerns' relations cite a review
        "review_only_share": 0.1111,
        "weak_only": 0,
        "weak_only_share": 0.0,
    }


def test_stats_table_reports_targets() -> None:
    result = run("stats")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "14 entities, 18 relations (1 negated), 3 files, 1 timeline events"
    )
    assert "  [ ] >= 400 entities: 14" in result.stdout
    assert "     16  cite a primary source (88.9%)\n" in result.stdout
    assert "      2  rest on reviews only (11.1%)\n" in result.stdout


def test_prefixes_json_is_the_pinned_map() -> None:
    result = CliRunner().invoke(cli, ["prefixes", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["CL"] == "http://purl.obolibrary.org/obo/CL_"
    assert data["HGNC"] == "https://identifiers.org/hgnc:"


def test_version_and_help() -> None:
    assert CliRunner().invoke(cli, ["--version"]).stdout == f"il2kg, version {__version__}\n"
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_group_without_command_exits_2() -> None:
    assert CliRunner().invoke(cli, []).exit_code == 2


def test_missing_data_dir_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "nope"), "validate"])
    assert result.exit_code == 1
    assert "data directory not found" in result.stderr


def test_module_and_root_shim_run_the_cli() -> None:
    for cmd in (
        [sys.executable, "-m", "il2kg", "--version"],
        [sys.executable, str(ROOT / "cli.py"), "--version"],
    ):
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        assert proc.stdout == f"il2kg, version {__version__}\n"


def test_every_command_has_an_example_and_is_in_the_readme() -> None:
    from il2kg.cli import COMMANDS, LazyGroup

    readme = (ROOT / "README.md").read_text()
    group = cli
    assert isinstance(group, LazyGroup)
    for name in COMMANDS:
        cmd = group.get_command(None, name)  # type: ignore[arg-type]
        assert cmd is not None and "Example:" in (cmd.help or ""), name
        assert f"il2kg {name}" in readme, f"README does not mention `il2kg {name}`"


def test_only_a_one_shot_process_builds_without_the_garbage_collector() -> None:
    """``il2kg`` (the console script) switches the collector off for validate and build; a
    program or a test that runs the commands in its own process keeps it."""
    import gc

    from il2kg.cli import State

    assert run("validate").exit_code == 0
    assert gc.isenabled()
    try:
        result = CliRunner().invoke(cli, [*KB, "validate"], obj=State(one_shot=True))
        assert result.exit_code == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
