"""Who the client is, behind however many proxies we trust."""

import ipaddress
from collections.abc import Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: Sequence[IPNetwork]
) -> bool:
    return any(address in network for network in networks)


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """The peer, unless the peer is a trusted proxy: then the rightmost `X-Forwarded-For` entry
    that is not a trusted proxy. A client's own `X-Forwarded-For` is never believed, because the
    entries left of the first untrusted one are whatever the client chose to send."""
    if not trusted or not forwarded_for:
        return peer
    peer_address = _address(peer)
    if peer_address is None or not _trusted(peer_address, trusted):
        return peer
    for entry in reversed(forwarded_for.split(",")):
        address = _address(entry)
        if address is None:
            return peer
        if not _trusted(address, trusted):
            return str(address)
    return peer
