"""BAI's HTTP client to a live PocketBase under a burst: a few connections, kept open."""

import asyncio
from urllib.parse import urlsplit

from bai.adapters.pocketbase.client import CONNECTIONS, PocketBaseClient
from tests.support.pocketbase import PocketBase
from tests.support.tcp_proxy import TcpProxy


async def test_bursts_of_calls_are_answered_over_a_few_kept_connections(
    pocketbase_server: PocketBase,
) -> None:
    address = urlsplit(pocketbase_server.url)
    proxy = TcpProxy(address.hostname or "", address.port or 0)
    client = PocketBaseClient(
        pocketbase_server.storage_url.replace(f":{address.port}", f":{proxy.port}")
    )
    try:
        for _ in range(2):
            answers = await asyncio.gather(*(client.call("count") for _ in range(200)))
            assert {status for status, _ in answers} == {200}
    finally:
        await client.aclose()
        proxy.close()

    assert proxy.accepted <= CONNECTIONS
