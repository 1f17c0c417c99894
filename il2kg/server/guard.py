"""waitress, guarded against clients that hold connections: the HTTP layer of ``il2kg serve``.

waitress alone closes a connection only after ``channel_timeout`` seconds *without any byte*,
and stops accepting at ``connection_limit`` open connections, so 150 clients that each send one
header line every few seconds hold it shut (slowloris). :func:`make_server` builds the same
waitress server with three more rules (:class:`ConnectionLimits`):

- **a deadline for every request**: a connection must deliver a whole request (line, headers
  and body) within ``request_timeout`` seconds of opening, or of its previous answer; else it
  is closed. Idle keep-alive connections end the same way.
- **connections per client**: at most ``per_client`` open connections per client address; one
  more is answered ``429 Too Many Requests`` and closed at once.
- **/health in the event loop**: ``GET /health`` is answered by waitress' own loop, not by a
  request thread, so it answers while every thread waits for a query worker. So is a query
  whose answer the application kept (:mod:`il2kg.server.answers`: its ``inline`` and
  ``pinned`` hooks), which needs neither a thread nor a worker.

The loop uses ``poll`` (no ``select`` limit of 1024 descriptors) and checks the deadlines every
second. These hooks use waitress' channel and server classes (tested with waitress 3.0).
"""

from __future__ import annotations

import contextlib
import copy
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from il2kg.errors import EndpointError


@dataclass(frozen=True)
class ConnectionLimits:
    """How many connections the endpoint holds, and for how long (see the module docstring)."""

    #: Open connections in all (waitress' ``connection_limit``); then accepting pauses.
    total: int = 400
    #: Open connections per client address; ``0``: no limit (behind a reverse proxy).
    per_client: int = 64
    #: Seconds a connection has to send a whole request, from its opening or previous answer.
    request_timeout: float = 10.0
    #: Seconds without a byte either way after which a connection is closed while its answer
    #: is sent (waitress' ``channel_timeout``).
    idle_timeout: int = 30


_REFUSED: Final = (
    "HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: {n}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{body}"
)


def _client(addr: Any) -> str:
    return str(addr[0]) if isinstance(addr, tuple) and addr else str(addr)


