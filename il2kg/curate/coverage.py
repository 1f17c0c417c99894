"""Coverage against a community map: which genes of a list the graph holds, and how connected.

The list is a text file of gene symbols, HGNC ids or NCBI Gene ids (one per line; ``#`` starts a
comment), or a WikiPathways data-node table (``Label<TAB>Type<TAB>Identifier ...``, as the
WikiPathways database exports it; its GeneProduct, Protein and Rna nodes are read). Each listed
gene is matched to the graph's gene entities (ids HGNC:, NCBIGene:, UniProtKB:) by HGNC id, NCBI
Gene id, UniProt accession or symbol (case-insensitive); the identifier snapshot of
:mod:`il2kg.curate.idcheck`, when present, adds each HGNC entity's NCBI Gene and UniProt ids.
A present gene is reported with its degree in the path network and whether the path search
reaches it from an anchor (IL2): the caller passes that search in as ``reach``, so this module
needs only the dataset and the network.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from il2kg.errors import Il2kgError

if TYPE_CHECKING:
    import networkx as nx

    from il2kg.curate.idcheck import Snapshot
    from il2kg.dataset.model import Dataset

#: WikiPathways node types that name a gene or its product.
GENE_NODE_TYPES = ("GeneProduct", "Protein", "Rna")
#: Entity id prefixes that make an entity a gene of the graph.
GENE_PREFIXES = ("HGNC", "NCBIGene", "UniProtKB")
#: Key kinds, strongest first (the order in which a listed gene's keys are tried).
KEY_ORDER = ("HGNC", "NCBIGene", "UniProtKB", "symbol")

_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@/-]*$")

#: ``reach(entity_id) -> (hops of the directed path from the anchor, hops of the undirected one)``
Reach = Callable[[str], tuple[int | None, int | None]]


class GeneListError(Il2kgError):
    """A gene list that cannot be read (with its file and line)."""


@dataclass(frozen=True)
class Listed:
    """One gene of the list: its name, its keys (``kind:value``), and where it was listed."""

    name: str
    keys: tuple[str, ...]
    lines: tuple[int, ...]

    def show_keys(self) -> str:
        """The gene's symbols and HGNC and NCBI Gene ids (UniProt accessions left out: a map
        lists many unreviewed ones)."""
        return ", ".join(_show(k) for k in self.keys if _kind(k) != "UniProtKB")


@dataclass(frozen=True)
class Hit:
    """A listed gene found in the graph."""

    listed: Listed
    entity: str
    label: str
    matched_by: str  # a key kind of KEY_ORDER
    degree: int
    path: int | None  # hops of the directed path from the anchor (None: none found)
    undirected: int | None

    @property
    def connected(self) -> bool:
        return self.degree > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.listed.name,
            "lines": list(self.listed.lines),
            "entity": self.entity,
            "label": self.label,
            "matched_by": self.matched_by,
            "degree": self.degree,
            "path_hops": self.path,
            "undirected_hops": self.undirected,
        }


@dataclass
class Coverage:
    """The comparison of one gene list with the graph."""

    source: str
    kind: str  # "gene list" or "WikiPathways data nodes"
    anchor: str
    present: list[Hit] = field(default_factory=list)
    absent: list[Listed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.present) + len(self.absent)

    @property
    def connected(self) -> int:
        return sum(1 for h in self.present if h.connected)

    def share(self, n: int) -> float:
        return n / self.total if self.total else 0.0

    @property
    def covered_share(self) -> float:
        """The share of listed genes present and connected (what ``--min`` is compared with)."""
        return self.share(self.connected)

    def text(self) -> str:
        def pct(n: int) -> str:
            return f"{n} ({100 * self.share(n):.1f}%)"

        out = [
            f"{self.source} ({self.kind}): {self.total} genes",
            f"present {pct(len(self.present))}, connected {pct(self.connected)}, "
            f"absent {pct(len(self.absent))}",
        ]
        if self.present:
            out += [
                "",
                f"present (path: hops of 'il2kg path {self.anchor} GENE', undirected: with "
                "--undirected, -: no path)",
            ]
            rows = [("name", "entity", "label", "match", "degree", "path", "undirected")]
            for h in self.present:
                rows.append(
                    (
                        h.listed.name,
                        h.entity,
                        h.label,
                        h.matched_by,
                        str(h.degree),
                        "-" if h.path is None else str(h.path),
                        "-" if h.undirected is None else str(h.undirected),
                    )
                )
            out += _table(rows, right=(4, 5, 6))
        if self.absent:
            out += ["", "absent"]
            out += _table([(g.name, g.show_keys()) for g in self.absent], right=())
        if self.notes:
            out += ["", "notes"]
            out += [f"  {n}" for n in self.notes]
        return "\n".join(out)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "anchor": self.anchor,
            "total": self.total,
            "present": len(self.present),
            "connected": self.connected,
            "absent": len(self.absent),
            "covered_share": round(self.covered_share, 4),
            "genes": [h.to_json() for h in self.present],
            "missing": [
                {"name": g.name, "lines": list(g.lines), "keys": list(g.keys)} for g in self.absent
            ],
            "notes": list(self.notes),
        }


def _show(key: str) -> str:
    return key.replace("symbol:", "symbol ")


def _table(rows: Sequence[tuple[str, ...]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return lines


# -- reading a list ------------------------------------------------------------------------------


def read_gene_list(path: Path) -> tuple[list[Listed], str]:
    """The genes of ``path`` (merged when listed twice) and the kind of file.

    :raises GeneListError: when the file cannot be read or a line is not a gene, with the line.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GeneListError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GeneListError(f"{path}: cannot read the gene list: {exc}") from exc
    first = text.split("\n", 1)[0].rstrip("\r").split("\t")
    if first[:3] == ["Label", "Type", "Identifier"]:
        return _merge(_wikipathways(path, text)), "WikiPathways data nodes"
    return _merge(_plain(path, text)), "gene list"


