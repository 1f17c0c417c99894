"""The sandbox every query runs in: a forked child that cannot reach the network.

One policy for the CLI, the Python API, the explorer build and the endpoint's workers
(:func:`harden` is what a query process installs before any engine runs). The barrier holds in
the kernel, whatever the query text says and whichever engine reads it:

1. a **network namespace** of its own (``unshare(CLONE_NEWNET)``, or
   ``CLONE_NEWUSER | CLONE_NEWNET`` without root): the process sees one loopback interface,
   down, so every ``connect`` fails with "Network is unreachable";
2. a **seccomp filter** (a small BPF program loaded with ``seccomp(2)`` on every thread): the
   process may create ``AF_UNIX`` sockets only (``socket(AF_INET)``, ``AF_INET6``,
   ``AF_PACKET``, ``AF_NETLINK`` … fail with ``EPERM``), and may not set up ``io_uring``
   (which could open sockets past the filter);
3. an **audit hook** (for Python code: sockets, ``urllib``, subprocesses) and rdflib's
   ``SPARQL_LOAD_GRAPHS = False``.

:func:`barrier` says which of 1 and 2 this platform grants. Where it grants neither (no
``fork``, namespaces and seccomp refused), the engines refuse every query whose parse shows
``SERVICE``, ``LOAD`` or ``FROM`` (:mod:`il2kg.query.engines`), and say why.

:func:`run_isolated` forks the child, which dies with its parent (``PR_SET_PDEATHSIG``), and
kills it at the timeout or on any exception of the parent, ``KeyboardInterrupt`` included.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import math
import os
import pickle
import resource
import select
import signal
import struct
import sys
import time
from collections.abc import Callable
from typing import Any, Final

from il2kg.errors import Il2kgError, QueryError, QueryTimeout, StoreError, UnknownEntityError

_BLOCKED_EVENTS: Final = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.sendto",
        "socket.sendmsg",
        "urllib.Request",
        "http.client.connect",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.spawn",
        "os.posix_spawn",
        "os.fork",
    }
)

#: Names of the kernel barriers, as :func:`barrier` reports them.
NETNS: Final = "network namespace"
SECCOMP: Final = "seccomp socket filter"

# -- Linux constants ------------------------------------------------------------------------------

_CLONE_NEWNET: Final = 0x40000000
_CLONE_NEWUSER: Final = 0x10000000
_PR_SET_PDEATHSIG: Final = 1
_PR_SET_SECCOMP: Final = 22
_PR_SET_NO_NEW_PRIVS: Final = 38
_SECCOMP_MODE_FILTER: Final = 2
_SECCOMP_SET_MODE_FILTER: Final = 1
_SECCOMP_FILTER_FLAG_TSYNC: Final = 1
_SECCOMP_RET_ALLOW: Final = 0x7FFF0000
_SECCOMP_RET_ERRNO: Final = 0x00050000
_AF_UNIX: Final = 1

#: Per machine: (AUDIT_ARCH, SYS_socket, SYS_io_uring_setup, SYS_seccomp).
_ARCHES: Final[dict[str, tuple[int, int, int, int]]] = {
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}

#: The barriers :func:`harden` installed in this process (``None``: not hardened).
_installed: tuple[str, ...] | None = None
#: What :func:`barrier` found out by probing a child (cached).
_probed: tuple[str, ...] | None = None


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _BLOCKED_EVENTS:
        raise PermissionError(f"blocked in the query process: {event}")


def _write_id_map(path: str, ident: int) -> None:
    with contextlib.suppress(OSError), open(path, "w", encoding="ascii") as f:
        f.write(f"{ident} {ident} 1\n")


def _enter_network_namespace() -> bool:
    """Move this process into a new, empty network namespace; ``False`` if refused."""
    if not sys.platform.startswith("linux"):
        return False
    libc = _libc()
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    # keep the same ids inside the user namespace (file access is checked outside anyway)
    _write_id_map("/proc/self/uid_map", uid)
    with contextlib.suppress(OSError), open("/proc/self/setgroups", "w", encoding="ascii") as f:
        f.write("deny\n")
    _write_id_map("/proc/self/gid_map", gid)
    return True


def _bpf(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def _seccomp_program(arch: int, sys_socket: int, sys_io_uring_setup: int) -> bytes:
    """BPF: foreign ABIs, x32 calls, io_uring and non-AF_UNIX sockets get EPERM."""
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    # jump offsets count from the next instruction: target = index + 1 + offset
    prog = [
        _bpf(ld, 4),  # 0: A = seccomp_data.arch
        _bpf(jeq, arch, 0, 8),  # 1: a foreign ABI (int 0x80, compat) -> 10
        _bpf(ld, 0),  # 2: A = seccomp_data.nr
        _bpf(jge, 0x40000000, 6, 0),  # 3: the x32 ABI -> 10
        _bpf(jeq, sys_socket, 2, 0),  # 4: socket() -> 7
        _bpf(jeq, sys_io_uring_setup, 4, 0),  # 5: io_uring_setup() -> 10
        _bpf(ret, _SECCOMP_RET_ALLOW),  # 6: any other call
        _bpf(ld, 16),  # 7: A = low 32 bits of args[0], the address family
        _bpf(jeq, _AF_UNIX, 0, 1),  # 8: AF_UNIX -> 9, any other family -> 10
        _bpf(ret, _SECCOMP_RET_ALLOW),  # 9
        _bpf(ret, deny),  # 10: EPERM
    ]
    return b"".join(prog)


def _install_seccomp() -> bool:
    """Load the socket filter on every thread of this process; ``False`` where unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    numbers = _ARCHES.get(os.uname().machine)  # what platform.machine() reads, without platform
    if numbers is None or struct.calcsize("P") != 8:
        return False
    arch, sys_socket, sys_io_uring_setup, sys_seccomp = numbers
    code = _seccomp_program(arch, sys_socket, sys_io_uring_setup)
    filt = ctypes.create_string_buffer(code, len(code))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = _Fprog(len(code) // 8, ctypes.addressof(filt))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    set_filter = ctypes.c_ulong(_SECCOMP_SET_MODE_FILTER)
    tsync = ctypes.c_ulong(_SECCOMP_FILTER_FLAG_TSYNC)
    if libc.syscall(ctypes.c_long(sys_seccomp), set_filter, tsync, ctypes.byref(prog)) == 0:
        return True
    # old kernels without seccomp(2): this thread (and the threads it starts) only
    return bool(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0)


def harden() -> None:
    """Cut this (query) process off the network for good, then block what Python could try.

    Installs a network namespace and the seccomp socket filter where the kernel allows (see
    :func:`barrier`), the audit hook, and rdflib's ``SPARQL_LOAD_GRAPHS = False``. None of it
    can be undone by the process. The namespace covers the calling thread and the threads it
    starts later (call it before starting threads); the filter covers every thread.
    """
    global _installed
    if _installed is not None:
        return
    found: list[str] = []
    if _enter_network_namespace():
        found.append(NETNS)
    if _install_seccomp():
        found.append(SECCOMP)
    _installed = tuple(found)
    loaded = sys.modules.get("rdflib.plugins.sparql")
    if loaded is not None:
        loaded.SPARQL_LOAD_GRAPHS = False  # type: ignore[attr-defined]
    sys.addaudithook(_audit_hook)


def kernel_barrier_active() -> bool:
    """Whether *this* process runs behind a kernel barrier (it called :func:`harden`)."""
    return bool(_installed)


def barrier() -> tuple[str, ...]:
    """The kernel barriers a query process gets here: ``NETNS``, ``SECCOMP``, both or none.

    In a hardened process, what it installed; elsewhere, what a forked child installs (probed
    once, then cached). An empty tuple means no kernel barrier: the engines then refuse
    ``SERVICE``, ``LOAD`` and ``FROM`` on their own parse.
    """
    global _probed
    if _installed is not None:
        return _installed
    if _probed is None:
        _probed = tuple(run_isolated(lambda: _installed or (), 10.0)) if _can_fork() else ()
    return _probed


def _can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "emscripten"


def check_timeout(timeout: float) -> None:
    """Refuse a timeout that is not a positive number of seconds (``nan``, ``0``, ``-1``)."""
    if not isinstance(timeout, (int, float)) or not timeout > 0:
        raise QueryError(f"the timeout must be a positive number of seconds, not {timeout!r}")


def pack_error(exc: BaseException) -> tuple[str, Any]:
    """An exception of the query process as a picklable ``(kind, payload)`` (see :func:`unpack`)."""
    if isinstance(exc, UnknownEntityError):
        return ("unknown", (exc.name, exc.candidates, exc.ambiguous))
    if isinstance(exc, StoreError):
        return ("store", str(exc))
    if isinstance(exc, Il2kgError):
        return ("error", str(exc))
    if isinstance(exc, PermissionError):
        return ("error", f"refused: {exc}")
    return ("error", f"query failed ({type(exc).__name__}): {exc}")


def unpack(answer: tuple[str, Any]) -> Any:
    """The payload of what a query process sent, or the exception it packed, raised here."""
    kind, payload = answer
    if kind == "ok":
        return payload
    if kind == "unknown":
        raise UnknownEntityError(*payload)
    if kind == "store":
        raise StoreError(payload)
    raise QueryError(payload)


def timed_out(timeout: float) -> QueryTimeout:
    """The error of a query stopped at its ``timeout``."""
    return QueryTimeout(
        f"the query ran longer than {timeout:g} s and was stopped "
        "(raise --timeout, or add LIMIT / narrower patterns)"
    )


def _die_with(parent: int) -> None:
    """In a fresh child: get SIGKILL when the parent dies, and close the race with its death."""
    if sys.platform.startswith("linux"):
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def fork_child(
    close: tuple[int, ...], body: Callable[[], None], *, keep: tuple[int, ...] | None = None
) -> int:
    """Fork a child that dies with this process, closes ``close`` and runs ``body`` (which
    must end the process with ``os._exit``); return its process id.

    With ``keep``, the child closes every descriptor but 0, 1, 2 and ``keep`` (as
    ``subprocess`` does with ``close_fds``): a long-lived child must not hold the parent's pipes
    and sockets open, or whoever waits for their other end to close (a browser driver, a
    client) waits as long as the child lives.
    """
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            _die_with(parent)
            for fd in close:
                os.close(fd)
            if keep is not None:
                _close_all_but(keep)
        except BaseException:
            os._exit(1)
        body()
        os._exit(1)  # pragma: no cover - body ends the process itself
    return pid


def _close_all_but(keep: tuple[int, ...]) -> None:
    """Close every file descriptor from 3 up, except ``keep``."""
    low = 3
    for fd in sorted(k for k in set(keep) if k >= low):
        os.closerange(low, fd)
        low = fd + 1
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else -1
    os.closerange(low, limit if limit > 0 else 65536)  # -1: no limit that sysconf knows


#: The length prefix of a message on a pipe between il2kg and a query child.
_HEADER: Final = struct.Struct("!Q")


def send_message(fd: int, message: Any) -> None:
    """Write ``message`` to ``fd``, pickled behind its length."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes | None:
    """``n`` bytes from ``fd`` (``None`` at end of file); :class:`TimeoutError` past ``deadline``."""
    chunks: list[bytes] = []
    while n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], min(remaining, 60.0))
            if not ready:
                continue
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive_message(fd: int, deadline: float | None = None) -> Any:
    """One message from ``fd`` (``None`` when the other end closed it)."""
    head = _read_exactly(fd, _HEADER.size, deadline)
    if head is None:
        return None
    body = _read_exactly(fd, _HEADER.unpack(head)[0], deadline)
    return None if body is None else pickle.loads(body)


def _bound_cpu(timeout: float) -> None:
    """A backstop: the child cannot burn much more CPU than its timeout allows."""
    if math.isfinite(timeout) and timeout < 1e6:
        seconds = int(timeout * 2) + 5
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _child(fn: Callable[[], Any], w: int, timeout: float) -> None:
    code = 0
    try:
        _bound_cpu(timeout)
        harden()
        try:
            out: tuple[str, Any] = ("ok", fn())
        except BaseException as exc:
            out = pack_error(exc)
        send_message(w, out)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def run_isolated(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn()`` in a forked, network-less child; return its (picklable) result.

    The child dies with this process (``PR_SET_PDEATHSIG``) and installs :func:`harden` before
    ``fn`` runs. Raises :class:`~il2kg.errors.QueryTimeout` (the child is killed) after
    ``timeout`` seconds (``math.inf``: no limit), and re-raises the child's
    :class:`~il2kg.errors.QueryError` / ``UnknownEntityError``. Any exception here, a
    ``KeyboardInterrupt`` included, kills the child before it propagates. Nothing global is
    installed in this process. Where ``os.fork`` does not exist, ``fn`` runs in this process
    without a timeout (and without a kernel barrier: see :func:`barrier`).
    """
    check_timeout(timeout)
    if not _can_fork():  # pragma: no cover - Windows
        return fn()
    r, w = os.pipe()
    pid = fork_child((r,), lambda: _child(fn, w, timeout))
    os.close(w)
    deadline = time.monotonic() + timeout
    try:
        try:
            answer = receive_message(r, deadline)
        except TimeoutError:
            raise timed_out(timeout) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(r)
        reap(pid)
    if answer is None:
        raise QueryError("the query process ended without an answer")
    return unpack(answer)


def reap(pid: int) -> None:
    """Wait for the child, which has ended or been killed (a further Ctrl-C kills it again)."""
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        return
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
