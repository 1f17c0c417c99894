"""The docs stay true: the cookbook shows each named query's current answer."""

from __future__ import annotations

import re

import pytest

from il2kg.query.catalogue import get_named_query, named_queries

from .conftest import ROOT

COOKBOOK = (ROOT / "docs" / "queries.md").read_text()


def _section(name: str) -> str:
    """The answer shown under the query's heading (up to the next heading)."""
    m = re.search(rf"`il2kg query {re.escape(name)}`(.*?)(?:\n### |\Z)", COOKBOOK, re.S)
    assert m, f"docs/queries.md has no section for {name}"
    block = re.search(r"```text\n(.*?)```", m.group(1), re.S)
    return block.group(1) if block else m.group(1)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_cookbook_answer_matches_the_expected_answer(name: str) -> None:
    q = get_named_query(name)
    block = _section(name)
    lines = [line for line in block.splitlines()[2:] if line.strip()]
    if q.expect_boolean is not None:
        assert str(q.expect_boolean).lower() in block
        return
    assert len(lines) == len(q.expect), (
        f"{name}: {len(lines)} rows in the docs, {len(q.expect)} expected"
    )
    for row in q.expect:
        for value in row:
            if value and ":" in value:
                assert value in block, f"{name}: docs/queries.md lacks {value}"


def test_security_md_names_only_tests_that_exist() -> None:
    """Every promise of SECURITY.md maps to tests; a renamed or removed test must fail here."""
    import re

    from .conftest import ROOT

    text = (ROOT / "SECURITY.md").read_text()
    files = set(re.findall(r"tests/(test_[a-z_]+)\.py", text))
    assert files and all((ROOT / "tests" / f"{f}.py").exists() for f in files)
    source = "".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    named = set(re.findall(r"::(test_[a-z0-9_]+)", text))
    assert len(named) > 40
    assert sorted(n for n in named if f"def {n}(" not in source) == []
