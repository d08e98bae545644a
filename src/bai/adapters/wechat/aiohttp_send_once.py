"""The one private attribute of aiohttp that BAI sets, alone here so that a change in aiohttp
shows up in one place (and in `tests/unit/test_library_workarounds.py`, which fails if aiohttp
drops it).

aiohttp sends a request again when its connection drops before any answer, to survive stale
keep-alive connections. A WeChat login code is single-use, so a second send could burn it. The
switch is `ClientSession._retry_connection`: aiohttp's own test utilities turn it off, and there
is no public one (aiohttp 3.x)."""

import aiohttp

SWITCH = "_retry_connection"


def never_resend(session: aiohttp.ClientSession) -> aiohttp.ClientSession:
    if not hasattr(session, SWITCH):
        raise RuntimeError(f"aiohttp.ClientSession has no {SWITCH}: see {__name__}")
    setattr(session, SWITCH, False)
    return session