def _plain(path: Path, text: str) -> Iterable[tuple[int, str, tuple[str, ...]]]:
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        token = line.split("\t", 1)[0].strip()
        key = _key(token)
        if key is None:
            raise GeneListError(
                f"{path}:{lineno}: '{token}' is not a gene symbol, an HGNC id (HGNC:6001) or an "
                "NCBI Gene id (NCBIGene:3558 or 3558)"
            )
        yield lineno, token, (key,)


def _key(token: str) -> str | None:
    prefix, colon, local = token.partition(":")
    if not colon:
        if token.isdigit():
            return f"NCBIGene:{token}"
        return f"symbol:{token}" if _SYMBOL.match(token) else None
    p = prefix.casefold()
    if p == "hgnc" and local.isdigit():
        return f"HGNC:{local}"
    if p in ("ncbigene", "entrez") and local.isdigit():
        return f"NCBIGene:{local}"
    if p in ("uniprotkb", "uniprot") and re.fullmatch(r"[A-Z0-9]{6,10}", local):
        return f"UniProtKB:{local}"
    if p == "hgnc.symbol" and _SYMBOL.match(local):
        return f"symbol:{local}"
    return None


def _wikipathways(path: Path, text: str) -> Iterable[tuple[int, str, tuple[str, ...]]]:
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    for lineno, row in enumerate(reader, 2):
        if row.get("Type") not in GENE_NODE_TYPES:
            continue
        label = (row.get("Label") or "").strip()
        keys: list[str] = []
        for column in ("HGNC", "NCBI gene", "Identifier", "UniProt"):
            for token in (row.get(column) or "").split(";"):
                key = _key(token.strip()) if ":" in token else None
                if key is not None and key not in keys:
                    keys.append(key)
        if label and _SYMBOL.match(label) and f"symbol:{label}" not in keys:
            keys.append(f"symbol:{label}")
        if not keys:
            raise GeneListError(
                f"{path}:{lineno}: the {row.get('Type')} node '{label}' has no gene identifier or symbol"
            )
        yield lineno, label or keys[0], tuple(keys)


