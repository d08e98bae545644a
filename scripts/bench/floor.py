"""The framework's floor (issue 26): Litestar answering the users-count and health envelopes with
a constant, a route each and nothing else, served by Granian with `bai serve`'s settings (ASGI,
uvloop, HTTP/1.1, no access log). `make bench` serves it beside BAI and reports BAI's rate over
it: what BAI's own edge, use case and store cost on top of the framework.

    python scripts/bench/floor.py PORT WORKERS
"""

import sys

import msgspec
from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from litestar import Litestar, get, post


class Envelope(msgspec.Struct):
    code: int
    msg: str
    data: dict[str, int | str]


@post("/pb/api/system/users-count", status_code=200)
async def users_count() -> Envelope:
    return Envelope(200, "操作成功", {"total_users": 2000})


@get("/pb/api/health")
async def health() -> Envelope:
    return Envelope(200, "操作成功", {"status": "ok", "database": "ok"})


app = Litestar([users_count, health], openapi_config=None, logging_config=None, debug=False)

if __name__ == "__main__":
    port, workers = int(sys.argv[1]), int(sys.argv[2])
    Granian(
        target="floor:app",
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        log_access=False,
        http=HTTPModes.http1,
    ).serve()
