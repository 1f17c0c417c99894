"""pandas and notebook displays: ``to_df()`` dtypes on the fixture KB, the neighbourhood and path
frames, the clear error without pandas, and ``_repr_html_`` escaping everything it shows."""

from __future__ import annotations

import html
import subprocess
import sys
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.curate.card import EntityCard
from il2kg.paths.results import Hop, Path, PathResult
from il2kg.query.results import Results, Term

from .conftest import FIXTURE_KB
from .test_ecosystem_support import module

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def pd() -> Any:
    return module("pandas", "pip install -e '.[pandas]'")


def test_to_df_types_numbers_and_iris(pd: Any, fixture_kg: KnowledgeGraph) -> None:
    df = fixture_kg.named_query("receptor-affinities").to_df(labels=True)
    assert list(df.columns) == ["complex", "complex_label", "comparator", "kd", "unit", "sources"]
    assert df["kd"].dtype == "float64"
    assert pd.api.types.is_string_dtype(df["complex"]) and pd.api.types.is_string_dtype(df["unit"])
    assert df["complex"].str.startswith("IL2KG:").all()
    assert set(df["complex_label"]) <= set(fixture_kg.labels.values())
    res = fixture_kg.named_query("receptor-affinities")
    pd.testing.assert_series_equal(
        df["kd"], pd.Series([float(x) for x in res.column("kd")], name="kd", dtype="float64")
    )


def test_to_df_types_dates(pd: Any, fixture_kg: KnowledgeGraph) -> None:
    df = fixture_kg.named_query("approvals-timeline").to_df()
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["date"].iloc[0] == pd.Timestamp("1992-05-05")
    assert "event_label" not in df.columns  # labels only where asked


