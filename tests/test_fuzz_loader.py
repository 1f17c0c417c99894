"""Property-based fuzzing of the loader: any input ends in a dataset or a DataError."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from il2kg import DataError, KnowledgeGraph
from il2kg.curate.canonical import canonical_text
from il2kg.dataset.read import read_dataset

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "HGNC:6001",
            "CL:0000815",
            "binds",
            "verified",
            "NO",
            "1983",
            "IL2KG:x",
            "Cytokine",
            "PMID:1",
            "<script>alert(1)</script>",
            "~",
            "*a",
            "&a",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "label",
                    "subject",
                    "predicate",
                    "object",
                    "evidence",
                    "source",
                    "status",
                    "qualifiers",
                    "x",
                ]
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)
documents = st.dictionaries(
    st.sampled_from(["entities", "relations", "other"]), st.lists(values, max_size=4), max_size=3
)


def _load(text: str | bytes) -> Any:
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "data"
        data.mkdir()
        p = data / "f.yaml"
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        try:
            return KnowledgeGraph(data, use_cache=False).validate(shacl=False)
        except DataError as exc:
            assert exc.problems, "a DataError must carry problems"
            for prob in exc.problems:
                assert prob.file == "data/f.yaml" and prob.line >= 1 and prob.column >= 1
            return exc


@SETTINGS
@given(documents)
def test_structured_documents(doc: dict[str, Any]) -> None:
    _load(yaml.safe_dump(doc, allow_unicode=True))


@SETTINGS
@given(st.text(max_size=300))
def test_arbitrary_text(text: str) -> None:
    _load(text)


@SETTINGS
@given(st.binary(max_size=200))
def test_arbitrary_bytes(raw: bytes) -> None:
    _load(raw)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list(" \t\n-:{}[],&*!|>'\"#%@`abc01")), max_size=120))
def test_yaml_punctuation_soup(text: str) -> None:
    _load(text)


printable = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
labels = st.text(printable, min_size=1, max_size=30).filter(lambda s: s.strip() == s and s.strip())


@settings(max_examples=60, deadline=None)
@given(st.lists(labels, min_size=1, max_size=5, unique=True), labels)
def test_canonical_round_trip(synonyms: list[str], label: str) -> None:
    """Writing a valid dataset in canonical form and reading it back gives the same data."""
    from il2kg.dataset.model import Entity

    syns = list(dict.fromkeys(s for s in synonyms if s.casefold() != label.casefold()))
    syns = [s for i, s in enumerate(syns) if s.casefold() not in {x.casefold() for x in syns[:i]}]
    ent = Entity(id="HGNC:6001", type="Cytokine", label=label, synonyms=syns)
    text = canonical_text([ent], [])
    with tempfile.TemporaryDirectory() as d:
        data = Path(d) / "data"
        data.mkdir()
        (data / "f.yaml").write_text(text, encoding="utf-8")
        ds, problems = read_dataset(data)
        assert problems == []
        assert ds.entities["HGNC:6001"] == ent
