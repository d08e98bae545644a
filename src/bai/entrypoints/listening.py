"""Whether `bai serve` can listen where it is told, asked before the server starts: Granian
binds with SO_REUSEPORT, so a second server on a taken port would start and silently share its
traffic instead of refusing."""

import errno
import socket


def why_not_listen(host: str, port: int) -> str | None:
    """None when `host:port` can be listened on; otherwise one line saying why not."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):  # unknown name; a malformed one (IDNA)
        return f"BAI_HOST {host!r} does not resolve to an address"
    family, kind, protocol, _, address = addresses[0]
    with socket.socket(family, kind, protocol) as probe:
        try:
            probe.bind(address)  # no SO_REUSEPORT: a listener already there refuses the bind
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"BAI_PORT {port} on {host} is taken by another process"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return None
