"""FileBytes: content kept in a file (the build's N-Triples) read in line-aligned blocks,
hashed and copied without being held whole."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from il2kg.files import FileBytes, atomic_write, atomic_write_many

CONTENT = b"".join(b"line %d %s\n" % (i, b"x" * (i % 37)) for i in range(2_000)) + b"last"


def _file(tmp_path: Path, data: bytes = CONTENT) -> FileBytes:
    path = tmp_path / "content"
    path.write_bytes(data)
    return FileBytes(open(path, "rb"), path)


@pytest.mark.parametrize("size", [1, 5, 64, 4096, 1 << 20])
def test_blocks_are_whole_lines(tmp_path: Path, size: int) -> None:
    data = _file(tmp_path)
    blocks = list(data.blocks(size))
    assert b"".join(blocks) == CONTENT
    assert all(b.endswith(b"\n") for b in blocks[:-1]) and blocks[-1].endswith(b"last")
    assert all(len(b) <= size + 50 for b in blocks[:-1])  # a block is ~size, lines whole
    if size < len(CONTENT):
        assert len(blocks) > 1


def test_a_line_longer_than_a_block_is_one_block(tmp_path: Path) -> None:
    data = _file(tmp_path, b"a\n" + b"b" * 100 + b"\nc\n")
    assert list(data.blocks(8)) == [b"a\n", b"b" * 100 + b"\n", b"c\n"]


def test_read_hash_and_size(tmp_path: Path) -> None:
    data = _file(tmp_path)
    assert len(data) == data.size == len(CONTENT)
    assert data.read() == CONTENT
    assert data.sha256() == hashlib.sha256(CONTENT).hexdigest()
    assert b"".join(data.chunks(7)) == CONTENT
    assert str(tmp_path / "content") in repr(data)


def test_an_anonymous_file_is_read_from_its_descriptor(tmp_path: Path) -> None:
    """The content stays readable after its name is gone (an entry pruned meanwhile)."""
    data = _file(tmp_path)
    os.unlink(tmp_path / "content")
    assert data.read() == CONTENT


def test_atomic_writes_copy_it(tmp_path: Path) -> None:
    data = _file(tmp_path)
    atomic_write(tmp_path / "out", data)
    atomic_write_many({tmp_path / "a": data, tmp_path / "b": b"bytes"})
    assert (tmp_path / "out").read_bytes() == (tmp_path / "a").read_bytes() == CONTENT
    assert (tmp_path / "b").read_bytes() == b"bytes"
    if os.path.exists("/dev/null"):  # a device is written through
        atomic_write(Path("/dev/null"), data)
