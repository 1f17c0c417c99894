"""Generate a synthetic il2kg knowledge base in the curators' YAML format.

The knowledge base is random but valid under ``il2kg validate`` (identifier syntax, references,
domain/range, no duplicate or contradictory relations) and shaped like the real data: hub-heavy
degree distribution, about one relation in ten negated, some qualifiers and quantities, one or
two evidence items per relation drawn from a shared pool of publications. At 10^5 relations the
built graph has about 1.2 million triples.

Usage::

    python bench/make_synthetic.py OUT_DIR --relations 100000 [--seed 1] [--entities N]

The output is deterministic for a given ``--relations`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: (entity type, share of the entities, id maker from a running number)
_POOLS: list[tuple[str, float, Callable[[int], str]]] = [
    ("Cytokine", 0.06, lambda n: f"HGNC:{10_000 + n}"),
    ("ReceptorChain", 0.10, lambda n: f"HGNC:{200_000 + n}"),
    ("Kinase", 0.06, lambda n: f"HGNC:{400_000 + n}"),
    ("STAT", 0.04, lambda n: f"HGNC:{600_000 + n}"),
    ("ReceptorComplex", 0.06, lambda n: f"IL2KG:RC_{n}"),
    ("CellType", 0.12, lambda n: f"CL:{1_000_000 + n:07d}"),
    ("Disease", 0.10, lambda n: f"MONDO:{1_000_000 + n:07d}"),
    ("RecombinantCytokine", 0.08, lambda n: f"DrugBank:DB{n + 10_000:05d}"),
    ("ClinicalTrial", 0.10, lambda n: f"NCT:NCT{10_000_000 + n:08d}"),
    ("SignalingPathway", 0.05, lambda n: f"IL2KG:PW_{n}"),
    ("AdverseEvent", 0.05, lambda n: f"IL2KG:AE_{n}"),
    ("BiologicalProcess", 0.06, lambda n: f"GO:{1_000_000 + n:07d}"),
    ("TherapyRegimen", 0.04, lambda n: f"IL2KG:REG_{n}"),
    ("TimelineEvent", 0.08, lambda n: f"IL2KG:EV_{n}"),
]

#: (subject type, predicate, object type, weight); every rule fits the ontology's domain/range
#: (checked against the vocabulary by the test in tests/test_store.py and by --check).
RULES: list[tuple[str, str, str, float]] = [
    ("Cytokine", "binds", "ReceptorComplex", 3),
    ("Cytokine", "binds", "ReceptorChain", 2),
    ("ReceptorChain", "part_of", "ReceptorComplex", 3),
    ("Kinase", "associates_with", "ReceptorChain", 2),
    ("Kinase", "phosphorylates", "STAT", 2),
    ("STAT", "participates_in", "SignalingPathway", 1),
    ("STAT", "increases_expression_of", "ReceptorChain", 1),
    ("ReceptorChain", "expressed_in", "CellType", 3),
    ("Cytokine", "produced_by", "CellType", 2),
    ("Cytokine", "expands", "CellType", 2),
    ("Cytokine", "promotes", "BiologicalProcess", 1),
    ("CellType", "subtype_of", "CellType", 1),
    ("RecombinantCytokine", "derived_from", "Cytokine", 1),
    ("RecombinantCytokine", "expands", "CellType", 2),
    ("RecombinantCytokine", "targets", "ReceptorChain", 1),
    ("RecombinantCytokine", "approved_for", "Disease", 1),
    ("RecombinantCytokine", "indicated_for", "Disease", 1),
    ("RecombinantCytokine", "evaluated_in", "ClinicalTrial", 3),
    ("RecombinantCytokine", "has_adverse_event", "AdverseEvent", 2),
    ("ClinicalTrial", "studies_condition", "Disease", 2),
    ("TimelineEvent", "concerns", "RecombinantCytokine", 1),
    ("TimelineEvent", "concerns", "Cytokine", 1),
]

_STATUSES = ["verified"] * 6 + ["expert_knowledge"] * 2 + ["unverified"] * 2
_EVENT_TYPES = ["discovery", "cloning", "structure", "clinical_first", "trial_result", "approval"]
_ROUTES = ["intravenous", "subcutaneous", "intralesional"]
_KINDS = [
    ("dissociation_constant", "nM"),
    ("objective_response_rate", "%"),
    ("median_overall_survival", "month"),
    ("dose", "MIU/m2/day"),
    ("sample_size", "patients"),
]
#: web pages, cited beside a paper only (never the support of a claim on their own)
_NAMED_SOURCES = [f"REF:SyntheticPage{i}" for i in range(50)]
_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "signalling",
    "receptor",
    "ligand",
    "kinase",
    "factor",
    "cell",
]

RELATIONS_PER_FILE = 5_000
ENTITIES_PER_FILE = 5_000


@dataclass(frozen=True)
class Sizes:
    """What was generated."""

    entities: int
    relations: int
    files: int


def _skewed(rng: random.Random, n: int) -> int:
    """An index in [0, n) biased towards 0, so a few entities become hubs."""
    return min(n - 1, int(n * rng.random() ** 2.5))


def _entity(rng: random.Random, etype: str, eid: str, n: int) -> dict[str, Any]:
    label = f"{etype} {n} {rng.choice(_WORDS)}"
    e: dict[str, Any] = {"id": eid, "type": etype, "label": label}
    if rng.random() < 0.5:
        e["synonyms"] = [f"{etype[:3].upper()}-{n}", f"syn {n} {rng.choice(_WORDS)}"]
    if rng.random() < 0.3:
        e["description"] = f"A synthetic {etype.lower()} used for benchmarks ({n})."
    if etype == "TimelineEvent":
        year = 1960 + n % 60
        e["date"] = f"{year}-{1 + n % 12:02d}" if n % 3 else f"{year}"
        e["event_type"] = rng.choice(_EVENT_TYPES)
    if etype == "TherapyRegimen":
        e["route"] = rng.choice(_ROUTES)
        e["dose"] = f"{1 + n % 20} MIU/m2 per day for {1 + n % 5} days"
    if etype == "ClinicalTrial":
        e["trial_phase"] = rng.choice(["1", "2", "1/2", "3"])
    return e


def generate(
    n_relations: int, seed: int = 1, n_entities: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Entities and relations (as YAML-ready dicts) of a synthetic KB with ``n_relations``.

    ``n_entities`` defaults to a quarter of the relations.
    """
    rng = random.Random(seed)
    if n_entities is None:
        n_entities = max(len(_POOLS) * 4, n_relations // 4)
    pools: dict[str, list[str]] = {}
    entities: list[dict[str, Any]] = []
    for etype, share, make in _POOLS:
        count = max(4, int(n_entities * share))
        ids = [make(i) for i in range(count)]
        rng.shuffle(ids)  # hubs are not simply the first ids
        pools[etype] = ids
        entities.extend(_entity(rng, etype, eid, i) for i, eid in enumerate(ids))

    n_publications = max(20, n_relations // 5)
    rules = RULES
    weights = [w for *_, w in rules]
    seen: set[tuple[str, ...]] = set()
    relations: list[dict[str, Any]] = []
    # the shapes require every timeline event to concern something: one such relation each
    forced = [(ev, "RecombinantCytokine") for ev in pools["TimelineEvent"]]
    while len(relations) < n_relations:
        if forced:
            s, otype = forced.pop()
            stype, pred = "TimelineEvent", "concerns"
        else:
            stype, pred, otype, _ = rng.choices(rules, weights)[0]
            s = pools[stype][_skewed(rng, len(pools[stype]))]
        o = pools[otype][_skewed(rng, len(pools[otype]))]
        if s == o:
            continue
        rel: dict[str, Any] = {"subject": s, "predicate": pred, "object": o}
        quals: dict[str, Any] = {}
        r = rng.random()
        if r < 0.10:
            quals["cell_type"] = pools["CellType"][_skewed(rng, len(pools["CellType"]))]
        elif r < 0.15:
            quals["species"] = rng.choice(["NCBITaxon:9606", "NCBITaxon:10090"])
        elif r < 0.18 and stype == "RecombinantCytokine":
            quals["regimen"] = pools["TherapyRegimen"][rng.randrange(len(pools["TherapyRegimen"]))]
        if pred in ("indicated_for", "approved_for"):  # labelled use names its agency and year
            quals["agency"], quals["year"] = "FDA", 1990 + len(relations) % 30
        key = (s, pred, o, *sorted(f"{k}={v}" for k, v in quals.items()))
        if key in seen:  # neither a duplicate nor the negation of an existing relation
            continue
        seen.add(key)
        if rng.random() < 0.10 and stype != "TimelineEvent":
            rel["negated"] = True
        if quals:
            rel["qualifiers"] = quals
        if rng.random() < 0.10:
            kind, unit = rng.choice(_KINDS)
            rel["quantities"] = [
                {"kind": kind, "value": round(rng.uniform(0.1, 100.0), 2), "unit": unit}
            ]
        evidence = []
        pmids = rng.sample(range(n_publications), 2 if rng.random() < 0.15 else 1)
        for p in pmids:
            ev: dict[str, Any] = {
                "source": f"PMID:{1_000_000 + p}",
                "status": rng.choice(_STATUSES),
            }
            if rng.random() < 0.2:
                ev["note"] = f"synthetic evidence note {p}"
            evidence.append(ev)
        if rng.random() < 0.03:
            evidence.append({"source": rng.choice(_NAMED_SOURCES), "status": "unverified"})
        rel["evidence"] = evidence
        relations.append(rel)
    return entities, relations


def _chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _write(path: Path, key: str, items: list[dict[str, Any]]) -> None:
    # JSON flow mappings are valid YAML and far faster to write than yaml.dump
    lines = [f"# synthetic il2kg benchmark data (bench/make_synthetic.py)\n{key}:\n"]
    lines.extend(f"  - {json.dumps(item, ensure_ascii=False)}\n" for item in items)
    path.write_text("".join(lines), encoding="utf-8")


def write_kb(
    out_dir: Path, n_relations: int, seed: int = 1, n_entities: int | None = None
) -> Sizes:
    """Write a synthetic KB with ``n_relations`` into ``out_dir`` (replaced if it exists)."""
    entities, relations = generate(n_relations, seed, n_entities)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    files = 0
    for i, chunk in enumerate(_chunks(entities, ENTITIES_PER_FILE)):
        _write(out_dir / f"entities-{i:03d}.yaml", "entities", chunk)
        files += 1
    for i, chunk in enumerate(_chunks(relations, RELATIONS_PER_FILE)):
        _write(out_dir / f"relations-{i:03d}.yaml", "relations", chunk)
        files += 1
    _write(out_dir / "references.yaml", "references", _references(relations))
    files += 1
    return Sizes(len(entities), len(relations), files)


def _references(relations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A registry record for every work the relations cite (synthetic titles, plausible years)."""
    cited = sorted({ev["source"] for rel in relations for ev in rel["evidence"]})
    out = []
    for src in cited:
        n = int("".join(c for c in src if c.isdigit()) or 0)
        page = src.startswith("REF:")
        out.append(
            {
                "id": src,
                "type": "web_page" if page else "primary_research",
                "first_author": f"Author{n % 997} A",
                "title": f"Synthetic {'page' if page else 'paper'} {n}",
                "venue": "Synthetic Site" if page else "Synthetic J",
                "year": 1980 + n % 45,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--relations", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--entities", type=int, default=None, help="default: relations / 4")
    args = ap.parse_args()
    sizes = write_kb(args.out_dir, args.relations, args.seed, args.entities)
    print(
        f"wrote {sizes.entities:,} entities and {sizes.relations:,} relations "
        f"in {sizes.files} files to {args.out_dir}"
    )


if __name__ == "__main__":
    main()
