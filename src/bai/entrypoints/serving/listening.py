"""Whether `bai serve` can listen where it is told, asked before the server starts: Granian
binds with SO_REUSEPORT, so a second server on a taken port would start and silently share its
traffic instead of refusing."""

import errno
import socket
from typing import Any


def _resolved(host: str, port: int) -> tuple[Any, ...] | None:
    """The address a server told `host` listens on (the first the resolver gives), or None."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):  # unknown name; a malformed one (IDNA)
        return None
    return addresses[0]


def bind_address(host: str, port: int) -> str:
    """`host` as the IP address Granian needs (it takes no names: `localhost` -> `127.0.0.1`).
    Ask `why_not_listen` first."""
    resolved = _resolved(host, port)
    return str(resolved[4][0]) if resolved else host


def why_not_listen(host: str, port: int) -> str | None:
    """None when `host:port` can be listened on; otherwise one line saying why not."""
    resolved = _resolved(host, port)
    if resolved is None:
        return f"BAI_HOST {host!r} does not resolve to an address"
    family, kind, protocol, _, address = resolved
    with socket.socket(family, kind, protocol) as probe:
        # SO_REUSEADDR: connections of a server that just stopped (TIME_WAIT, FIN_WAIT) do not
        # hold the port, as they do not for Granian; without SO_REUSEPORT a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"BAI_PORT {port} on {host} is taken by another process"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return None
