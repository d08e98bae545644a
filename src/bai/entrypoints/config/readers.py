"""How the text of an environment variable is read: each reader returns the value or raises
`ValueError` saying, after the variable's name, why the text is not one."""

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bai.entrypoints.http.limits import LimitsError, parse_limits

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Reader = Callable[[str], Any]


def text(raw: str) -> str:
    return raw


def whole(low: int, high: int) -> Reader:
    def read(raw: str) -> int:
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return int(raw)

    return read


def seconds(low: float, high: float) -> Reader:
    def read(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not low <= value <= high:
            raise ValueError(f"must be a number of seconds from {low:g} to {high:g}")
        return value

    return read


def choice(*options: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        if raw.lower() not in options:
            raise ValueError(f"must be {' or '.join(options)}")
        return raw.lower()

    return read


def switch(raw: str) -> bool:
    return choice("on", "off")(raw) == "on"


def networks(raw: str) -> tuple[IPNetwork, ...]:
    """CIDRs, with IPv4-mapped IPv6 ones (`::ffff:10.0.0.0/104`) as the IPv4 networks they are:
    client addresses are folded the same way."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return tuple(_unmapped(ipaddress.ip_network(part)) for part in parts)
    except ValueError as exc:
        raise ValueError(f": {exc}") from None


def networks_or_off(raw: str) -> tuple[IPNetwork, ...]:
    """CIDRs as `networks` reads them, or `off` for none."""
    return () if raw == "off" else networks(raw)


def _unmapped(network: IPNetwork) -> IPNetwork:
    if not isinstance(network, ipaddress.IPv6Network):
        return network
    first = network.network_address.ipv4_mapped
    if first is None or not network.subnet_of(ipaddress.IPv6Network("::ffff:0:0/96")):
        return network
    return ipaddress.IPv4Network((first, network.prefixlen - 96))


def limits(raw: str) -> Any:
    try:
        return parse_limits(raw)
    except LimitsError as exc:
        raise ValueError(f": {exc}") from None


def base_url(raw: str) -> str:
    return raw.rstrip("/")


REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})


def redis_url(raw: str) -> str:
    """Empty (no Redis), or a `redis://`, `rediss://` or `unix://` URL."""
    if not raw:
        return raw
    parts = urlsplit(raw)
    if parts.scheme not in REDIS_SCHEMES or not (parts.hostname or parts.path):
        raise ValueError("must be a redis://, rediss:// or unix:// URL")
    return raw
