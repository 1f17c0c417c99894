"""``il2kg release``: a versioned, dated bundle with every export, checksums, a claim-level
changelog against a previous release (a bundle directory or a git revision), CITATION.cff and
RO-Crate metadata that the ``rocrate`` package reads and ``roc-validator`` validates (offline:
the RO-Crate 1.1 JSON-LD context comes from the copy the ``rocrate`` package ships)."""

from __future__ import annotations

import copy
import hashlib
import importlib.resources
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from il2kg.cli import cli
from il2kg.rdf.formats import FORMATS

from .conftest import FIXTURE_KB, ROOT
from .test_ecosystem_support import module


def release(data: Path, out: Path, *args: str) -> str:
    done = CliRunner().invoke(cli, ["--data-dir", str(data), "release", "-o", str(out), *args])
    assert done.exit_code == 0, done.output
    return done.stdout


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two releases of the fixture KB: the second after a claim was added and one removed."""
    tmp = tmp_path_factory.mktemp("release")
    first = tmp / "r1"
    release(FIXTURE_KB, first, "--date", "2026-11-01")
    data = tmp / "data"
    shutil.copytree(FIXTURE_KB, data)
    mol = data / "molecules.yaml"
    text = mol.read_text()
    doc = yaml.safe_load(text)
    removed = doc["relations"].pop(0)
    added = copy.deepcopy(doc["relations"][0])
    added["comment"] = "a claim added for the changelog test"
    added["predicate"] = "associates_with" if added["predicate"] != "associates_with" else "binds"
    doc["relations"].append(added)
    mol.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    second = tmp / "r2"
    out = release(
        data, second, "--date", "2026-12-01", "--version", "2026.12.01.2", "--previous", str(first)
    )
    assert "changes since" in out
    (tmp / "removed.json").write_text(json.dumps([removed, added]))
    return first, second


def test_bundle_holds_every_export_and_the_explorer(bundles: tuple[Path, Path]) -> None:
    first, _ = bundles
    names = {p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()}
    for fmt in FORMATS.values():
        if fmt.directory:
            assert any(n.startswith(fmt.name + "/") for n in names), fmt.name
        else:
            assert f"il2kg-2026.11.01{fmt.suffixes[0]}" in names, fmt.name
    assert {"explorer.html", "CHANGELOG.md", "CITATION.cff", "ro-crate-metadata.json"} <= names
    assert {"SHA256SUMS", "release.json", "data/molecules.yaml"} <= names
    info = json.loads((first / "release.json").read_text())
    assert info["version"] == "2026.11.01" and info["date"] == "2026-11-01"
    assert info["data_digest"].startswith("sha256:")


def test_checksums_cover_every_file(bundles: tuple[Path, Path]) -> None:
    for b in bundles:
        listed = {}
        for line in (b / "SHA256SUMS").read_text().splitlines():
            digest, name = line.split("  ", 1)
            listed[name] = digest
        files = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
        assert set(listed) == files - {"SHA256SUMS"}
        for name, digest in listed.items():
            assert hashlib.sha256((b / name).read_bytes()).hexdigest() == digest, name


def test_changelog_lists_the_claims_changed(bundles: tuple[Path, Path]) -> None:
    first, second = bundles
    assert "First release" in (first / "CHANGELOG.md").read_text()
    log = (second / "CHANGELOG.md").read_text()
    assert log.startswith("# il2kg 2026.12.01.2 (2026-12-01)")
    removed, added = json.loads((second.parent / "removed.json").read_text())
    assert "## Added claims (1)" in log and "## Removed claims (1)" in log
    assert f"`{added['subject']} {added['predicate']} {added['object']}" in log
    assert f"`{removed['subject']} {removed['predicate']} {removed['object']}" in log
    changes = json.loads((second / "changes.json").read_text())
    assert changes["summary"].endswith("relation +1 -1 ~0")


def test_changelog_against_a_git_revision(tmp_path: Path) -> None:
    # the shipped data (data/ at the top of the repository) against its last commit
    out = release(ROOT / "data", tmp_path / "r", "--previous", "HEAD")
    assert "changes since HEAD:" in out
    assert (tmp_path / "r" / "CHANGELOG.md").read_text().count("Compared with HEAD") == 1


def test_citation_cff(bundles: tuple[Path, Path]) -> None:
    cff = yaml.safe_load((bundles[1] / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "dataset"
    assert cff["version"] == "2026.12.01.2" and str(cff["date-released"]) == "2026-12-01"
    assert cff["license"] == "CC-BY-4.0" and cff["authors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "1.0"], "is not YYYY.MM.DD"),
        (["--date", "2026-12-01", "--version", "2026.11.30"], "does not name the release date"),
    ],
)
def test_bad_versions_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    done = CliRunner().invoke(
        cli, ["--data-dir", str(FIXTURE_KB), "release", "-o", str(tmp_path / "x"), *args]
    )
    assert done.exit_code == 2 and message in done.stderr


def test_not_into_a_full_directory(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep").write_text("")
    done = CliRunner().invoke(
        cli, ["--data-dir", str(FIXTURE_KB), "release", "-o", str(tmp_path / "x")]
    )
    assert done.exit_code == 2 and "is not empty" in done.stderr


def test_rocrate_reads_the_metadata(bundles: tuple[Path, Path]) -> None:
    module("rocrate", "pip install -e '.[test]'")
    from rocrate.rocrate import ROCrate

    crate = ROCrate(str(bundles[1]))
    assert crate.root_dataset["version"] == "2026.12.01.2"
    assert crate.root_dataset["datePublished"] == "2026-12-01"
    parts = {e.id for e in crate.data_entities}
    assert {"CHANGELOG.md", "kgx/edges.tsv", "explorer.html", "SHA256SUMS"} <= parts


def _offline_context_cache() -> str:
    """A requests-cache holding the RO-Crate 1.1 context (the copy ``rocrate`` ships), so that
    roc-validator's offline mode finds it."""
    import requests
    from requests_cache import CachedSession
    from urllib3 import HTTPResponse

    url = "https://w3id.org/ro/crate/1.1/context"
    body = (importlib.resources.files("rocrate") / "data" / "ro-crate.jsonld").read_bytes()
    cache = tempfile.mkdtemp(prefix="il2kg-rocrate-") + "/http_cache"
    resp = requests.Response()
    resp.status_code, resp._content, resp.url, resp.encoding = 200, body, url, "utf-8"
    resp.headers["Content-Type"] = "application/ld+json"
    resp.request = requests.Request("GET", url).prepare()
    resp.raw = HTTPResponse(
        body=io.BytesIO(body),
        status=200,
        headers={"Content-Type": "application/ld+json"},
        preload_content=False,
        request_url=url,
    )
    CachedSession(cache_name=cache, backend="sqlite", expire_after=-1).cache.save_response(resp)
    return cache


def test_roc_validator_finds_no_issue(bundles: tuple[Path, Path]) -> None:
    module("rocrate_validator", "pip install -e '.[test]'")
    from rocrate_validator import models, services

    settings: Any = services.ValidationSettings(
        rocrate_uri=str(bundles[1]),
        profile_identifier="ro-crate-1.1",
        requirement_severity=models.Severity.RECOMMENDED,
        offline=True,
        cache_path=_offline_context_cache(),
    )
    result = services.validate(settings)
    issues = [f"{i.severity}: {i.message}" for i in result.get_issues()]
    assert not result.has_issues(), issues
