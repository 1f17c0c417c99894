"""Hostile data and hostile revisions (security review 2026-12): every input that passes
validation builds, nothing is read or written beyond its bounds, messages are safe to print.

Real git repositories crafted with ``git mktree``, real sparse files, FIFOs, devices and
resource limits; no mocks.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import xml.dom.minidom
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il2kg import DataError, KnowledgeGraph
from il2kg.cache import cache_key
from il2kg.cli import cli
from il2kg.curate.diff import _safe_parts
from il2kg.dataset.ontology import read_vocabulary
from il2kg.dataset.read import read_dataset
from il2kg.dataset.rules import check_dataset
from il2kg.files import atomic_write
from il2kg.namespaces import check_curie, compress, expand
from il2kg.rdf.build import dataset_triples
from il2kg.rdf.formats import _oxigraph_dumps, graphml_dumps, ntriples_dumps
from il2kg.resources import data_files, ontology_dir

from .conftest import FIXTURE_KB

ENT = (
    "entities:\n"
    "  - {id: HGNC:6001, type: Cytokine, label: IL2}\n"
    "  - {id: HGNC:6008, type: ReceptorChain, label: IL2RA}\n"
)


def _rel(
    ev: str = '{source: "REF:TestPaper", status: verified}', extra: str = "", record: str = ""
) -> str:
    """One relation citing ``ev``, and a registry record for each work it cites (``record``
    adds fields to them: a url, a first author ...)."""
    refs = "".join(
        f'  - {{id: "{src}", type: {"web_page" if src == "REF:APage" else "primary_research"}, '
        f"first_author: Test A, title: A test record, venue: Test J, year: 2000{record}}}\n"
        for src in dict.fromkeys(re.findall(r'source: "([^"]+)"', ev))
    )
    return (
        ENT
        + "relations:\n  - {subject: HGNC:6001, predicate: binds, object: HGNC:6008, evidence: ["
        + ev
        + "]"
        + extra
        + "}\n"
        + (f"references:\n{refs}" if refs else "")
    )


def _data(tmp_path: Path, text: str, name: str = "data") -> Path:
    data = tmp_path / name
    data.mkdir()
    (data / "f.yaml").write_text(text, encoding="utf-8")
    return data


def _problems(data: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        KnowledgeGraph(data, use_cache=False).validate(shacl=False)
    return [str(p) for p in info.value.problems]


# -- C2, m14, m9: diff of a crafted git revision ------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _mktree(repo: Path, *entries: tuple[str, str, str]) -> str:
    lines = "".join(
        f"{'040000 tree' if kind == 'tree' else '100644 blob'} {oid}\t{name}\n"
        for kind, oid, name in entries
    )
    return _git(repo, "mktree", stdin=lines)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "r"
    (repo / "data").mkdir(parents=True)
    shutil.copy(FIXTURE_KB / "molecules.yaml", repo / "data" / "f.yaml")
    for other in (
        "clinic.yaml",
        "references.yaml",
    ):  # the works f.yaml cites, and who cites the rest
        shutil.copy(FIXTURE_KB / other, repo / "data" / other)
    _git(repo, "init", "-q")
    _git(repo, "add", "data")
    _git(repo, "commit", "-qm", "init")
    return repo


def _commit(repo: Path, data_tree: str, branch: str) -> None:
    root = _mktree(repo, ("tree", data_tree, "data"))
    c = _git(repo, "commit-tree", root, "-p", "HEAD", "-m", branch)
    _git(repo, "branch", branch, c)


@pytest.fixture
def private_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$TMPDIR for the code under test: a fresh folder whose leftovers we can count."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def test_diff_of_a_revision_with_dotdot_entries_writes_nothing_outside(
    tmp_path: Path, private_tmpdir: Path
) -> None:
    repo = _repo(tmp_path)
    blob = _git(repo, "hash-object", "-w", "--stdin", stdin="pwned\n")
    fy = _git(repo, "rev-parse", "HEAD:data/f.yaml")
    # C2 of the review, aimed at tmp_path/outside/PWNED: data/../../../outside/PWNED lands there
    # from the old checkout folder $TMPDIR/il2kg-diff-*/data
    t = _mktree(repo, ("blob", blob, "PWNED"))
    t = _mktree(repo, ("tree", t, "outside"))
    for _ in range(2):
        t = _mktree(repo, ("tree", t, ".."))
    _commit(repo, _mktree(repo, ("tree", t, ".."), ("blob", fy, "f.yaml")), "evil")
    # and the review's own commands: six more levels up, then tmp/redteam/PWNED-<unique>
    unique = f"PWNED-{os.getpid()}-{time.monotonic_ns()}"
    t = _mktree(repo, ("blob", blob, unique))
    for p in ("redteam", "tmp"):
        t = _mktree(repo, ("tree", t, p))
    for _ in range(6):
        t = _mktree(repo, ("tree", t, ".."))
    _commit(repo, _mktree(repo, ("tree", t, ".."), ("blob", fy, "f.yaml")), "evil2")

    for branch in ("evil", "evil2"):
        result = CliRunner().invoke(cli, ["--data-dir", str(repo / "data"), "diff", branch])
        assert result.exit_code == 1, result.output
        assert "holds an unsafe path" in result.stderr
        assert "refusing to check it out" in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "outside").exists()
    assert not Path("/tmp/redteam", unique).exists()
    assert not Path("/tmp/tmp/redteam", unique).exists()
    assert list(private_tmpdir.iterdir()) == []  # nothing left behind either


def test_tree_paths_that_leave_the_folder_are_unsafe() -> None:
    for bad in (
        "..",
        "../x.yaml",
        "a/../../x.yaml",
        "/etc/x.yaml",
        "a//b.yaml",
        "./a.yaml",
        "a\0b",
    ):
        assert _safe_parts(bad) is None, bad
    assert _safe_parts("sub/a b.yaml") == ("sub", "a b.yaml")


def test_diff_removes_its_checkout_and_reads_names_with_spaces(
    tmp_path: Path, private_tmpdir: Path
) -> None:
    repo = _repo(tmp_path)
    _git(repo, "mv", "data/f.yaml", "data/my molecules.yaml")
    _git(repo, "commit", "-qm", "a name with a space")
    f = repo / "data" / "my molecules.yaml"
    f.write_text(f.read_text().replace("label: JAK3", "label: JAK-3"))
    for _ in range(3):
        result = CliRunner().invoke(cli, ["--data-dir", str(repo / "data"), "diff", "HEAD"])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[0] == "~ entity HGNC:6193"
    assert list(private_tmpdir.iterdir()) == []  # m14: no il2kg-diff-* folder per revision


def test_diff_refuses_option_like_revisions(tmp_path: Path, private_tmpdir: Path) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "written"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(repo / "data"), "diff", "--", f"--output={out}"]
    )
    assert result.exit_code == 1
    assert "is not a git revision" in result.stderr
    assert not out.exists()


# -- M6, m9, m13: size before reading, chunked cache key, unreadable files, the dir name ------------


def test_huge_sparse_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    data = tmp_path / "d"
    shutil.copytree(FIXTURE_KB, data)
    with open(data / "huge.yaml", "wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: no disk used
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))\n"
        "from il2kg.cli import main\n"
        "sys.argv = ['il2kg', '--data-dir', sys.argv[1], 'validate']\n"
        "main()\n"
    )
    env = {**os.environ, "IL2KG_CACHE_DIR": str(tmp_path / "cache")}  # the cached path: cache_key
    start = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-c", code, str(data)], capture_output=True, text=True, env=env
    )
    assert r.returncode == 1, r.stderr
    assert "d/huge.yaml:1:1: file is 3,221,225,472 bytes; the limit is 67,108,864" in r.stderr
    assert "MemoryError" not in r.stderr and "Internal error" not in r.stderr
    assert time.monotonic() - start < 20


def test_unreadable_data_file_on_the_cached_path_is_a_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_KB, data)
    bad = data / "unreadable.yaml"
    if os.geteuid() == 0:  # root reads every mode; /proc/self/mem fails to read at offset 0 (EIO)
        bad.symlink_to("/proc/self/mem")
    else:
        bad.write_text("entities: []\n")
        bad.chmod(0)
    key = cache_key(data_files(data), data, ontology_dir())  # used to raise PermissionError
    assert len(key) == 64
    result = CliRunner().invoke(cli, ["--data-dir", str(data), "validate"])
    assert result.exit_code == 1, result.output
    assert "data/unreadable.yaml:1:1: cannot read file: " in result.stderr
    assert "Internal error" not in result.output


def test_cache_key_includes_the_data_dir_name(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = tmp_path / "original"
    shutil.copytree(FIXTURE_KB, first)
    second = tmp_path / "copy"
    shutil.copytree(FIXTURE_KB, second)
    a = KnowledgeGraph(first, cache_root=cache).dataset
    KnowledgeGraph(second, cache_root=cache).ntriples  # noqa: B018 - fills its own entry
    b = KnowledgeGraph(second, cache_root=cache).dataset  # from the cache
    assert {loc[0].split("/")[0] for loc in a.entity_locations.values()} == {"original"}
    assert {loc[0].split("/")[0] for loc in b.entity_locations.values()} == {"copy"}
    assert cache_key(data_files(first), first, ontology_dir()) != cache_key(
        data_files(second), second, ontology_dir()
    )


# -- M8: what validates builds -------------------------------------------------------------------


def test_nested_lists_below_libyaml_limit_are_a_problem_not_a_recursion_error(
    tmp_path: Path,
) -> None:
    data = _data(tmp_path, "entities: " + "[" * 990 + "]" * 990 + "\n")
    result = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "validate"])
    assert result.exit_code == 1
    assert "lists and mappings nested more than 64 deep" in result.stderr
    assert "RecursionError" not in result.output


@pytest.mark.parametrize(
    ("url", "bad"),
    [("https://example.org/a#b#c", "'#'"), ("https://example.org/[x]", "'['")],
)
def test_urls_the_iri_parser_refuses_are_refused_by_the_validator(
    tmp_path: Path, url: str, bad: str
) -> None:
    data = _data(
        tmp_path, _rel('{source: "REF:APage", status: unverified}', record=f', url: "{url}"')
    )
    result = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "validate"])
    assert result.exit_code == 1
    assert f"url has a character that is not allowed in an IRI, {bad}" in result.stderr
    assert "Internal error" not in result.output


def test_doi_with_brackets_builds_with_a_percent_encoded_iri(tmp_path: Path) -> None:
    data = _data(tmp_path, _rel('{source: "DOI:10.1000/a[1]#%", status: verified}'))
    kg = KnowledgeGraph(data, use_cache=False)
    kg.validate()
    iri = "https://doi.org/10.1000/a%5B1%5D%23%25"
    assert expand("DOI:10.1000/a[1]#%") == iri
    assert compress(iri) == "DOI:10.1000/a[1]#%"
    assert f"<{iri}>".encode() in kg.ntriples
    for fmt in ("turtle", "xml", "jsonld", "graphml", "kgx"):
        assert kg.dumps(fmt)
    out = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "build", "-f", "nt"])
    assert out.exit_code == 0, out.output


_VOCAB = read_vocabulary(ontology_dir() / "il2kg.ttl")
_SAFE = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
# mostly text that may validate (any character but controls and surrogates: combining marks,
# right-to-left text, non-characters such as U+FDD0, astral planes), sometimes anything at all
texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12),
    st.text(max_size=12),
)
url_chars = st.one_of(st.sampled_from(list("/?#[]%@:!$&'()*+,;=-._~ \"<>\\^`{|}")), st.characters())
url_tails = st.one_of(
    st.text(st.sampled_from(list("abc/?#=&%20~:@!$()*+,;-._")), max_size=12),
    st.text(st.characters(min_codepoint=0xA0, blacklist_categories=("Cs",)), max_size=6),
    st.text(url_chars, max_size=12),
)
doi_suffixes = st.text(
    st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12
)
numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(),
    st.sampled_from(["1:30", "010", "0x1F", ".inf"]),
)


@_SAFE
@given(texts, st.lists(texts, max_size=3), texts, url_tails, doi_suffixes, numbers, texts)
def test_whatever_validates_serialises_and_parses_back(
    label: str,
    synonyms: list[str],
    description: str,
    url_tail: str,
    doi: str,
    value: Any,
    quote: str,
) -> None:
    """read_dataset + the rules accept it => N-Triples, RDF/XML and GraphML are well-formed."""
    doc = {
        "entities": [
            {"id": "HGNC:6001", "type": "Cytokine", "label": label, "synonyms": synonyms},
            {"id": "HGNC:6008", "type": "ReceptorChain", "label": "x", "description": description},
        ],
        "relations": [
            {
                "subject": "HGNC:6001",
                "predicate": "binds",
                "object": "HGNC:6008",
                "evidence": [
                    {"source": "REF:APage", "status": "unverified"},
                    {"source": "DOI:10.1000/" + doi, "status": "verified", "quote": quote},
                ],
                "quantities": [{"kind": "dose", "value": value, "unit": "mg/kg"}],
            }
        ],
        "references": [
            {
                "id": "REF:APage",
                "type": "web_page",
                "first_author": "n",
                "title": "n",
                "venue": "n",
                "url": "https://example.org/" + url_tail,
            },
            {
                "id": "DOI:10.1000/" + doi,
                "type": "primary_research",
                "first_author": "Doe J",
                "title": label,
                "venue": "J",
                "year": 2000,
            },
        ],
    }
    text = yaml.safe_dump(doc, allow_unicode=True)
    if isinstance(value, str):
        text = text.replace(f"'{value}'", value)  # the YAML 1.1 forms, unquoted
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "data"
        data.mkdir()
        (data / "f.yaml").write_text(text, encoding="utf-8")
        ds, problems = read_dataset(data)
        if problems or check_dataset(ds, _VOCAB):
            return
    nt = ntriples_dumps(dataset_triples(ds))
    assert len(list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))) > 10
    xml.dom.minidom.parseString(_oxigraph_dumps(nt, "xml"))
    xml.dom.minidom.parseString(graphml_dumps(ds))
    assert b"NaN" not in nt and b"Infinity" not in nt


# -- m2: homoglyph digits, Unicode forms ---------------------------------------------------------


@pytest.mark.parametrize(
    "curie", ["HGNC:6\u0660\u06601", "HGNC:6\uff10\uff101", "PMID:2\u0661889323", "CL:\uff10000815"]
)
def test_identifiers_take_ascii_digits_only(curie: str) -> None:
    msg = check_curie(curie)
    assert msg is not None and "is not one of the ASCII digits 0-9" in msg


def test_homoglyph_pmid_evidence_is_refused(tmp_path: Path) -> None:
    data = _data(tmp_path, _rel('{source: "PMID:2\u0661889323", status: verified}'))
    assert "is not a valid PMID identifier" in _problems(data)[0]


def test_text_is_nfc_normalised(tmp_path: Path) -> None:
    data = _data(tmp_path, 'entities:\n  - {id: HGNC:6001, type: Cytokine, label: "cafe\\u0301"}\n')
    ds, problems = read_dataset(data)
    assert problems == []
    assert ds.entities["HGNC:6001"].label == "caf\u00e9"


# -- m3, m8: YAML 1.1 numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("1:30", "YAML 1.1 reads '1:30' as a base-60 number, 90: write 90"),
        ("010", "YAML 1.1 reads '010' as an octal number, 8: write 8"),
        ("0x1F", "YAML 1.1 reads '0x1F' as a hexadecimal number, 31: write 31"),
        ("0b101", "YAML 1.1 reads '0b101' as a binary number, 5: write 5"),
        ("1_000", "YAML 1.1 reads '1_000' as a number with '_' separators, 1000: write 1000"),
        ("1:30.5", "YAML 1.1 reads '1:30.5' as the number 90.5: write 90.5"),
        (".nan", "'.nan' is not a number: write a finite number"),
        (".inf", "'.inf' is infinite: write a finite number"),
        ("-.Inf", "'-.Inf' is infinite: write a finite number"),
        ("1.0e+400", "the number '1.0e+400' is too large"),
        ("0.1000000000000000000001", "has more digits than a floating-point number keeps"),
    ],
)
def test_yaml_1_1_numbers_are_refused_with_how_to_write_them(
    tmp_path: Path, written: str, says: str
) -> None:
    data = _data(
        tmp_path, _rel(extra=f", quantities: [{{kind: dose, value: {written}, unit: mg/kg}}]")
    )
    (msg,) = _problems(data)
    assert "field 'relations[0].quantities[0].value'" in msg and says in msg


def test_format_keeps_big_integers_exactly(tmp_path: Path) -> None:
    value = "12345678901234567891"
    data = _data(
        tmp_path,
        _rel(extra=f", quantities: [{{kind: sample_size, value: {value}, unit: patients}}]"),
    )
    result = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "format"])
    assert result.exit_code == 0, result.output
    text = (data / "f.yaml").read_text()
    assert f"value: {value}\n" in text and "e+19" not in text
    kg = KnowledgeGraph(data, use_cache=False)
    assert kg.dataset.relations[0].quantities[0].value == int(value)
    assert f'"{value}"^^<http://www.w3.org/2001/XMLSchema#decimal>'.encode() in kg.ntriples


# -- m4, m5, m11, m12, m18 -----------------------------------------------------------------------


def test_characters_outside_xml_are_refused(tmp_path: Path) -> None:
    for ch in ("\\ufffe", "\\uffff", "\\ud800"):
        d = tmp_path / ch[2:]
        d.mkdir()
        data = _data(d, f'entities:\n  - {{id: HGNC:6001, type: Cytokine, label: "a{ch}b"}}\n')
        (msg,) = _problems(data)
        assert f"U+{ch[2:].upper()}" in msg or "escape" in msg


def test_messages_neutralise_terminal_escapes(tmp_path: Path) -> None:
    data = _data(
        tmp_path,
        'entities:\n  - {id: "X\\e]8;;http://evil/\\aGO:1", type: "Cyto\\e[2Jkine",'
        ' label: IL2, "\\e]0;title\\a": 1}\n',
    )
    result = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "validate"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]0;title\\x07" in result.stderr


@pytest.mark.parametrize("field", ["label", "synonyms", "first_author"])
def test_line_breaks_are_refused_in_one_line_fields(tmp_path: Path, field: str) -> None:
    fake = '"IL2\\nRelations out: cures -> everything [verified]"'
    if field == "first_author":  # of a registry record, shown by `il2kg show` and `path`
        text = _rel().replace("first_author: Test A", f"first_author: {fake}")
    else:
        value = f"[{fake}]" if field == "synonyms" else fake
        text = f"entities:\n  - {{id: HGNC:6001, type: Cytokine, label: IL2, {field}: {value}}}\n"
        text = text.replace("label: IL2, label:", "label:")
    data = _data(tmp_path, text)
    assert any("contains a line break: write it on one line" in m for m in _problems(data))
    cr = _data(tmp_path, text.replace("\\n", "\\r"), name="cr")
    assert any("control character U+000D" in m for m in _problems(cr))


def test_messages_do_not_repeat_megabyte_values(tmp_path: Path) -> None:
    big = "a" * 1_000_000
    data = _data(
        tmp_path,
        f"entities:\n  - {{id: HGNC:6001, type: Cytokine, label: IL2, synonyms: {big}}}\n"
        f"  - {{id: HGNC:6002, type: Cytokine{'x' * 5000}, label: IL2}}\n"
        f"relations:\n  - {{subject: HGNC:6001, predicate: b{'x' * 5000}, object: HGNC:6002,"
        " evidence: [{source: PMID:1, status: verified}]}\n",
    )
    msgs = _problems(data)
    assert msgs and all(len(m) < 400 for m in msgs), [len(m) for m in msgs]


def test_reader_errors_are_reported_where_they_are(tmp_path: Path) -> None:
    data = _data(
        tmp_path, 'entities:\n  - {id: HGNC:6001, type: Cytokine, label: "\u00e9\uffffx"}\n'
    )
    assert _problems(data) == ["data/f.yaml:2:46: the character U+FFFF is not allowed in YAML"]


def test_a_million_synonyms_are_refused_quickly(tmp_path: Path) -> None:
    lines = "".join(f"      - s{i}\n" for i in range(10**6))
    data = _data(
        tmp_path,
        f"entities:\n  - id: HGNC:6001\n    type: Cytokine\n    label: IL2\n    synonyms:\n{lines}",
    )
    start = time.monotonic()
    msgs = _problems(data)
    assert time.monotonic() - start < 10
    assert msgs == [
        "data/f.yaml:1006:9: field 'entities[0].synonyms': a list of more than 1,000 items"
    ]


# -- M9, m6, m7: outputs (il2kg/files.py) ---------------------------------------------------------


def test_a_fifo_output_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = CliRunner().invoke(cli, ["build", "-f", "nt", "-o", str(fifo)])
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"<")


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_a_character_device_output_is_never_replaced(tmp_path: Path) -> None:
    dev = tmp_path / "nulldev"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a private /dev/null
    result = CliRunner().invoke(cli, ["build", "-f", "nt", "-o", str(dev)])
    assert result.exit_code == 0, result.output
    st_ = dev.lstat()
    assert stat.S_ISCHR(st_.st_mode) and st_.st_rdev == os.makedev(1, 3)
    assert list(tmp_path.iterdir()) == [dev]  # no temporary file left either


def test_a_symlink_output_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.nt"
    real.write_bytes(b"old\n")
    real.chmod(0o640)
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    atomic_write(link, b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_new_outputs_get_the_umask_and_existing_ones_keep_their_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.nt", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.nt").stat().st_mode) == 0o640
    atomic_write(tmp_path / "plain.nt", b"x")
    assert stat.S_IMODE((tmp_path / "plain.nt").stat().st_mode) == 0o666 & ~old


def test_format_keeps_a_data_files_mode(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    f = data / "f.yaml"
    f.write_text("entities:\n  - {label: IL2, type: Cytokine, id: HGNC:6001}\n")
    f.chmod(0o664)
    result = CliRunner().invoke(cli, ["--no-cache", "--data-dir", str(data), "format"])
    assert result.exit_code == 0 and "1 file(s) rewritten" in result.stdout
    assert stat.S_IMODE(f.stat().st_mode) == 0o664


def test_kgx_files_land_together_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "kgx"
    out.mkdir()
    (out / "nodes.tsv").write_bytes(b"old nodes\n")
    (out / "edges.tsv").write_bytes(b"old edges\n")
    # a real EFBIG on the second file: nodes.tsv (~2 KB) fits under the limit, edges.tsv does not
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2600, 2600))\n"
        "from il2kg import KnowledgeGraph\n"
        "KnowledgeGraph(sys.argv[1], use_cache=False).write(sys.argv[2], 'kgx')\n"
    )
    r = subprocess.run(
        [sys.executable, "-B", "-c", code, str(FIXTURE_KB), str(out)],
        capture_output=True,
        text=True,
    )
    assert r.returncode != 0 and "cannot write" in r.stderr and "edges.tsv" in r.stderr
    assert (out / "nodes.tsv").read_bytes() == b"old nodes\n"
    assert (out / "edges.tsv").read_bytes() == b"old edges\n"
    assert sorted(p.name for p in out.iterdir()) == ["edges.tsv", "nodes.tsv"]
