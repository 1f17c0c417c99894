"""A loopback TCP listener that records every connection: the witness of "no query reaches the
network" (the ``listener`` and ``net`` fixtures of conftest.py hand it to the tests)."""

from __future__ import annotations

import socket
import threading
import time


class Listener:
    """A TCP server on a free loopback port that records (and then drops) every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    head = conn.recv(4096)
                except OSError:
                    head = b""
                with self._lock:
                    self.requests.append(head or b"(connected, sent nothing)")

    def count(self, settle: float = 0.05) -> int:
        time.sleep(settle)  # a connection being accepted right now is counted too
        with self._lock:
            return len(self.requests)

    def assert_untouched(self) -> None:
        with self._lock:
            seen = list(self.requests)
        assert seen == [], f"a query reached the network: {seen[0][:200]!r}"

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()
