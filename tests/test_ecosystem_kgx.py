"""KGX that round-trips: the Biolink mapping checked against the Biolink model that the
``biolink-model`` package ships, and the real ``kgx`` CLI (``kgx validate``, ``kgx transform``)
run offline on ``il2kg build --format kgx``.

kgx pins much of its stack, so it lives in a virtual environment of its own (.venv-kgx, made by
.ci/run). It fetches the Biolink model and JSON-LD contexts from the web at import; the shim
below points it at the files biolink-model and prefixcommons ship, and adds the local prefixes
the export declares in its ``context.jsonld`` to the prefixes kgx checks ids against.
"""

from __future__ import annotations

import csv
import importlib.resources
import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from il2kg import KnowledgeGraph
from il2kg.rdf.formats import BIOLINK_QUALIFIERS, KGX_LOCAL_PREFIXES, biolink_predicates

from .test_ecosystem_support import il2kg_command, kgx_python, module

SHIM = """
import importlib.resources as ir, json, os, sys, tempfile
import bmt.toolkit as T

LOCAL = str(ir.files("biolink_model") / "schema" / "biolink_model.yaml")
_orig = T.Toolkit.__init__

def _init(self, schema=LOCAL, predicate_map=None, *a, **k):
    if isinstance(schema, str) and schema.startswith("http"):
        schema = LOCAL
    if predicate_map is None or (isinstance(predicate_map, str) and predicate_map.startswith("http")):
        predicate_map = {"predicate mappings": []}
    _orig(self, schema, predicate_map, *a, **k)

T.Toolkit.__init__ = _init
import kgx.config as C

pm = json.load(open(ir.files("biolink_model") / "prefixmaps" / "biolink_model_prefix_map.json"))
if os.environ.get("IL2KG_KGX_CONTEXT"):
    pm.update(json.load(open(os.environ["IL2KG_KGX_CONTEXT"]))["@context"])
ctx = tempfile.NamedTemporaryFile("w", suffix=".jsonld", delete=False)
json.dump({"@context": pm}, ctx)
ctx.close()
cfg = C.get_config()
cfg["jsonld-context"]["biolink"] = ctx.name
reg = ir.files("prefixcommons") / "registry"
cfg["jsonld-context"]["monarch_context"] = str(reg / "monarch_context.jsonld")
cfg["jsonld-context"]["obo_context"] = str(reg / "obo_context.jsonld")
from kgx.cli import cli
sys.exit(cli())
"""


def biolink_model() -> dict[str, Any]:
    module("biolink_model", "pip install -e '.[test]'")
    import yaml

    path = importlib.resources.files("biolink_model") / "schema" / "biolink_model.yaml"
    model: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return model


def _snake(name: str) -> str:
    return name.replace(" ", "_")


@pytest.fixture(scope="module")
def model() -> dict[str, Any]:
    return biolink_model()


