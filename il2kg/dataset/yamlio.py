"""Strict, safe YAML reading that keeps line numbers.

PyYAML's safe composer builds a node tree; we refuse aliases (so no alias bomb can be expanded by
code that walks the result), refuse duplicate keys (PyYAML silently keeps the last), and build
plain Python values together with a table of where each value stood in the file. Type checks are
left to the model: YAML 1.1 surprises such as ``NO`` -> False are caught there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from il2kg.errors import Problem

try:  # the C loader is ~6x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest data file il2kg reads, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024

Loc = tuple[int, int]
FieldPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A YAML file's content as plain Python values, with 1-based (line, column) of each path."""

    path: str
    data: Any
    locations: dict[FieldPath, Loc] = field(default_factory=dict)

    def loc(self, path: FieldPath) -> Loc:
        """The location of ``path``, or of its nearest located ancestor."""
        p = tuple(path)
        while p:
            if p in self.locations:
                return self.locations[p]
            p = p[:-1]
        return self.locations.get((), (1, 1))


class _Constructor(yaml.constructor.SafeConstructor):
    pass


_SCALARS = _Constructor()


def _mark(node: yaml.Node) -> Loc:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(
    node: yaml.Node,
    path: FieldPath,
    doc: YamlDocument,
    seen: set[int],
    problems: list[Problem],
) -> Any:
    if id(node) in seen:
        line, col = _mark(node)
        problems.append(
            Problem(
                doc.path,
                line,
                col,
                "",
                _dotted(path),
                "YAML aliases (*name) are not allowed (the anchor &name is here)",
            )
        )
        return None
    seen.add(id(node))
    doc.locations[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                problems.append(
                    Problem(
                        doc.path, line, col, "", _dotted(path), "mapping keys must be plain text"
                    )
                )
                continue
            if key_node.tag == "tag:yaml.org,2002:merge":
                line, col = _mark(key_node)
                problems.append(
                    Problem(
                        doc.path, line, col, "", _dotted(path), "merge keys (<<) are not allowed"
                    )
                )
                continue
            key = _SCALARS.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in out:
                line, col = _mark(key_node)
                problems.append(
                    Problem(
                        doc.path, line, col, "", _dotted((*path, key)), f"duplicate key '{key}'"
                    )
                )
                continue
            out[key] = _build(value_node, (*path, key), doc, seen, problems)
            doc.locations[(*path, key)] = _mark(key_node)  # a field is where its key is
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, (*path, i), doc, seen, problems) for i, v in enumerate(node.value)]
    try:
        return _SCALARS.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        line, col = _mark(node)
        problems.append(
            Problem(doc.path, line, col, "", _dotted(path), f"bad value {node.value!r}: {exc}")
        )
        return None


def _dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def dotted(path: FieldPath) -> str:
    """``('evidence', 0, 'status')`` -> ``'evidence[0].status'``."""
    return _dotted(path)


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDocument, list[Problem]]:
    """Read one YAML file strictly; return the document and the problems found (maybe several)."""
    name = display or str(path)
    doc = YamlDocument(name, None)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return doc, [Problem(name, 1, 1, "", "", f"cannot read file: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        msg = f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}"
        return doc, [Problem(name, 1, 1, "", "", msg)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return doc, [
            Problem(name, line, col, "", "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or str(exc)
        if "\t" in what or "tab" in what:
            what += " (use spaces, not tabs, to indent YAML)"
        return doc, [Problem(name, line, col, "", "", f"YAML syntax error: {what}")]
    except yaml.YAMLError as exc:
        return doc, [Problem(name, 1, 1, "", "", f"YAML error: {exc}")]
    if len(nodes) > 1:
        line, col = _mark(nodes[1])
        return doc, [Problem(name, line, col, "", "", "only one YAML document per file")]
    if not nodes or nodes[0] is None:
        return doc, [Problem(name, 1, 1, "", "", "file is empty")]
    problems: list[Problem] = []
    doc.data = _build(nodes[0], (), doc, set(), problems)
    return doc, problems
