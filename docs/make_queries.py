"""Refresh the answers of named queries on the shipped data: the ``# expect:`` lines of their
``.rq`` files and their blocks in docs/queries.md (what tests/test_queries.py and tests/test_docs.py
check). Run it after a curation change, then READ the diff: an answer that changed must be the
right answer (the header lines are the test oracle).

    python docs/make_queries.py NAME [NAME ...]     # the queries whose answer changed
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import replace
from pathlib import Path

from il2kg import KnowledgeGraph
from il2kg.query.catalogue import get_named_query
from il2kg.query.results import to_table

ROOT = Path(__file__).resolve().parent.parent
COOKBOOK = ROOT / "docs" / "queries.md"


def refresh(kg: KnowledgeGraph, name: str) -> None:
    nq = get_named_query(name)
    if nq.expect_boolean is not None or nq.path is None:
        return
    res = kg.named_query(name, timeout=60)
    idx = [res.variables.index(c) for c in nq.expect_columns]
    rows = sorted(
        {tuple(r[i] for i in idx) for r in res.rows},
        key=lambda r: [t.curie() if t else "" for t in r],
    )
    # the .rq header: one expect line per distinct projected row
    words = [" ".join(shlex.quote(t.curie() if t else "") for t in r) for r in rows]
    text = nq.path.read_text(encoding="utf-8")
    head, _, body = text.partition("\nSELECT") if "\nSELECT" in text else (text, "", "")
    lines = [ln for ln in head.splitlines() if not ln.startswith("# expect: ")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("# expect-columns:")) + 1
    lines[at:at] = [f"# expect: {w}" for w in words]
    nq.path.write_text("\n".join(lines) + ("\nSELECT" + body if body else "\n"), encoding="utf-8")
    # the cookbook block: the projected answer as the table format prints it
    shown = replace(res, variables=tuple(nq.expect_columns), rows=tuple(rows), total=len(rows))
    table = to_table(shown, labels=True).rstrip("\n") + "\n"
    doc = COOKBOOK.read_text(encoding="utf-8")
    m = re.search(rf"`il2kg query {re.escape(name)}`(.*?)(?=\n### |\Z)", doc, re.S)
    assert m, f"docs/queries.md has no section for {name}"
    section = re.sub(
        r"```text\n.*?```", lambda _: f"```text\n{table}```", m.group(1), count=1, flags=re.S
    )
    section = re.sub(
        r"\((\d+) rows?;", f"({len(rows)} row{'s' if len(rows) != 1 else ''};", section, count=1
    )
    COOKBOOK.write_text(doc[: m.start(1)] + section + doc[m.end(1) :], encoding="utf-8")
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    kg = KnowledgeGraph()
    for name in sys.argv[1:]:
        refresh(kg, name)


if __name__ == "__main__":
    main()
