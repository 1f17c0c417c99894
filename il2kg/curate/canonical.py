"""The canonical form of data files: entities sorted by id, relations by their key, fields in the
order of the model, one consistent YAML style. ``il2kg format`` rewrites files into it and
``il2kg format --check`` reports the files that differ (for CI and pull requests).

YAML comments are not kept by a rewrite: put curators' notes in ``description``, ``note`` or
``comment`` fields, where they also reach the graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from il2kg.dataset.model import Entity, Reference, Relation
from il2kg.dataset.read import read_dataset
from il2kg.errors import DataError, Problem
from il2kg.resources import data_files


class _Dumper(yaml.SafeDumper):
    """Block style, with short lists of plain scalars kept on one line."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = bool(data) and all(isinstance(x, str) and len(x) < 40 for x in data) and len(data) <= 6
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders digit runs by value: HGNC:990 before HGNC:6001."""
    import re

    # ASCII digit runs only: int() of other "digits" (superscripts) would raise
    return tuple(
        (0, int(t)) if t[0] in "0123456789" else (1, t) for t in re.findall(r"[0-9]+|[^0-9]+", text)
    )


def _relation_sort_key(r: Relation) -> tuple[tuple[tuple[int, int | str], ...], ...]:
    return tuple(natural_key(k) for k in r.key())


def _entity_dict(e: Entity) -> dict[str, Any]:
    return e.model_dump(exclude_none=True, exclude_defaults=True)


def _relation_dict(r: Relation) -> dict[str, Any]:
    return r.model_dump(exclude_none=True, exclude_defaults=True)


def canonical_text(
    entities: list[Entity], relations: list[Relation], references: list[Reference] | None = None
) -> str:
    """The canonical YAML text of one file's entities, relations and registry references."""
    doc: dict[str, Any] = {}
    if references:
        doc["references"] = [
            r.model_dump(exclude_none=True, exclude_defaults=True)
            for r in sorted(references, key=lambda r: natural_key(r.id))
        ]
    if entities:
        doc["entities"] = [
            _entity_dict(e) for e in sorted(entities, key=lambda e: natural_key(e.id))
        ]
    if relations:
        doc["relations"] = [_relation_dict(r) for r in sorted(relations, key=_relation_sort_key)]
    return yaml.dump(
        doc,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def canonical_files(data_dir: Path) -> dict[Path, str]:
    """The canonical text of every data file (the data must be structurally valid)."""
    ds, problems = read_dataset(data_dir)
    if problems:
        raise DataError(problems)
    by_file_e: dict[str, list[Entity]] = {}
    by_file_r: dict[str, list[Relation]] = {}
    for eid, e in ds.entities.items():
        by_file_e.setdefault(ds.entity_locations[eid][0], []).append(e)
    for i, r in enumerate(ds.relations):
        by_file_r.setdefault(ds.relation_locations[i][0], []).append(r)
    by_file_ref: dict[str, list[Reference]] = {}
    for rid, ref in ds.references.items():
        by_file_ref.setdefault(ds.reference_locations[rid][0], []).append(ref)
    out: dict[Path, str] = {}
    for path in data_files(data_dir):
        display = data_dir.name + "/" + path.relative_to(data_dir).as_posix()
        out[path] = canonical_text(
            by_file_e.get(display, []), by_file_r.get(display, []), by_file_ref.get(display, [])
        )
    return out


def check_canonical(data_dir: Path) -> list[Problem]:
    """A problem for each file that is not in canonical form."""
    problems = []
    for path, text in canonical_files(data_dir).items():
        current = path.read_text(encoding="utf-8")
        if current != text:
            a, b = current.splitlines(), text.splitlines()
            line = next(
                (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                min(len(a), len(b)),
            )
            name = data_dir.name + "/" + path.relative_to(data_dir).as_posix()
            problems.append(
                Problem(
                    name,
                    line + 1,
                    1,
                    "",
                    "",
                    "not in canonical form (run `il2kg format` to rewrite it)",
                )
            )
    return problems


def format_files(data_dir: Path) -> list[Path]:
    """Rewrite every data file into canonical form (atomically); return the files changed."""
    from il2kg.files import atomic_write

    changed = []
    for path, text in canonical_files(data_dir).items():
        if path.read_text(encoding="utf-8") != text:
            atomic_write(path, text.encode("utf-8"))
            changed.append(path)
    return changed
