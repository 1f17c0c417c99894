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
  whose answer the application kept (:mod:`il2kg.server.answers`: its ``inline``, ``pinned``
  and ``headers`` hooks), which needs neither a thread nor a worker. A kept answer to a plain
  HTTP/1.1 ``GET`` (no ``Connection`` or ``Expect`` header, nothing else being sent on the
  connection) goes straight onto the connection, its status line and headers written as
  waitress writes them (:func:`kept_response`), without a WSGI task; any other request goes
  through the application on the loop's thread. The loop answers right after it reads the
  request, without waking itself through its trigger.

The loop uses ``poll`` (no ``select`` limit of 1024 descriptors) and checks the deadlines every
second. These hooks use waitress' channel and server classes (tested with waitress 3.0).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import ClientDisconnected, HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher
from waitress.utilities import build_http_date

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


def _capitalized(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def kept_response(
    status: str, headers: list[tuple[str, str]], body: bytes, ident: str, date: str
) -> bytes:
    """The bytes waitress writes for a ``GET`` answered over HTTP/1.1 keep-alive with
    ``status``, the application's ``headers`` (a ``Content-Length`` among them) and ``body``:
    names capitalised, ``Server`` and ``Date`` added, sorted by name (stably)."""
    lines = [(_capitalized(n), v) for n, v in headers]
    if ident:
        lines.append(("Server", ident))
    lines.append(("Date", date))
    lines.sort(key=lambda hv: hv[0])
    head = "".join(f"{n}: {v}\r\n" for n, v in lines)
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode("latin-1") + body


class _Clock:
    """The ``Date`` header's text, made again only when the second changes."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def date(self) -> str:
        now = time.time()
        if int(now) != self._second:
            self._second, self._text = int(now), build_http_date(now)
        return self._text


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

    def handle_read(self) -> None:
        super().handle_read()
        self.server.answer_inline()  # what this read completed, answered now on this thread


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
        self._loop_thread = 0  # the thread running the loop (0: not running)
        self._clock = _Clock()
        super().__init__(*args, **kw)

    def run(self) -> None:
        self._loop_thread = threading.get_ident()
        try:
            super().run()
        finally:
            self._loop_thread = 0

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
                # answered by the loop's thread: right after the read that completed it (see
                # _GuardedChannel.handle_read), else (another thread asks) once the trigger
                # wakes the loop; never here, where waitress holds the channel's request lock
                self._inline.append((task, kept))
                if threading.get_ident() != self._loop_thread:
                    self.pull_trigger()
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

    def answer_inline(self) -> None:
        """Answer the requests the loop answers itself (on the loop's thread)."""
        while self._inline:
            channel, kept = self._inline.popleft()
            if kept is not None and self._send_kept(channel, kept):
                continue
            pinned = self.answers.pinned(kept) if kept is not None else contextlib.nullcontext()
            try:
                with pinned:
                    channel.service()
            except Exception:  # pragma: no cover - service() reports its own errors
                channel.will_close = True

    def _send_kept(self, channel: _GuardedChannel, kept: Any) -> bool:
        """Write the kept answer to the channel's first request straight onto the connection
        and finish that request as waitress' ``service`` does; ``False`` (nothing done) unless
        it is a plain HTTP/1.1 ``GET`` and nothing else is being sent on the connection."""
        request = channel.requests[0] if channel.requests else None
        if (
            request is None
            or request.command != "GET"
            or request.version != "1.1"
            or "CONNECTION" in request.headers
            or "EXPECT" in request.headers
            or channel.total_outbufs_len
            or not channel.connected
        ):
            return False
        resp = kept[1]
        data = kept_response(
            resp.status, self.answers.headers(resp), resp.body, self.adj.ident, self._clock.date()
        )
        try:
            sent = channel.send(data)
            if sent < len(data) and channel.connected:
                channel.write_soon(data[sent:])
                self.pull_trigger()  # the loop flushes the rest once the socket takes more
        except ClientDisconnected:
            pass
        if channel.current_outbuf_count > 0:  # as waitress: the next answer, a new buffer
            channel.current_outbuf_count = self.adj.outbuf_high_watermark
        request.close()
        with channel.requests_lock:
            channel.requests.pop(0)
            more = channel.connected and bool(channel.requests)
            waiting = channel.request  # a request read in part, which may wait for a "continue"
            if (
                not more
                and channel.connected
                and waiting is not None
                and waiting.expect_continue
                and waiting.headers_finished
                and not channel.sent_continue
            ):
                channel.send_continue()
        if more:  # pipelined: the next request, answered as any
            self.add_task(channel)
        channel.last_activity = time.time()
        channel.waiting_since = time.monotonic()
        return True

    def readable(self) -> bool:
        if self.stopping:  # stop_server() asked: close everything from the loop's own thread
            wasyncore.close_all(self._map)
            return False
        self.answer_inline()
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
    ``inline(method, path, query_string, accept, cache_control)``, ``pinned(kept)`` and
    ``headers(response)`` hooks by which the loop answers kept answers itself.

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
