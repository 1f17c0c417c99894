"""The small HTTP vocabulary of the server: a :class:`Response`, the request's own URL, and the
one rule that tells a browser from a SPARQL client (:func:`wants_html`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from il2kg.server.negotiate import accepted

HTML: Final = "text/html; charset=utf-8"
_HOST_RE: Final = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


@dataclass
class Response:
    """An HTTP response built by the app."""

    status: str
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def error(status: str, message: str) -> Response:
    """A ``text/plain`` error answer."""
    return Response(status, (message.rstrip() + "\n").encode())


def html_page(body: str, csp: str, status: str = "200 OK") -> Response:
    """An HTML answer with its Content-Security-Policy (``Vary: Accept``: negotiated)."""
    headers = [("Content-Security-Policy", csp), ("Vary", "Accept")]
    return Response(status, body.encode("utf-8"), HTML, headers)


def root_url(environ: dict[str, Any]) -> str:
    """The absolute URL of the application's root as the client addressed it (no final ``/``).

    The ``Host`` header is used only when it is a plain host[:port]; otherwise the address the
    server listens on.
    """
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST", "")
    if not _HOST_RE.fullmatch(host):
        name = environ.get("SERVER_NAME", "127.0.0.1")
        host = f"[{name}]" if ":" in name else name
        host += f":{environ.get('SERVER_PORT', '80')}"
    return f"{scheme}://{host}{(environ.get('SCRIPT_NAME') or '').rstrip('/')}"


def wants_html(accept: str | None, offered: Iterable[str]) -> bool:
    """Whether a request's ``Accept`` names HTML at least as high as any ``offered`` type.

    Browsers list ``text/html`` first; SPARQL clients name their result types (or ``*/*``, which
    never counts as HTML), so neither can get the other's answer by accident.
    """
    if not accept:
        return False
    ranges = accepted(accept)
    offered = set(offered)
    html_q = max((q for m, q in ranges if m in ("text/html", "application/xhtml+xml")), default=0)
    other_q = max((q for m, q in ranges if m in offered), default=0)
    return html_q > 0 and html_q >= other_q


__all__ = ["HTML", "Response", "error", "html_page", "root_url", "wants_html"]