def _merge(items: Iterable[tuple[int, str, tuple[str, ...]]]) -> list[Listed]:
    """One entry per gene: rows with the same name or the same strongest key are one gene."""
    out: list[Listed] = []
    for lineno, name, keys in items:
        ident = _strongest(keys)
        for i, g in enumerate(out):
            if g.name.casefold() == name.casefold() or _strongest(g.keys) == ident:
                out[i] = Listed(g.name, tuple(dict.fromkeys(g.keys + keys)), (*g.lines, lineno))
                break
        else:
            out.append(Listed(name, keys, (lineno,)))
    return out


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


def _strongest(keys: Iterable[str]) -> str:
    return min(keys, key=lambda k: KEY_ORDER.index(_kind(k))).casefold()


# -- matching ------------------------------------------------------------------------------------


def gene_index(ds: Dataset, snapshot: Snapshot | None = None) -> dict[str, str]:
    """``kind:value`` key -> gene entity id, over the graph's gene entities."""
    index: dict[str, str] = {}

    def add(key: str, eid: str) -> None:
        index.setdefault(key.casefold() if key.startswith("symbol:") else key, eid)

    genes = [e for e in ds.entities.values() if e.id.split(":", 1)[0] in GENE_PREFIXES]
    for e in sorted(genes, key=lambda e: KEY_ORDER.index(e.id.split(":", 1)[0])):
        add(e.id, e.id)
        for x in e.xrefs:
            if x.split(":", 1)[0] in GENE_PREFIXES:
                add(x, e.id)
        if e.id.startswith("HGNC:"):
            add(f"symbol:{e.label}", e.id)
            rec = snapshot.records.get(e.id) if snapshot is not None else None
            if rec is not None and rec.status == "current":
                if rec.ncbigene:
                    add(f"NCBIGene:{rec.ncbigene}", e.id)
                for u in rec.uniprot:
                    add(f"UniProtKB:{u}", e.id)
    return index


def _own_keys(index: Mapping[str, str], eid: str) -> dict[str, set[str]]:
    own: dict[str, set[str]] = {}
    for key, target in index.items():
        if target == eid:
            kind, _, value = key.partition(":")
            own.setdefault(kind, set()).add(value.casefold())
    return own


def compare(
    genes: Iterable[Listed],
    ds: Dataset,
    network: nx.MultiDiGraph,
    reach: Reach,
    *,
    source: str,
    kind: str,
    anchor: str,
    snapshot: Snapshot | None = None,
) -> Coverage:
    """Compare the listed genes with the graph's gene entities."""
    index = gene_index(ds, snapshot)
    cov = Coverage(source, kind, anchor)
    for g in genes:
        found: dict[str, str] = {}  # entity -> first matching key kind
        for key in sorted(g.keys, key=lambda k: KEY_ORDER.index(k.split(":", 1)[0])):
            lookup = key.casefold() if key.startswith("symbol:") else key
            eid = index.get(lookup)
            if eid is not None:
                found.setdefault(eid, key.split(":", 1)[0])
        if not found:
            cov.absent.append(g)
            continue
        eid, by = next(iter(found.items()))
        line = (
            f"line {g.lines[0]}" if len(g.lines) == 1 else f"lines {', '.join(map(str, g.lines))}"
        )
        if len(found) > 1:
            others = ", ".join(f"{e} (by {k})" for e, k in list(found.items())[1:])
            cov.notes.append(
                f"{line} {g.name}: its keys name several entities: {eid} (by {by}), {others}"
            )
        own = _own_keys(index, eid)
        clash = [
            k
            for k in g.keys
            if k.split(":", 1)[0] in ("HGNC", "NCBIGene", "symbol")
            and k.split(":", 1)[0] in own
            and k.partition(":")[2].casefold() not in own[k.split(":", 1)[0]]
        ]
        if clash:
            label = ds.entities[eid].label
            cov.notes.append(
                f"{line} {g.name}: matched {eid} ({label}) by {by}; its "
                f"{', '.join(map(_show, clash))} name{'s' if len(clash) == 1 else ''} another gene"
            )
        path, undirected = reach(eid)
        degree = int(network.degree(eid)) if eid in network else 0
        cov.present.append(Hit(g, eid, ds.entities[eid].label, by, degree, path, undirected))
    return cov