class _GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel that knows its client and since when it waits for a request."""

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        self.client = _client(addr)
        self.waiting_since = time.monotonic()
        super().__init__(server, sock, addr, adj, map=map)

    def service(self) -> None:
        try:
            super().service()
        finally:
            self.waiting_since = time.monotonic()


class GuardedServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress' TCP server with the rules of :class:`ConnectionLimits` (see the module)."""

    channel_class = _GuardedChannel

    def __init__(
        self, *args: Any, limits: ConnectionLimits, answers: Any = None, **kw: Any
    ) -> None:
        self.limits = limits
        #: what has the ``inline`` and ``pinned`` hooks (the application: waitress wraps the
        #: one it serves in its proxy-headers middleware, so ``self.application`` has none)
        self.answers = answers
        self.stopping = False
        self._inline: deque[tuple[_GuardedChannel, Any]] = deque()
        self._loop_thread: int | None = None  # the thread running the event loop
        super().__init__(*args, **kw)
        #: the adjustments an inline answer is written with: nothing is sent while it is
        #: written, so its header and body leave in one ``send``
        self._buffered = copy.copy(self.adj)
        self._buffered.send_bytes = 1 << 62

    # -- connections per client ---------------------------------------------------------------

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:
            return
        addr = self.fix_addr(addr)
        cap = self.limits.per_client
        if cap:
            client = _client(addr)
            held = sum(
                1
                for ch in list(self.active_channels.values())
                if getattr(ch, "client", None) == client
            )
            if held >= cap:
                self._refuse(conn, f"too many connections from {client} (the limit is {cap})\n")
                return
        self.channel_class(self, conn, addr, self.adj, map=self._map)

    @staticmethod
    def _refuse(conn: socket.socket, message: str) -> None:
        body = message.encode()
        with contextlib.suppress(OSError):
            conn.setblocking(False)
            conn.send(_REFUSED.format(n=len(body), body=message).encode())
        with contextlib.suppress(OSError):
            conn.close()

    # -- the request deadline -----------------------------------------------------------------

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # waitress' idle rule
        mono = time.monotonic()
        for ch in list(self.active_channels.values()):
            if not isinstance(ch, _GuardedChannel):
                continue
            if ch.requests or ch.total_outbufs_len:  # being answered
                ch.waiting_since = mono
            elif mono - ch.waiting_since > self.limits.request_timeout:
                ch.will_close = True

    # -- /health in the loop ------------------------------------------------------------------

    def add_task(self, task: Any) -> None:
        if isinstance(task, _GuardedChannel):
            inline, kept = self._inline_answer(task)
            if inline:
                self._inline.append((task, kept))  # answered by readable(), on the loop
                if threading.get_ident() != self._loop_thread:
                    self.pull_trigger()  # from a request thread (a pipelined request): wake it
                # on the loop itself, readable() runs before the next poll anyway
                return
        super().add_task(task)

    def _inline_answer(self, channel: _GuardedChannel) -> tuple[bool, Any]:
        """Whether the loop answers the channel's next request itself: ``/health``, or a query
        whose answer the application kept (its ``inline`` hook); with that kept answer."""
        request = channel.requests[0] if channel.requests else None
        method = getattr(request, "command", "")
        if request is None or request.error is not None or method not in ("GET", "HEAD"):
            return False, None
        room = self.adj.outbuf_high_watermark // 2 - channel.total_outbufs_len
        if getattr(request, "path", "") == "/health":
            return room > 0, None
        if self.answers is None:
            return False, None
        headers = request.headers
        kept = self.answers.inline(
            method, request.path, request.query, headers.get("ACCEPT"), headers.get("CACHE_CONTROL")
        )
        if kept is None or len(kept[1].body) >= room:
            return False, None
        return True, kept

    def readable(self) -> bool:
        if self.stopping:  # stop_server() asked: close everything from the loop's own thread
            wasyncore.close_all(self._map)
            return False
        self._loop_thread = threading.get_ident()
        while self._inline:
            channel, kept = self._inline.popleft()
            pinned = self.answers.pinned(kept) if kept is not None else contextlib.nullcontext()
            try:
                channel.adj = self._buffered
                try:
                    with pinned:
                        channel.service()
                finally:
                    channel.adj = self.adj
                if channel.total_outbufs_len:  # header and body in one send; never a close
                    channel._flush_some_if_lockable(do_close=False)  # here, amid poll's setup
            except Exception:  # pragma: no cover - service() reports its own errors
                channel.will_close = True
            if channel.total_outbufs_len or channel.will_close or channel.close_when_flushed:
                self.pull_trigger()  # the loop sends the rest, or closes the connection, at once
        return bool(super().readable())


def make_server(
    app: Callable[..., Any],
    *,
    host: str,
    port: int,
    threads: int,
    ident: str,
    limits: ConnectionLimits,
    answers: Any = None,
) -> GuardedServer:
    """A waitress server for ``app`` with :class:`ConnectionLimits`; raises :class:`OSError`.

    ``answers`` (``app`` itself, for il2kg's :class:`~il2kg.server.app.App`) has the
    ``inline(method, path, query_string, accept, cache_control)`` and ``pinned(kept)`` hooks by
    which the loop answers kept answers itself.

    It listens on the first address ``host`` resolves to; ``.run()`` serves until
    :func:`stop_server`.
    """
    if limits.total < 8 or limits.per_client < 0 or limits.request_timeout <= 0:
        raise EndpointError("connection limits must be positive (at least 8 connections)")
    adj = Adjustments(
        host=host,
        port=port,
        threads=threads,
        ident=ident,
        connection_limit=limits.total,
        channel_timeout=max(1, limits.idle_timeout),
        cleanup_interval=1,
        asyncore_use_poll=True,
        clear_untrusted_proxy_headers=True,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    try:
        return GuardedServer(
            app,
            {},
            dispatcher=dispatcher,
            adj=adj,
            sockinfo=adj.listen[0],
            limits=limits,
            answers=answers,
        )
    except BaseException:
        dispatcher.shutdown(timeout=1)
        raise


def stop_server(server: GuardedServer, loop: threading.Thread | None = None) -> None:
    """Close the listening socket and every connection, then end the request threads.

    ``loop`` is the thread running ``server.run()``, if any: the loop then closes everything
    itself (no socket is closed under its feet) and ends.
    """
    if loop is not None and loop.is_alive():
        server.stopping = True
        with contextlib.suppress(Exception):
            server.pull_trigger()
        loop.join(10)
    with contextlib.suppress(Exception):
        wasyncore.close_all(server._map)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)


__all__ = ["ConnectionLimits", "GuardedServer", "make_server", "stop_server"]
