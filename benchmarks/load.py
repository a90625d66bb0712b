"""A lean HTTP/1.1 load generator: many keep-alive connections, one thread.

It spends far less CPU per request than a Python HTTP client library would,
so that on a small machine the server, not the client, is what is measured.
"""

from __future__ import annotations

import selectors
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass
class _Connection:
    sock: socket.socket
    requests: Iterator[bytes]
    buffer: bytearray = field(default_factory=bytearray)


def _response_length(buffer: bytearray) -> tuple[int, int] | None:
    """(status, total length) once the head of a response has arrived."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = next(
        (int(line.split(":", 1)[1]) for line in head[1:] if line.lower().startswith("content-length:")),
        0,
    )
    return status, end + 4 + length


def run(
    servers: list[tuple[str, int]],
    streams: list[Iterator[bytes]],
    on_response: Callable[[int, bytes], None],
) -> None:
    """Sends each stream's requests in order on its own connection; the
    connections are spread over the servers in turn, as a load balancer would."""
    selector = selectors.DefaultSelector()
    for n, stream in enumerate(streams):
        sock = socket.create_connection(servers[n % len(servers)])
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = _Connection(sock, stream)
        if _send_next(conn):
            selector.register(sock, selectors.EVENT_READ, conn)
        else:
            sock.close()
    while selector.get_map():
        for key, _ in selector.select(timeout=30):
            conn = key.data
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed a connection")
            conn.buffer += chunk
            parsed = _response_length(conn.buffer)
            if parsed is None or len(conn.buffer) < parsed[1]:
                continue
            status, length = parsed
            on_response(status, bytes(conn.buffer[:length]))
            del conn.buffer[:length]
            if not _send_next(conn):
                selector.unregister(conn.sock)
                conn.sock.close()


def _send_next(conn: _Connection) -> bool:
    request = next(conn.requests, None)
    if request is None:
        return False
    conn.sock.sendall(request)
    return True


def get(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(host: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
