import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from bai.entrypoints.http.client_address import client_address, limit_key

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
public_ipv4 = st.ip_addresses(v=4).filter(lambda a: not a.is_private).map(str)
anything = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60)


@given(peer=public_ipv4, spoofed=anything)
def test_an_untrusted_peer_is_the_client_whatever_it_forwards(peer: str, spoofed: str) -> None:
    assert client_address(peer, [spoofed], PROXIES) == peer


@given(client=public_ipv4, spoofed=st.lists(anything.filter(lambda t: "," not in t), max_size=4))
def test_behind_our_proxy_the_client_is_what_the_proxy_appended(
    client: str, spoofed: list[str]
) -> None:
    forwarded = ", ".join([*spoofed, client])

    assert client_address("10.0.0.5", [forwarded], PROXIES) == client


@given(client=public_ipv4)
def test_chains_of_our_proxies_are_skipped(client: str) -> None:
    assert client_address("10.0.0.5", [f"{client}, 10.1.1.1, 10.2.2.2"], PROXIES) == client


def test_without_trusted_proxies_forwarded_headers_are_ignored() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], ()) == "203.0.113.9"


def test_a_trusted_peer_without_forwarded_header_is_the_client() -> None:
    assert client_address("10.0.0.5", [], PROXIES) == "10.0.0.5"


def test_garbage_where_the_proxy_writes_falls_back_to_the_peer() -> None:
    assert client_address("10.0.0.5", ["198.51.100.1, not-an-ip"], PROXIES) == "10.0.0.5"


def test_ipv6_proxies_and_clients() -> None:
    assert client_address("::1", ["2001:db8::7"], PROXIES) == "2001:db8::7"


def test_only_proxies_in_the_chain_means_the_peer() -> None:
    assert client_address("10.0.0.5", ["10.9.9.9"], PROXIES) == "10.0.0.5"


@given(client=public_ipv4, spoofed=st.lists(anything, max_size=3))
def test_a_forged_first_line_does_not_hide_the_line_our_proxy_appended(
    client: str, spoofed: list[str]
) -> None:
    assert client_address("10.0.0.5", [*spoofed, client], PROXIES) == client


@given(address=public_ipv4)
def test_an_ipv4_mapped_address_is_the_ipv4_client(address: str) -> None:
    mapped = f"::ffff:{address}"

    assert client_address(mapped, [], ()) == address
    assert client_address("10.0.0.5", [mapped], PROXIES) == address
    assert client_address("::ffff:10.0.0.5", [mapped], PROXIES) == address


@given(address=st.ip_addresses(v=6, network="2000::/3"), host=st.integers(0, 2**64 - 1))
def test_ipv6_clients_are_counted_by_their_64(address: ipaddress.IPv6Address, host: int) -> None:
    same_subscriber = ipaddress.IPv6Address((int(address) >> 64 << 64) | host)

    assert limit_key(str(address)) == limit_key(str(same_subscriber))


@given(address=public_ipv4)
def test_ipv4_clients_are_counted_by_their_address(address: str) -> None:
    assert limit_key(address) == address
