"""Writing outputs safely: atomically, with the user's umask, and never replacing what is not ours.

:func:`atomic_write` writes through a temporary file in the target's folder and renames it into
place, so a reader never sees half a file and a kill leaves the old file whole. Three things a
careful Unix tool does are kept here, in the one place every output goes through:

- a character device, FIFO or socket (``-o /dev/null``, ``-o /dev/stdout``, a named pipe) is written
  *through*, never replaced by a regular file;
- a symbolic link is followed: the file it names is replaced, the link stays;
- a new file gets the mode ``0666 & ~umask`` (0644 by default), an existing file keeps its mode.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from il2kg.errors import OutputError


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


def _write_through(path: Path, data: bytes) -> None:
    try:
        with open(path, "wb", buffering=0) as fh:
            view = memoryview(data)
            while view:
                view = view[fh.write(view) or 0 :]
    except OSError as exc:
        raise _error(path, exc) from exc


def _stage(target: Path, data: bytes, mode: int) -> str:
    """Write ``data`` to a new temporary file beside ``target``; return its name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _error(target, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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


def atomic_write_many(files: Mapping[Path, bytes]) -> None:
    """Write several files as one: every one is staged before any is renamed into place.

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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module docstring for the rules).

    :raises OutputError: when the file cannot be written, with the reason.
    """
    atomic_write_many({Path(path): data})