@pytest.fixture(scope="module")
def slots(model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {_snake(k): v or {} for k, v in model["slots"].items()}


def _ancestors(slots: dict[str, dict[str, Any]], name: str) -> list[str]:
    out = []
    while (parent := slots.get(name, {}).get("is_a")) is not None:
        name = _snake(parent)
        out.append(name)
    return out


def test_every_curated_predicate_has_a_biolink_predicate(
    shipped_kg: KnowledgeGraph, slots: dict[str, dict[str, Any]]
) -> None:
    mapping = biolink_predicates()
    assert set(mapping) == set(shipped_kg.vocabulary.predicates)
    for pred, (biolink, how) in mapping.items():
        name = biolink.removeprefix("biolink:")
        assert name in slots, f"{pred}: {biolink} is not a slot of Biolink"
        assert "related_to" in _ancestors(slots, name), f"{pred}: {biolink} is not a predicate"
        assert not slots[name].get("deprecated"), f"{pred}: {biolink} is deprecated"
        assert how in ("exactMatch", "closeMatch", "broadMatch"), pred
        assert name != "related_to", f"{pred}: no more specific predicate than related_to"


def test_qualifiers_are_biolink_qualifier_slots_with_permitted_values(
    model: dict[str, Any], slots: dict[str, dict[str, Any]]
) -> None:
    enums = model["enums"]
    for pred, quals in BIOLINK_QUALIFIERS.items():
        for slot, value in quals.items():
            assert slot in slots, f"{pred}: {slot} is not a Biolink slot"
            rng = slots[slot].get("range")
            if rng in enums:
                assert value in enums[rng]["permissible_values"], f"{pred}: {slot}={value}"
            else:
                assert value.removeprefix("biolink:") in slots, f"{pred}: {value}"


@pytest.fixture(scope="module")
def kgx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kgx") / "kgx"
    done = subprocess.run(
        [*il2kg_command(), "build", "--format", "kgx", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return out


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_export_columns(kgx_dir: Path, shipped_kg: KnowledgeGraph) -> None:
    edges = _tsv(kgx_dir / "edges.tsv")
    assert len(edges) == len(shipped_kg.dataset.relations)
    assert {e["negated"] for e in edges} == {"True", ""}  # never the string "false"
    assert sum(e["negated"] == "True" for e in edges) == sum(
        r.negated for r in shipped_kg.dataset.relations
    )
    assert all(e["primary_knowledge_source"] == "infores:il2kg" for e in edges)
    assert all(e["publications"] or e["il2kg_named_sources"] for e in edges)
    related = sum(e["predicate"] == "biolink:related_to" for e in edges)
    assert related == 0
    assert any(e["object_aspect_qualifier"] == "phosphorylation" for e in edges)
    assert any(e["species_context_qualifier"].startswith("NCBITaxon:") for e in edges)
    ids = Counter(e["id"] for e in edges)
    assert max(ids.values()) == 1
    context = json.loads((kgx_dir / "context.jsonld").read_text())["@context"]
    assert KGX_LOCAL_PREFIXES.items() <= context.items()
    prefixes = {n["id"].split(":")[0] for n in _tsv(kgx_dir / "nodes.tsv")}
    assert not prefixes & {"DrugBank", "Reactome", "WP"}  # spelt as Biolink spells them


def kgx(
    tmp: Path, kgx_dir: Path, *args: str, context: bool = True
) -> subprocess.CompletedProcess[str]:
    python = kgx_python()
    shim = tmp / "kgx_offline.py"
    shim.write_text(SHIM)
    env = dict(os.environ)
    env.pop("IL2KG_KGX_CONTEXT", None)
    if context:
        env["IL2KG_KGX_CONTEXT"] = str(kgx_dir / "context.jsonld")
    return subprocess.run(
        [python, str(shim), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp,
    )


def test_kgx_validate_reports_no_errors(kgx_dir: Path, tmp_path: Path) -> None:
    inputs = [str(kgx_dir / "nodes.tsv"), str(kgx_dir / "edges.tsv")]
    done = kgx(tmp_path, kgx_dir, "validate", "-i", "tsv", "-o", "report.json", *inputs)
    report = (tmp_path / "report.json").read_text() if (tmp_path / "report.json").exists() else ""
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + report[:3000]
    assert json.loads(report or "{}") == {}
    # the validator does check ids: without the declared local prefixes it fails
    bare = kgx(tmp_path, kgx_dir, "validate", "-i", "tsv", *inputs, context=False)
    assert bare.returncode == 1
    assert "IL2KG" in bare.stdout + bare.stderr


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_kgx_transform_keeps_every_edge_predicate_and_negation(
    kgx_dir: Path, tmp_path: Path
) -> None:
    inputs = [str(kgx_dir / "nodes.tsv"), str(kgx_dir / "edges.tsv")]
    edges = _tsv(kgx_dir / "edges.tsv")
    before = {
        e["id"]: (e["subject"], e["predicate"], e["object"], e["negated"] == "True") for e in edges
    }

    # streamed (record by record): every edge comes out as it went in
    done = kgx(
        tmp_path, kgx_dir, "transform", "--stream", "-i", "tsv", "-f", "jsonl", "-o", "s", *inputs
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = _jsonl(tmp_path / "s_edges.jsonl")
    after = {
        e["id"]: (e["subject"], e["predicate"], e["object"], e.get("negated") is True) for e in out
    }
    assert len(out) == len(edges) and after == before
    assert len(_jsonl(tmp_path / "s_nodes.jsonl")) == len(_tsv(kgx_dir / "nodes.tsv"))

    # in memory (kgx's default): kgx keys an edge by subject-predicate-object, so only edges
    # sharing all three merge: the same curated predicate in two contexts, or a claim and its
    # negation in one context. Every other edge keeps its predicate and negation.
    done = kgx(tmp_path, kgx_dir, "transform", "-i", "tsv", "-f", "jsonl", "-o", "g", *inputs)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    merged = _jsonl(tmp_path / "g_edges.jsonl")
    keys = Counter((s, p, o) for s, p, o, _ in before.values())
    assert len(merged) == len(keys)
    single = {k for k, n in keys.items() if n == 1}
    kept = {
        e["id"]: before[e["id"]]
        for e in merged
        if (e["subject"], e["predicate"], e["object"]) in single
    }
    assert all(
        (e["subject"], e["predicate"], e["object"], e.get("negated") is True) == kept[e["id"]]
        for e in merged
        if e["id"] in kept
    )
    assert len(kept) == len(single)
    shared = [k for k, n in keys.items() if n > 1]
    # few merge (docs/ecosystems.md says which kinds and why); --stream above keeps them all
    assert len(shared) <= 0.03 * len(keys), shared
