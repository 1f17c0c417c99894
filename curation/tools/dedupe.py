"""Merge what several curators added in parallel: one definition per reference and entity, one
relation per key (their evidence merged). Run from the repository root, then `il2kg format`.

- a reference or entity defined in several files is kept where it is first defined (files in path
  order, data/references.yaml first); a later definition is dropped, its fields reported when they
  differ so a curator can reconcile them;
- relations with the same subject, predicate, object, negation and qualifiers are merged into the
  first one: evidence items are unioned by source (the strongest status kept for a source cited
  twice), quantities unioned, comments joined.
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RANK = {"verified": 0, "expert_knowledge": 1, "unverified": 2}


def _key(rel: dict[str, Any]) -> tuple[str, ...]:
    q = rel.get("qualifiers") or {}
    return (
        rel["subject"],
        rel["predicate"],
        rel["object"],
        str(bool(rel.get("negated", False))),
        *sorted(f"{k}={v}" for k, v in q.items() if v is not None),
    )


def main() -> int:
    files = sorted(glob.glob(str(ROOT / "data/*.yaml")))
    files.sort(key=lambda f: (Path(f).name != "references.yaml", f))
    docs = {f: yaml.safe_load(Path(f).read_text()) or {} for f in files}
    # a record whose id another record lists as an xref is the same work: cite the other (a PMID
    # is preferred to a DOI) and drop it
    alias: dict[str, str] = {}
    for doc in docs.values():
        for ref in doc.get("references") or []:
            for x in ref.get("xrefs") or []:
                alias.setdefault(x, ref["id"])
    for f, doc in docs.items():
        refs = doc.get("references")
        if refs is not None and any(r["id"] in alias for r in refs):
            doc["references"] = [r for r in refs if r["id"] not in alias]
        for rel in doc.get("relations") or []:
            for ev in rel["evidence"]:
                if ev["source"] in alias:
                    print(f"evidence {ev['source']} -> {alias[ev['source']]} ({Path(f).name})")
                    ev["source"] = alias[ev["source"]]
    seen_ref: dict[str, tuple[str, dict[str, Any]]] = {}
    seen_ent: dict[str, tuple[str, dict[str, Any]]] = {}
    seen_rel: dict[tuple[str, ...], dict[str, Any]] = {}
    changed: set[str] = set()
    for f, doc in docs.items():
        for kind, seen in (("references", seen_ref), ("entities", seen_ent)):
            kept = []
            for item in doc.get(kind) or []:
                first = seen.get(item["id"])
                if first is None:
                    seen[item["id"]] = (f, item)
                    kept.append(item)
                    continue
                changed.add(f)
                if first[1] != item:
                    diff = {k: item.get(k) for k in item if first[1].get(k) != item.get(k)}
                    print(f"{kind[:-1]} {item['id']}: kept {Path(first[0]).name}, dropped {Path(f).name} {diff}")
            if doc.get(kind) is not None:
                doc[kind] = kept
        kept_rels = []
        for rel in doc.get("relations") or []:
            first = seen_rel.get(_key(rel))
            if first is None:
                seen_rel[_key(rel)] = rel
                kept_rels.append(rel)
                continue
            changed.add(f)
            by_source = {e["source"]: e for e in first["evidence"]}
            for ev in rel["evidence"]:
                old = by_source.get(ev["source"])
                if old is None:
                    first["evidence"].append(ev)
                elif RANK[ev["status"]] < RANK[old["status"]]:
                    old.update(ev)
            for q in rel.get("quantities") or []:
                if q not in first.setdefault("quantities", []):
                    first["quantities"].append(q)
            if rel.get("comment") and rel["comment"] != first.get("comment"):
                first["comment"] = "; ".join(c for c in (first.get("comment"), rel["comment"]) if c)
            for k in ("direct", "via"):
                if k in rel and k not in first:
                    first[k] = rel[k]
            print(f"relation {' '.join(_key(rel)[:3])}: merged into its first definition")
        if doc.get("relations") is not None:
            doc["relations"] = kept_rels
    # a relation kept in file A may have received evidence from file B: A changed too
    for f, doc in docs.items():
        if any(r is seen_rel.get(_key(r)) for r in doc.get("relations") or []):
            changed.add(f)
    for f in sorted(changed):
        Path(f).write_text(yaml.safe_dump(docs[f], sort_keys=False, allow_unicode=True, width=100))
    print(f"{len(changed)} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
