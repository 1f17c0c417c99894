"""Writing outputs safely: atomically, with the user's umask, and never replacing what is not ours.

:func:`atomic_write` writes through a temporary file in the target's folder and renames it into
place, so a reader never sees half a file and a kill leaves the old file whole. Three things a
careful Unix tool does are kept here, in the one place every output goes through:

- a character device, FIFO or socket (``-o /dev/null``, ``-o /dev/stdout``, a named pipe) is written
  *through*, never replaced by a regular file;
- a symbolic link is followed: the file it names is replaced, the link stays;
- a new file gets the mode ``0666 & ~umask`` (0644 by default), an existing file keeps its mode.

:class:`FileBytes` is content kept in a file instead of memory (the build's N-Triples, 300 MB at
10^5 relations): what is written is copied from it in blocks, never read whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import threading
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from il2kg.errors import OutputError

#: The blocks :class:`FileBytes` reads and copies by default.
BLOCK_SIZE = 4 * 1024 * 1024


class FileBytes:
    """The content of an open file, taken as a value: read whole only when a caller asks
    (:meth:`read`), else in line-aligned blocks (:meth:`blocks`) or copied (:meth:`copy_to`).

    Takes ownership of ``fh`` (closed with this object); ``path`` is where it was created
    (``None`` for an anonymous temporary file), for a caller that would otherwise copy it there.
    The content must not change once taken; reads are safe from several threads (and from a
    forked child, which shares the open file).
    """

    def __init__(self, fh: BinaryIO, path: Path | None = None) -> None:
        fh.flush()
        self._fh = fh
        self._lock = threading.Lock()
        self.path = path
        self.size = os.fstat(fh.fileno()).st_size
        weakref.finalize(self, fh.close)

    def __len__(self) -> int:
        return self.size

    def __repr__(self) -> str:
        return f"FileBytes({self.size:,} bytes{f' at {self.path}' if self.path else ''})"

    def _read_at(self, offset: int, size: int) -> bytes:
        size = max(0, min(size, self.size - offset))
        if hasattr(os, "pread"):  # no shared file offset: safe across threads and forks
            fd = self._fh.fileno()
            data = os.pread(fd, size, offset)
            while len(data) < size:
                more = os.pread(fd, size - len(data), offset + len(data))
                if not more:
                    break
                data += more
            return data
        with self._lock:
            self._fh.seek(offset)
            return self._fh.read(size)

    def read(self) -> bytes:
        """The whole content as one ``bytes``."""
        return self._read_at(0, self.size)

    def chunks(self, size: int = BLOCK_SIZE) -> Iterator[bytes]:
        """The content in pieces of ``size`` bytes (the last one shorter)."""
        for offset in range(0, self.size, size):
            yield self._read_at(offset, size)

    def blocks(self, size: int = BLOCK_SIZE) -> Iterator[bytes]:
        """The content in blocks of whole lines, about ``size`` bytes each (a line longer than
        ``size`` is one block); only the last block may lack a final newline."""
        carry = b""
        for piece in self.chunks(size):
            block = carry + piece if carry else piece
            cut = block.rfind(b"\n") + 1
            if cut:
                yield block[:cut]
            carry = block[cut:]
        if carry:
            yield carry

    def sha256(self) -> str:
        """The SHA-256 of the content (hex), read in blocks."""
        h = hashlib.sha256()
        for piece in self.chunks():
            h.update(piece)
        return h.hexdigest()

    def copy_to(self, out: BinaryIO) -> None:
        """Write the content to ``out``, in blocks."""
        for piece in self.chunks():
            _write_all(out, piece)


def _write_all(fh: BinaryIO, data: bytes) -> None:
    """Write all of ``data``: a raw (unbuffered) file may write less than asked."""
    view = memoryview(data)
    while view:
        view = view[fh.write(view) or 0 :]


def _write_data(fh: BinaryIO, data: bytes | FileBytes) -> None:
    if isinstance(data, FileBytes):
        data.copy_to(fh)
    else:
        _write_all(fh, data)


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no /proc: read it the old way, restoring it at once
    os.umask(mask)
    return mask


def _error(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {exc.strerror or exc}")


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file to write (symlinks followed) and its current status, if it exists."""
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        return real, real.stat()
    except FileNotFoundError:
        return real, None
    except OSError as exc:
        raise _error(path, exc) from exc


def _write_through(path: Path, data: bytes | FileBytes) -> None:
    try:
        with open(path, "wb", buffering=0) as fh:
            _write_data(fh, data)
    except OSError as exc:
        raise _error(path, exc) from exc


def _stage(target: Path, data: bytes | FileBytes, mode: int) -> str:
    """Write ``data`` to a new temporary file beside ``target``; return its name."""
    import tempfile  # here: a cache hit reads a FileBytes and writes nothing

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_data(fh, data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _error(target, exc) from exc
        raise
    return tmp


def atomic_write_many(files: Mapping[Path, bytes | FileBytes]) -> None:
    """Write several files as one: every one is staged before any is renamed into place.

    A :class:`FileBytes` value is copied in blocks.

    A failure while staging (ENOSPC, a kill) leaves every target as it was.

    :raises OutputError: naming the file that could not be written.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            target, st = _target(Path(path))
            if st is not None and not stat.S_ISREG(st.st_mode):
                if stat.S_ISDIR(st.st_mode):
                    raise OutputError(f"cannot write {path}: it is a directory")
                _write_through(target, data)  # a device, FIFO or socket: never replace it
                continue
            mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
            staged.append((_stage(target, data, mode), target))
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _error(target, exc) from exc
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def atomic_write(path: Path, data: bytes | FileBytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring for the rules).

    :raises OutputError: when the file cannot be written, with the reason.
    """
    atomic_write_many({Path(path): data})
