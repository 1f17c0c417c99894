"""YAML files -> :class:`~il2kg.dataset.model.Dataset` with its structural problems.

Reading is strict and reports every problem at once: syntax, duplicate keys, unknown or missing
fields and wrong types. The semantic rules (identifiers, references, predicates, domain and range)
are :mod:`il2kg.dataset.rules`; :mod:`il2kg.dataset.load` runs both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from il2kg.dataset.model import Dataset, Entity, Reference, Relation
from il2kg.dataset.yamlio import FieldPath, YamlDocument, clean_problems, dotted, read_yaml
from il2kg.errors import Problem
from il2kg.namespaces import printable, shown
from il2kg.resources import data_files

_TOP_KEYS = ("entities", "relations", "references")
#: The records kept by id: entities and registry works (what one is called, its model, the
#: dataset's dict of them and of their locations).
_KEYED: dict[
    str, tuple[str, Any, Callable[[Dataset], dict[str, Any]], Callable[[Dataset], dict[str, Any]]]
] = {
    "entities": ("entity", Entity, lambda ds: ds.entities, lambda ds: ds.entity_locations),
    "references": (
        "reference",
        Reference,
        lambda ds: ds.references,
        lambda ds: ds.reference_locations,
    ),
}
_FLOAT_TEXT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+")


def _pydantic_problems(
    exc: ValidationError, doc: YamlDocument, base: FieldPath, where: str
) -> Iterable[Problem]:
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        if loc[-2:] in (("value", "int"), ("value", "float")):  # Quantity.value: int | float
            if loc[-1] == "int":
                continue  # one message for the number, not one per member of the union
            loc = loc[:-1]
        path = (*base, *loc)
        line, col = doc.loc(path)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"].endswith("_type") and "input" in err:
            msg = f"{msg} (got {type(err['input']).__name__} {shown(err['input'])})"
            if isinstance(err["input"], bool):
                msg += "; YAML reads yes/no/on/off as true/false: quote the text"
            elif isinstance(err["input"], str) and _FLOAT_TEXT.fullmatch(err["input"]):
                msg += "; YAML 1.1 reads 1e-11 as text: write 1.0e-11"
        msg = msg.removeprefix("Value error, ")
        yield Problem(doc.path, line, col, where, dotted(loc), msg)


def _where(kind: str, item: Any, index: int) -> str:
    if isinstance(item, dict):
        if kind == "entities" and isinstance(item.get("id"), str):
            return f"entity {shown(item['id'], quote=False)}"
        if kind == "references" and isinstance(item.get("id"), str):
            return f"reference {shown(item['id'], quote=False)}"
        if kind == "relations":
            s, p, o = item.get("subject"), item.get("predicate"), item.get("object")
            if all(isinstance(x, str) for x in (s, p, o)):
                return f"relation {' '.join(shown(x, quote=False) for x in (s, p, o))}"
    return f"{kind[:-1]} #{index + 1}"


def read_dataset(data_dir: Path) -> tuple[Dataset, list[Problem]]:
    """Read every YAML file below ``data_dir``; return the dataset and the structural problems."""
    ds = Dataset()
    problems: list[Problem] = []
    for path in data_files(data_dir):
        display = path.relative_to(data_dir).as_posix()
        ds.files.append(display)
        doc, probs = read_yaml(path, display=str(data_dir.name + "/" + display))
        problems.extend(probs)
        if probs or doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(
                Problem(
                    doc.path,
                    1,
                    1,
                    "",
                    "",
                    "the file must be a mapping with 'entities', 'relations' and/or 'references'",
                )
            )
            continue
        for key in doc.data:
            if key not in _TOP_KEYS:
                line, col = doc.loc((key,))
                problems.append(
                    Problem(
                        doc.path,
                        line,
                        col,
                        "",
                        printable(str(key)),
                        "unknown top-level key (expected 'entities', 'relations' or 'references')",
                    )
                )
        for kind in _TOP_KEYS:
            items = doc.data.get(kind)
            if items is None:
                continue
            if not isinstance(items, list):
                line, col = doc.loc((kind,))
                problems.append(Problem(doc.path, line, col, "", kind, "must be a list"))
                continue
            for i, item in enumerate(items):
                where = _where(kind, item, i)
                line, col = doc.loc((kind, i))
                if not isinstance(item, dict):
                    problems.append(Problem(doc.path, line, col, where, "", "must be a mapping"))
                    continue
                try:
                    if kind in _KEYED:
                        noun, model, items_of, locations_of = _KEYED[kind]
                        record = model.model_validate(item)
                        known, where_known = items_of(ds), locations_of(ds)
                        if record.id in known:
                            first = where_known[record.id]
                            problems.append(
                                Problem(
                                    doc.path,
                                    line,
                                    col,
                                    where,
                                    "id",
                                    f"duplicate {noun} id (first defined at {first[0]}:{first[1]})",
                                )
                            )
                            continue
                        known[record.id] = record
                        where_known[record.id] = (doc.path, line, col)
                    else:
                        ds.relations.append(Relation.model_validate(item))
                        ds.relation_locations.append((doc.path, line, col))
                except ValidationError as exc:
                    problems.extend(_pydantic_problems(exc, doc, (kind, i), where))
                    if kind == "references" and isinstance(item.get("id"), str):
                        ds.broken_references.add(item["id"])  # reported once, here
                    elif kind == "relations" and isinstance(item.get("evidence"), list):
                        ds.broken_citations.update(
                            e["source"]
                            for e in item["evidence"]
                            if isinstance(e, dict) and isinstance(e.get("source"), str)
                        )
    return ds, clean_problems(problems)


def dataset_to_json(ds: Dataset) -> dict[str, Any]:
    """A JSON-ready form of a dataset (the cache format)."""
    return {
        "entities": [
            e.model_dump(exclude_none=True, exclude_defaults=True) for e in ds.entities.values()
        ],
        "entity_locations": [list(ds.entity_locations[k]) for k in ds.entities],
        "relations": [r.model_dump(exclude_none=True, exclude_defaults=True) for r in ds.relations],
        "relation_locations": [list(loc) for loc in ds.relation_locations],
        "files": ds.files,
        "references": [
            r.model_dump(exclude_none=True, exclude_defaults=True) for r in ds.references.values()
        ],
        "reference_locations": [list(ds.reference_locations[k]) for k in ds.references],
    }


def dataset_from_json(d: dict[str, Any]) -> Dataset:
    """Rebuild a dataset from :func:`dataset_to_json` output."""
    ds = Dataset(files=list(d["files"]))
    for item, loc in zip(d["entities"], d["entity_locations"], strict=True):
        ent = Entity.model_validate(item)
        ds.entities[ent.id] = ent
        ds.entity_locations[ent.id] = (loc[0], loc[1], loc[2])
    ds.relations = [Relation.model_validate(r) for r in d["relations"]]
    ds.relation_locations = [(loc[0], loc[1], loc[2]) for loc in d["relation_locations"]]
    for item, loc in zip(d.get("references", []), d.get("reference_locations", []), strict=True):
        ref = Reference.model_validate(item)
        ds.references[ref.id] = ref
        ds.reference_locations[ref.id] = (loc[0], loc[1], loc[2])
    return ds
