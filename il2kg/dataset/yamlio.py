"""Strict, safe YAML reading that keeps line numbers.

The file is read from libyaml's event stream (no node tree, no constructor of Python objects): we
refuse aliases (so no alias bomb can be expanded by code that walks the result), tags on
collections, merge keys and duplicate keys (PyYAML silently keeps the last), and build plain
Python values together with a table of where each value stood in the file.

Bounds, each reported as a problem at its line and column (see docs/data-format.md):
files of at most :data:`MAX_FILE_BYTES` (checked before reading), collections nested at most
:data:`MAX_DEPTH` deep, top-level lists of at most :data:`MAX_TOP_ITEMS` items, other lists and
mappings of at most :data:`MAX_ITEMS`, and scalars of at most :data:`MAX_SCALAR_CHARS` characters.

YAML 1.1 numbers that are not what they look like (``1:30`` is 90, ``010`` is 8, ``0x1F`` is 31,
``.nan``, ``.inf``, digits a float cannot keep) are refused with a message saying how to write
them. Other type checks are left to the model: ``NO`` -> False is caught there.
"""

from __future__ import annotations

import math
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from il2kg.errors import Problem
from il2kg.namespaces import printable, shown

try:  # the C parser is ~6x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader

    _C_PARSER = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    _C_PARSER = False

#: Largest data file il2kg reads, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 64
#: Most items of a top-level list (``entities``, ``relations``) in one file.
MAX_TOP_ITEMS = 100_000
#: Most items of any other list or mapping (synonyms, xrefs, evidence, quantities ...).
MAX_ITEMS = 1_000
#: Longest scalar (text, key or number), in characters.
MAX_SCALAR_CHARS = 10_000
#: Texts up to this long are interned (shared between their occurrences, e.g. a cited source).
_SHARED_CHARS = 64

Loc = tuple[int, int]
FieldPath = tuple[str | int, ...]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
#: Characters YAML forbids in a stream (libyaml reports them at 1:1; we report them where they are).
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)", re.ASCII)


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


