"""Who the client is, behind however many proxies we trust."""

import ipaddress
import re
from collections.abc import Sequence

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPV6_SUBSCRIBER_PREFIX = 64
MAX_PORT = 65_535
_PORT = re.compile(r"[0-9]{1,5}")


def _address(text: str) -> IPAddress | None:
    """The address, with an IPv4-mapped IPv6 address (`::ffff:9.9.9.9`) as the IPv4 one it is."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _forwarded(entry: str) -> IPAddress | None:
    """An `X-Forwarded-For` entry's address, as some proxies write it with the client's port:
    `ip`, `ip:port`, `[v6]` or `[v6]:port` (a bare IPv6 address is never read as one with a
    port: its last group is part of it)."""
    text = entry.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and _port(rest[1:]))):
            return None
        return _address(host) if ":" in host else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return _address(host) if _port(port) else None
    return _address(text)


def _port(text: str) -> bool:
    return _PORT.fullmatch(text) is not None and int(text) <= MAX_PORT


def _canonical(peer: str) -> str:
    """The peer as the server wrote it, unless it is IPv6 (which has spellings to fold)."""
    if ":" not in peer:
        return peer
    address = _address(peer)
    return str(address) if address is not None else peer


def _trusted(address: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(address in network for network in networks)


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[IPNetwork]) -> str:
    """The peer, unless the peer is a trusted proxy: then the rightmost `X-Forwarded-For` entry,
    over all the header's lines, that is not a trusted proxy (without the port some proxies
    write). A client's own `X-Forwarded-For` is never believed, because the entries left of the
    first untrusted one are whatever the client chose to send (a forged first line included)."""
    client = _canonical(peer)
    if not trusted or not forwarded_for:
        return client
    peer_address = _address(peer)
    if peer_address is None or not _trusted(peer_address, trusted):
        return client
    for entry in reversed(",".join(forwarded_for).split(",")):
        address = _forwarded(entry)
        if address is None:
            return client
        if not _trusted(address, trusted):
            return str(address)
    return client


def limit_key(client: str) -> str:
    """What a rate limit counts: the address, or for IPv6 its /64, which is one subscriber's
    (a host can pick any of its 2^64 addresses, so counting them apart counts nothing)."""
    address = _address(client)
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_SUBSCRIBER_PREFIX), strict=False)
        return str(network)
    return client


def within(client: str, networks: Sequence[IPNetwork]) -> bool:
    """Whether the client address is in one of the networks (never, for what is not an address)."""
    address = _address(client)
    return address is not None and _trusted(address, networks)
