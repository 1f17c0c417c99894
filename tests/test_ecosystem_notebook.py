"""docs/python-api.ipynb runs top to bottom on a real Jupyter kernel (nbclient + ipykernel), and
what it shows is what the README promises: HTML tables, DataFrames, the explorer inline."""

from __future__ import annotations

from typing import Any

from .conftest import ROOT
from .test_ecosystem_support import module

NOTEBOOK = ROOT / "docs" / "python-api.ipynb"


def test_notebook_runs_on_a_real_kernel() -> None:
    nbformat: Any = module("nbformat", "pip install -e '.[test]'")
    module("nbclient", "pip install -e '.[test]'")
    module("ipykernel", "pip install -e '.[test]'")
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    outputs = {i: [o for o in c.outputs] for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    assert not [o for os_ in outputs.values() for o in os_ if o.output_type == "error"]

    def html_of(source_start: str) -> str:
        cell = next(
            c for c in nb.cells if c.cell_type == "code" and c.source.startswith(source_start)
        )
        data = [o.get("data", {}) for o in cell.outputs if o.output_type == "execute_result"]
        assert data, f"no result displayed for {source_start!r}"
        return str(data[0].get("text/html", ""))

    assert html_of('res = kg.named_query("kinases-of-receptor")').startswith(
        '<table class="il2kg-results"'
    )
    assert "kinase_label" in html_of("res.to_df(labels=True)")  # pandas' own HTML table
    assert html_of("found  #").startswith("<details")
    assert 'class="il2kg-card"' in html_of('kg.card("CD25")')
    assert html_of("kg.neighbors_df").startswith("<div>") or "<table" in html_of("kg.neighbors_df")
    assert html_of("from il2kg.explorer.page import explorer").startswith(
        '<iframe class="il2kg-explorer"'
    )
    dtypes = next(c for c in nb.cells if c.cell_type == "code" and ".dtypes" in c.source)
    text = dtypes.outputs[0]["data"]["text/plain"]
    assert "datetime64" in text