def _mark(event: yaml.Event) -> Loc:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _dotted(path: FieldPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def dotted(path: FieldPath) -> str:
    """``('evidence', 0, 'status')`` -> ``'evidence[0].status'``."""
    return _dotted(path)


def _number_problem(text: str, tag: str, value: Any) -> str | None:
    """Why a YAML 1.1 number is refused, or ``None`` if it is what it looks like."""
    t = text.strip()
    if tag == _INT:
        if _PLAIN_INT.fullmatch(t):
            return None
        kind = (
            "a base-60 number"
            if ":" in t
            else "a hexadecimal number"
            if "x" in t.lower()
            else "a binary number"
            if "b" in t.lower()
            else "a number with '_' separators"
            if "_" in t
            else "an octal number"
        )
        return (
            f"YAML 1.1 reads {shown(t)} as {kind}, {value}: write {value} if you mean that "
            f"number, or quote it ('{printable(t)}') if it is text"
        )
    if isinstance(value, float) and not math.isfinite(value):
        what = "not a number" if math.isnan(value) else "infinite"
        if "inf" not in t.lower() and "nan" not in t.lower():
            return f"the number {shown(t)} is too large: write a smaller number"
        return f"{shown(t)} is {what}: write a finite number, or quote it if it is text"
    if ":" in t or "_" in t:
        return (
            f"YAML 1.1 reads {shown(t)} as the number {value!r}: write {value!r} if you mean "
            f"that number, or quote it ('{printable(t)}') if it is text"
        )
    try:
        exact = Decimal(t) == Decimal(repr(value))
    except InvalidOperation:  # pragma: no cover - the resolver only passes decimal forms here
        exact = False
    if not exact:
        return (
            f"the number {shown(t)} has more digits than a floating-point number keeps (it "
            f"would become {value!r}): write at most 15 significant digits"
        )
    return None


class _Builder:
    """Plain values and locations from an event stream, with every problem found on the way."""

    def __init__(self, doc: YamlDocument, events: Iterator[yaml.Event]) -> None:
        self.doc = doc
        self.events = events
        self.problems: list[Problem] = []
        self.anchors: dict[str, Loc] = {}
        self.loader = _Loader("")

    def problem(self, loc: Loc, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.doc.path, loc[0], loc[1], "", _dotted(path), message))

    def skip(self, first: yaml.Event) -> None:
        """Consume the rest of a collection whose start event was ``first`` (iteratively)."""
        if not isinstance(first, yaml.CollectionStartEvent):
            return
        depth = 1
        while depth:
            ev = next(self.events)
            if isinstance(ev, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1

    def value(self, ev: yaml.Event, path: FieldPath, depth: int) -> Any:
        loc = _mark(ev)
        self.doc.locations.setdefault(path, loc)
        anchor = getattr(ev, "anchor", None)
        if isinstance(ev, yaml.AliasEvent):
            at = self.anchors.get(str(ev.anchor), loc)
            msg = "YAML aliases (*name) are not allowed (the anchor &name is here)"
            self.problem(at, path, msg)
            return None
        if anchor is not None:
            self.anchors.setdefault(str(anchor), loc)
        if isinstance(ev, yaml.ScalarEvent):
            return self.scalar(ev, path)
        if isinstance(ev, yaml.CollectionStartEvent) and ev.tag not in _COLLECTION_TAGS:
            self.problem(loc, path, f"YAML tags ({shown(ev.tag)}) are not allowed")
            self.skip(ev)
            return None
        if depth >= MAX_DEPTH:
            self.problem(loc, path, f"lists and mappings nested more than {MAX_DEPTH} deep")
            self.skip(ev)
            return None
        limit = MAX_TOP_ITEMS if len(path) == 1 else MAX_ITEMS
        if isinstance(ev, yaml.SequenceStartEvent):
            out: list[Any] = []
            while not isinstance(item := next(self.events), yaml.SequenceEndEvent):
                if len(out) == limit:
                    self.problem(_mark(item), path, f"a list of more than {limit:,} items")
                    self.skip(item)
                    while not isinstance(rest := next(self.events), yaml.SequenceEndEvent):
                        self.skip(rest)
                    break
                out.append(self.value(item, (*path, len(out)), depth + 1))
            return out
        assert isinstance(ev, yaml.MappingStartEvent)
        mapping: dict[str, Any] = {}
        n = 0
        while not isinstance(key_ev := next(self.events), yaml.MappingEndEvent):
            value_ev = next(self.events)
            n += 1
            if n > limit:
                self.problem(_mark(key_ev), path, f"a mapping of more than {limit:,} keys")
                self.skip(key_ev)
                self.skip(value_ev)
                while not isinstance(rest := next(self.events), yaml.MappingEndEvent):
                    self.skip(rest)
                break
            key = self.key(key_ev, path)
            if key is None:
                self.skip(value_ev)
                continue
            if key in mapping:
                self.problem(_mark(key_ev), (*path, key), f"duplicate key {shown(key)}")
                self.skip(value_ev)
                continue
            self.doc.locations[(*path, key)] = _mark(key_ev)  # a field is where its key is
            mapping[key] = self.value(value_ev, (*path, key), depth + 1)
        return mapping

    def key(self, ev: yaml.Event, path: FieldPath) -> str | None:
        loc = _mark(ev)
        if isinstance(ev, yaml.AliasEvent):
            self.value(ev, path, 0)
            return None
        if not isinstance(ev, yaml.ScalarEvent):
            self.problem(loc, path, "mapping keys must be plain text")
            self.skip(ev)
            return None
        if len(ev.value) > MAX_SCALAR_CHARS:
            self.problem(loc, path, f"a key of {len(ev.value):,} characters")
            return None
        if ev.anchor is not None:
            self.anchors.setdefault(str(ev.anchor), loc)
        if self.tag(ev) == _MERGE:
            self.problem(loc, path, "merge keys (<<) are not allowed")
            return None
        return str(ev.value)

    def tag(self, ev: yaml.ScalarEvent) -> str:
        if ev.tag is None or ev.tag == "!":
            return str(self.loader.resolve(yaml.ScalarNode, ev.value, ev.implicit))  # type: ignore[no-untyped-call]
        return str(ev.tag)

    def scalar(self, ev: yaml.ScalarEvent, path: FieldPath) -> Any:
        loc = _mark(ev)
        if len(ev.value) > MAX_SCALAR_CHARS:
            msg = f"text of {len(ev.value):,} characters; the limit is {MAX_SCALAR_CHARS:,}"
            self.problem(loc, path, msg)
            return None
        tag = self.tag(ev)
        if tag == _STR:  # identifiers, statuses, units ... recur: one object for each text
            return sys.intern(ev.value) if len(ev.value) <= _SHARED_CHARS else ev.value
        node = yaml.ScalarNode(tag, ev.value, None, None, ev.style)
        try:
            value = _SCALARS.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = str(getattr(exc, "problem", None) or exc)
            self.problem(loc, path, f"bad value {shown(ev.value)}: {shown(reason, quote=False)}")
            return None
        if tag in (_INT, _FLOAT) and (why := _number_problem(ev.value, tag, value)) is not None:
            self.problem(loc, path, why)
            return None
        return value


def _read_bounded(path: Path) -> bytes:
    """At most ``MAX_FILE_BYTES + 1`` bytes of a regular file (the size is checked first).

    :raises OSError: the file cannot be opened or read.
    :raises ValueError: the file is not a regular file, or is over the limit (the message).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise ValueError(f"file is {st.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:  # it grew while we read it
        raise ValueError(f"file is over {MAX_FILE_BYTES:,} bytes, the limit")
    return raw


#: Longest part of a problem (file, entity, field, message) printed, in characters.
MAX_MESSAGE_CHARS = 1_000


def clean_problems(problems: Iterable[Problem]) -> list[Problem]:
    """``problems`` made safe to print: controls escaped, each part at most ~1,000 characters.

    A last line of defence: messages quote user values through :func:`~il2kg.namespaces.shown`.
    """

    def clean(text: str) -> str:
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS] + "…"
        return printable(text)

    return [
        Problem(clean(p.file), p.line, p.column, clean(p.where), clean(p.field), clean(p.message))
        for p in problems
    ]


def _line_col(text: str, index: int) -> Loc:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDocument, list[Problem]]:
    """Read one YAML file strictly; return the document and the problems found (maybe several)."""
    name = printable(display or str(path))
    doc = YamlDocument(name, None)

    def one(line: int, col: int, message: str) -> tuple[YamlDocument, list[Problem]]:
        return doc, [Problem(name, line, col, "", "", message)]

    try:
        raw = _read_bounded(path)
    except OSError as exc:
        return one(1, 1, f"cannot read file: {exc.strerror or exc}")
    except ValueError as exc:
        return one(1, 1, str(exc))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return one(line, col, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")
    if text.startswith("\ufeff"):
        text = text[1:]
    if (bad := _NOT_YAML.search(text)) is not None:
        line, col = _line_col(text, bad.start())
        return one(line, col, f"the character U+{ord(bad.group()):04X} is not allowed in YAML")
    builder = _Builder(doc, yaml.parse(text, Loader=_Loader))
    try:
        data = _document(builder)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = printable(exc.problem or str(exc))
        if "\t" in what or "tab" in what:
            what += " (use spaces, not tabs, to indent YAML)"
        return one(line, col, f"YAML syntax error: {what}")
    except yaml.reader.ReaderError as exc:
        pos = exc.position
        if _C_PARSER:  # libyaml counts bytes of the UTF-8 text
            pos = len(text.encode("utf-8")[:pos].decode("utf-8", "ignore"))
        line, col = _line_col(text, pos)
        return one(line, col, f"YAML error: {printable(exc.reason)}")
    except yaml.YAMLError as exc:
        return one(1, 1, f"YAML error: {shown(str(exc), quote=False)}")
    except _Problem as exc:
        return one(*exc.args)
    doc.data = data
    return doc, clean_problems(builder.problems)


class _Problem(Exception):
    """A whole-file problem found while reading the stream: (line, column, message)."""


def _document(b: _Builder) -> Any:
    ev = next(b.events)
    assert isinstance(ev, yaml.StreamStartEvent)
    ev = next(b.events)
    if isinstance(ev, yaml.StreamEndEvent):
        raise _Problem(1, 1, "file is empty")
    assert isinstance(ev, yaml.DocumentStartEvent)
    data = b.value(next(b.events), (), 0)
    next(b.events)  # DocumentEndEvent
    ev = next(b.events)
    if isinstance(ev, yaml.DocumentStartEvent):
        root = next(b.events)
        raise _Problem(*_mark(root), "only one YAML document per file")
    return data