def test_to_df_partial_dates_integers_booleans_and_gaps(pd: Any) -> None:
    rows = (
        (Term.literal("1998-01", XSD + "gYearMonth"), Term.literal("3", XSD + "integer"), None),
        (Term.literal("1999", XSD + "gYear"), None, Term.literal("1", XSD + "boolean")),
        (
            Term.literal("2024-02-16", XSD + "date"),
            Term.literal("7", XSD + "int"),
            Term.literal("false", XSD + "boolean"),
        ),
    )
    res = Results("SELECT", ("when", "n", "ok"), rows, total=3)
    df = res.to_df()
    expected = pd.DataFrame(
        {
            "when": pd.to_datetime(["1998-01-01", "1999-01-01", "2024-02-16"]),
            "n": pd.array([3, None, 7], dtype="Int64"),
            "ok": pd.array([None, True, False], dtype="boolean"),
        }
    )
    pd.testing.assert_frame_equal(df, expected, check_dtype=False)
    assert str(df["n"].dtype) == "Int64" and str(df["ok"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(df["when"])


def test_to_df_labels_of_chosen_columns_and_errors(pd: Any, fixture_kg: KnowledgeGraph) -> None:
    res = fixture_kg.named_query("kinases-of-receptor")
    df = res.to_df(labels=["kinase"])
    assert list(df.columns) == ["kinase", "kinase_label", "chain", "complex", "sources"]
    assert list(df["kinase_label"]) == ["JAK1", "JAK3"]
    from il2kg import OutputError

    with pytest.raises(OutputError, match="no column nope"):
        res.to_df(labels=["nope"])


def test_to_df_of_ask_and_construct(pd: Any, fixture_kg: KnowledgeGraph) -> None:
    ask = fixture_kg.query("ASK { HGNC:6001 rdfs:label ?l }")
    assert ask.to_df()["boolean"].tolist() == [True]
    g = fixture_kg.query("CONSTRUCT WHERE { HGNC:6001 rdfs:label ?l }")
    assert g.to_df().values.tolist() == [["HGNC:6001", "rdfs:label", "IL2"]]


def test_paths_and_neighbours_as_frames(pd: Any, fixture_kg: KnowledgeGraph) -> None:
    res = fixture_kg.paths("IL-2", "STAT5A", k=2, directed=False)
    df = res.to_df(fixture_kg.labels)
    assert str(df["path"].dtype) == "Int64" and df["cost"].dtype == "float64"
    assert len(df) == sum(p.length for p in res.paths)
    assert df["source_label"].iloc[0] == "IL2"
    assert list(df[df["path"] == 1]["hop"]) == list(range(1, res.paths[0].length + 1))
    nb = fixture_kg.neighbors_df("JAK1", depth=2)
    assert str(nb["distance"].dtype) == "Int64"
    assert set(nb["id"]) == {n.id for n in fixture_kg.neighbors("JAK1", depth=2)}
    assert {"via", "via_label", "predicate", "statement", "sources"} <= set(nb.columns)


def test_without_pandas_the_error_says_how_to_install_it() -> None:
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "from il2kg import KnowledgeGraph\n"
        f"kg = KnowledgeGraph({str(FIXTURE_KB)!r})\n"
        "for f in (lambda: kg.named_query('kinases-of-receptor').to_df(),\n"
        "          lambda: kg.neighbors_df('JAK1')):\n"
        "    try:\n"
        "        f()\n"
        "    except ImportError as e:\n"
        "        print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()
        == ["to_df() needs pandas, an optional extra: pip install 'il2kg[pandas]'"] * 2
    )


EVIL = '<script>alert("x")</script>&'


def _hop() -> Hop:
    return Hop(EVIL, "B", "binds", "forward", EVIL, "binds", "B", "s1", "verified", (EVIL,))


def test_repr_html_escapes_results() -> None:
    res = Results(
        "SELECT",
        ("x", "y"),
        ((Term.iri("https://example.org/<a>"), Term.literal(EVIL)),),
        total=1,
        labels={"https://example.org/<a>": EVIL},
    )
    out = res._repr_html_()
    assert "<script>" not in out and html.escape(EVIL) in out.replace("&#x27;", "'")
    assert out.startswith("<table") and "1 row" in out


def test_repr_html_escapes_paths_and_cards(fixture_kg: KnowledgeGraph) -> None:
    p = Path((EVIL, "B"), (_hop(),), 1.0)
    for out in (p._repr_html_(), PathResult((p,), truncated=EVIL)._repr_html_()):
        assert "<script>" not in out and "&lt;script&gt;" in out
    card = fixture_kg.card("IL-2")
    out = card._repr_html_()
    assert card.label in out and "outgoing relations" in out
    evil = EntityCard(EVIL, EVIL, EVIL, EVIL, (EVIL,), (EVIL,), EVIL, {EVIL: EVIL}, {}, {}, EVIL)
    assert "<script>" not in evil._repr_html_()


def test_explorer_repr_is_a_sandboxed_srcdoc_iframe(fixture_kg: KnowledgeGraph) -> None:
    from il2kg.explorer.page import explorer

    page = explorer(fixture_kg, focus="IL-2")
    out = page._repr_html_()
    assert out.startswith('<iframe class="il2kg-explorer"') and 'sandbox="allow-scripts"' in out
    src = out.split('srcdoc="', 1)[1].rsplit('"></iframe>', 1)[0]
    assert '"' not in src and html.unescape(src) == page.html
    assert len(repr(page)) < 200


def test_explorer_iframe_runs_inside_a_host_page(fixture_kg: KnowledgeGraph, tmp_path: Any) -> None:
    """What a notebook does with ``_repr_html_``: the page inside a host page, in Chromium."""
    module("playwright", "pip install -e '.[test]'")
    from pathlib import Path as FsPath

    from playwright.sync_api import sync_playwright

    from il2kg.explorer.page import explorer

    from .test_html import CHROMIUM, CHROMIUM_ARGS

    if not FsPath(CHROMIUM).exists():
        from .test_ecosystem_support import need

        need(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    host = tmp_path / "notebook.html"
    page_html = explorer(fixture_kg, focus="IL-2")._repr_html_()
    host.write_text(f"<!doctype html><html><body><h1>cell output</h1>{page_html}</body></html>")
    requests: list[str] = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = b.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.goto(host.as_uri())
            frame = page.frame_locator("iframe.il2kg-explorer")
            frame.locator("body[data-ready=true]").wait_for(timeout=20_000)
            assert frame.locator("canvas").count() >= 1
        finally:
            b.close()
    assert [u for u in requests if not u.startswith(("file:", "about:", "data:"))] == []
