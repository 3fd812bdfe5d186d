"""A stand-in for Redis that holds every ``SET`` until the test releases it: a replay store that
is up but slow (as under ``CLIENT PAUSE``), with a count of the checks waiting on it, so a test
knows they are waiting without sleeping. Other commands (the client's hello on connect) are
answered ``+OK`` at once. It serves from a thread of its own."""

from __future__ import annotations

import socket
import socketserver
import threading


def _commands(buffer: bytes) -> tuple[list[list[bytes]], bytes]:
    """The RESP commands complete in ``buffer``, and what is left of it."""
    found: list[list[bytes]] = []
    while True:
        start = buffer
        head, sep, rest = buffer.partition(b"\r\n")
        if not sep or not head.startswith(b"*"):
            return found, start
        args: list[bytes] = []
        for _ in range(int(head[1:])):
            size, sep, rest = rest.partition(b"\r\n")
            length = int(size[1:]) if sep else -1
            if length < 0 or len(rest) < length + 2:
                return found, start
            args.append(rest[:length])
            rest = rest[length + 2 :]
        found.append(args)
        buffer = rest


class HeldStore:
    """``with HeldStore() as store``: ``store.url``, ``store.wait_for_sets(n)``, ``store.release()``.

    ``HeldStore(answer_after=1.5)`` answers each ``SET`` by itself that many seconds after it
    arrived: a store that is up but slower than one second."""

    def __init__(self, answer_after: float | None = None) -> None:
        self._held: list[socket.socket] = []
        self._changed = threading.Condition()
        store = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                pending = b""
                while True:
                    try:
                        chunk = self.request.recv(65536)
                    except OSError:
                        return
                    if not chunk:
                        return
                    found, pending = _commands(pending + chunk)
                    for args in found:
                        if args[0].upper() == b"SET" and answer_after is not None:
                            threading.Timer(answer_after, self.request.sendall, (b"+OK\r\n",)).start()
                        elif args[0].upper() == b"SET":
                            with store._changed:
                                store._held.append(self.request)
                                store._changed.notify_all()
                        else:
                            self.request.sendall(b"+OK\r\n")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"redis://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HeldStore:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for_sets(self, count: int) -> None:
        """Returns once ``count`` SETs have arrived and are held."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._held) >= count)

    def release(self) -> None:
        """Answers every held SET as a first delivery."""
        with self._changed:
            held, self._held = self._held, []
        for connection in held:
            connection.sendall(b"+OK\r\n")
