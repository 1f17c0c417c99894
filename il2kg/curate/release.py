"""Citable releases: a versioned, dated bundle of every export, with checksums, a claim-level
changelog, CITATION.cff and RO-Crate metadata.

This module takes data (the files of the bundle as bytes, the dataset, a :class:`DataDiff`) and
returns the bundle's files; ``il2kg release`` (il2kg/cli/release.py) gathers the exports and
writes them. The version scheme is calendar based: ``YYYY.MM.DD`` of the release date, and
``YYYY.MM.DD.N`` for the N-th release of one day (see :func:`check_version`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from il2kg._version import __version__
from il2kg.curate.diff import Change, DataDiff
from il2kg.errors import OptionError

#: What the bundle's data is licensed under (the ontology's dcterms:license).
DATA_LICENSE = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "il2kg: a knowledge graph of interleukin-2 immunology and IL-2-based immunotherapy"
DESCRIPTION = (
    "Curated entities and relations of IL-2 biology and IL-2-based cancer immunotherapy, each "
    "relation with its citations and curation status, as RDF, GraphML, KGX and Neo4j import files."
)
HOMEPAGE = "https://w3id.org/il2kg/"
CHECKSUMS = "SHA256SUMS"

#: File suffix -> IANA media type, for the RO-Crate ``encodingFormat``.
MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".graphml": "application/graphml+xml",
    ".tsv": "text/tab-separated-values",
    ".csv": "text/csv",
    ".html": "text/html",
    ".yaml": "application/yaml",
    ".md": "text/markdown",
    ".json": "application/json",
    ".cff": "application/yaml",
    ".sh": "text/x-shellscript",
}

_VERSION = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})(?:\.([1-9]\d*))?")


def default_version(date: _dt.date) -> str:
    """The version of the first release on ``date``: ``2026.12.01``."""
    return date.strftime("%Y.%m.%d")


def check_version(version: str, date: _dt.date) -> str:
    """``version`` if it follows the scheme and names ``date``; else :class:`OptionError`."""
    m = _VERSION.fullmatch(version)
    if m is None:
        raise OptionError(
            f"release version '{version}' is not YYYY.MM.DD or YYYY.MM.DD.N (e.g. "
            f"{default_version(date)})"
        )
    if version.split(".")[:3] != default_version(date).split("."):
        raise OptionError(f"release version '{version}' does not name the release date {date}")
    return version


@dataclass(frozen=True)
class ReleaseInfo:
    """What names a release: its version, date, and the digest of the data it was built from."""

    version: str
    date: _dt.date
    data_digest: str
    previous: str | None = None


def changelog(diff: DataDiff | None, info: ReleaseInfo) -> str:
    """A claim-level changelog in Markdown: every relation (claim) and entity added, removed or
    changed since the previous release, with the evidence of added and removed claims."""
    lines = [f"# il2kg {info.version} ({info.date.isoformat()})", ""]
    if diff is None:
        lines += ["First release: no previous release to compare with.", ""]
        return "\n".join(lines)
    lines += [f"Compared with {info.previous}: {diff.summary()}.", ""]
    titles = {"added": "Added", "removed": "Removed", "changed": "Changed"}
    for kind, noun in (("relation", "claims"), ("entity", "entities")):
        for status in ("added", "removed", "changed"):
            items = [c for c in diff.changes if c.kind == kind and c.status == status]
            if not items:
                continue
            lines += [f"## {titles[status]} {noun} ({len(items)})", ""]
            lines += [_change_line(c) for c in items]
            lines.append("")
    if not diff.changes:
        lines += ["No entity or claim changed.", ""]
    return "\n".join(lines)


def _change_line(c: Change) -> str:
    line = f"- `{c.key}`"
    if c.status == "changed":
        return line + ": " + ", ".join(c.fields())
    item = c.after if c.status == "added" else c.before
    sources = [ev.get("source") or ev.get("name") or "" for ev in (item or {}).get("evidence", [])]
    return line + (f" ({'; '.join(sources)})" if sources else "")


def citation_cff(info: ReleaseInfo) -> str:
    """CITATION.cff (Citation File Format 1.2.0) of the release."""
    return (
        "cff-version: 1.2.0\n"
        'message: "If you use this data, please cite this release of il2kg as below."\n'
        "type: dataset\n"
        f'title: "{TITLE}"\n'
        f'version: "{info.version}"\n'
        f"date-released: {info.date.isoformat()}\n"
        "authors:\n"
        '  - name: "il2kg developers"\n'
        f"license: {DATA_LICENSE}\n"
        f'url: "{HOMEPAGE}"\n'
        'keywords: ["interleukin-2", "knowledge graph", "RDF", "immunology"]\n'
        f'abstract: "{DESCRIPTION}"\n'
        "identifiers:\n"
        "  - type: other\n"
        f'    value: "{info.data_digest}"\n'
        '    description: "SHA-256 of the sorted N-Triples of the graph"\n'
    )


def _media_type(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return MEDIA_TYPES.get(suffix, "application/octet-stream")


def ro_crate(
    files: Mapping[str, bytes], info: ReleaseInfo, later: tuple[str, ...] = ()
) -> dict[str, Any]:
    """RO-Crate 1.1 metadata (``ro-crate-metadata.json``) describing every file of the bundle
    (``later``: files written after it, such as the checksums, listed without size and hash)."""
    parts = sorted([*files, *later])
    graph: list[dict[str, Any]] = [
        {
            "@id": "ro-crate-metadata.json",
            "@type": "CreativeWork",
            "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
            "about": {"@id": "./"},
        },
        {
            "@id": "./",
            "@type": "Dataset",
            "name": TITLE,
            "description": DESCRIPTION,
            "version": info.version,
            "datePublished": info.date.isoformat(),
            "license": {"@id": LICENSE_URL},
            "author": {"@id": "#il2kg-developers"},
            "publisher": {"@id": "#il2kg-developers"},
            "identifier": info.data_digest,
            "keywords": "interleukin-2, knowledge graph, RDF, immunology",
            "hasPart": [{"@id": p} for p in parts],
        },
        {
            "@id": "#il2kg-developers",
            "@type": "Organization",
            "name": "il2kg developers",
            "url": HOMEPAGE,
        },
        {
            "@id": LICENSE_URL,
            "@type": "CreativeWork",
            "name": "Creative Commons Attribution 4.0 International",
            "identifier": DATA_LICENSE,
        },
    ]
    for p in parts:
        entity: dict[str, Any] = {"@id": p, "@type": "File", "name": p}
        entity["encodingFormat"] = "text/plain" if p == CHECKSUMS else _media_type(p)
        if p in files:
            entity["contentSize"] = str(len(files[p]))
            entity["sha256"] = hashlib.sha256(files[p]).hexdigest()
        graph.append(entity)
    return {"@context": "https://w3id.org/ro/crate/1.1/context", "@graph": graph}


def checksums(files: Mapping[str, bytes]) -> str:
    """``sha256sum -c`` input for every file: ``<hex>  <name>`` lines, sorted by name."""
    return "".join(f"{hashlib.sha256(files[n]).hexdigest()}  {n}\n" for n in sorted(files))


def bundle(
    exports: Mapping[str, bytes], info: ReleaseInfo, diff: DataDiff | None
) -> dict[str, bytes]:
    """Every file of the release: ``exports`` (paths relative to the bundle), the changelog
    (``CHANGELOG.md`` and ``changes.json``), ``CITATION.cff``, ``release.json``, the RO-Crate
    metadata, and ``SHA256SUMS`` over all of them but itself."""
    files = dict(exports)
    files["CHANGELOG.md"] = changelog(diff, info).encode()
    files["changes.json"] = (
        json.dumps(diff.to_json() if diff else None, indent=2, ensure_ascii=False) + "\n"
    ).encode()
    files["CITATION.cff"] = citation_cff(info).encode()
    files["release.json"] = (
        json.dumps(
            {
                "version": info.version,
                "date": info.date.isoformat(),
                "data_digest": info.data_digest,
                "previous": info.previous,
                "il2kg": __version__,
            },
            indent=2,
        )
        + "\n"
    ).encode()
    crate = ro_crate(files, info, later=(CHECKSUMS,))
    files["ro-crate-metadata.json"] = (
        json.dumps(crate, indent=2, ensure_ascii=False) + "\n"
    ).encode()
    files[CHECKSUMS] = checksums(files).encode()
    return files
