import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.entrypoints.http.client_address import client_address, limit_key

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))
public_ipv4 = st.ip_addresses(v=4).filter(lambda a: not a.is_private).map(str)
public_ipv6 = st.ip_addresses(v=6, network="2000::/3").map(str)
ports = st.integers(0, 65_535)
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


@st.composite
def written_with_a_port(draw: st.DrawFn) -> tuple[str, str]:
    """A client address and one way a proxy writes it: `ip:port`, `[v6]:port`, `[v6]`, bare."""
    v4, v6, port = draw(public_ipv4), draw(public_ipv6), draw(ports)
    return draw(
        st.sampled_from(
            [(v4, f"{v4}:{port}"), (v6, f"[{v6}]:{port}"), (v6, f"[{v6}]"), (v6, v6), (v4, v4)]
        )
    )


@given(client=written_with_a_port(), before=st.lists(anything.filter(lambda t: "," not in t)))
def test_a_client_address_written_with_its_port_is_that_address(
    client: tuple[str, str], before: list[str]
) -> None:
    address, written = client
    forwarded = ", ".join([*before, written])

    assert client_address("10.0.0.5", [forwarded], PROXIES) == address
    assert client_address("::1", [forwarded, "10.1.1.1:8080"], PROXIES) == address


@given(client=written_with_a_port(), proxy_port=ports)
def test_our_proxies_written_with_a_port_are_skipped(
    client: tuple[str, str], proxy_port: int
) -> None:
    address, written = client
    chain = f"{written}, 10.1.1.1:{proxy_port}, [::1]:{proxy_port}"

    assert client_address("10.0.0.5", [chain], PROXIES) == address


@given(entry=st.text(max_size=40))
def test_any_entry_is_the_address_it_holds_or_the_peer_never_a_crash(entry: str) -> None:
    client = client_address("10.0.0.5", [entry], PROXIES)

    assert client == "10.0.0.5" or ipaddress.ip_address(client)


@pytest.mark.parametrize(
    "entry",
    [
        "203.0.113.9:",
        "203.0.113.9:65536",
        "203.0.113.9:8O",
        "203.0.113.9:²",
        "203.0.113.9:" + "9" * 5000,
        "[2001:db8::1]:",
        "[2001:db8::1]x",
        "[2001:db8::1",
        "[203.0.113.9]:80",
        "2001:db8::1]:80",
        "[]:80",
    ],
)
def test_a_malformed_port_or_bracket_is_not_an_address(entry: str) -> None:
    assert client_address("10.0.0.5", [entry], PROXIES) == "10.0.0.5"
