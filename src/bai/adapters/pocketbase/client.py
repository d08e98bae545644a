"""BAI's calls to a live PocketBase: `POST /api/bai/{op}` (the route of
`contrib/pocketbase/pb_hooks/bai.pb.js`) as the superuser named in `BAI_DATABASE_URL`."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from bai.domain.errors import StorageUnavailable

logger = logging.getLogger("bai.storage")
SCHEMES = {"pocketbase": "http", "pocketbase+https": "https"}
SIGN_IN = "/api/collections/_superusers/auth-with-password"
SIGN_IN_PAUSES = (1.0, 2.0, 0.0)  # after a 429, before the next try; the last try has none
EXPECTED = (
    "expected pocketbase://SUPERUSER_EMAIL:PASSWORD@HOST:PORT, email and password URL-encoded"
)
# A burst queues for a few kept connections rather than opening one per request: PocketBase
# writes one at a time and runs its hooks on 15 prewarmed JS VMs (building a throwaway VM for
# each call beyond them), and on a loaded machine a burst of new connections ran out of time.
CONNECTIONS = 8
QUEUE_SECONDS = 10.0
TIMEOUT = httpx.Timeout(5.0, connect=2.0, pool=QUEUE_SECONDS)
LIMITS = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
Answer = tuple[int, dict[str, Any]]
T = TypeVar("T")
_HOOK_SAYS = b'{"message":"BAI: '


@dataclass(frozen=True, slots=True)
class Target:
    base_url: str
    email: str
    password: str


def target_of(url: str) -> Target:
    """`pocketbase://EMAIL:PASSWORD@HOST:PORT` (email and password URL-encoded), or
    `pocketbase+https://`. A malformed URL is refused with a fixed message: the URL holds a
    password, so no part of it is ever quoted back."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(EXPECTED) from None
    past_host = parts.path + parts.query + parts.fragment  # an @ there: a password's / ? #
    if parts.scheme not in SCHEMES or not parts.hostname or "@" in past_host:
        raise ValueError(EXPECTED)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Target(
        f"{SCHEMES[parts.scheme]}://{host}{f':{port}' if port else ''}",
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def _answer(response: httpx.Response, op: str) -> Answer:
    """The status and JSON of an answer of BAI's route: 200, or 409 (a unique value taken).
    Anything else (no route or no such op: the hook is not installed, or older than BAI; 503
    from the hook: a migration not run; PocketBase refusing what the hook saved, e.g. a field
    rule of its own; a server error) is `StorageUnavailable`, logged."""
    status = response.status_code
    if status == httpx.codes.NOT_FOUND:
        unknown = response.content.startswith(b'{"message":"unknown')
        reason = (
            f"PocketBase's BAI hook has no op {op}: install contrib/pocketbase/pb_hooks of this BAI"
            if unknown
            else "PocketBase has no /api/bai route: install contrib/pocketbase/pb_hooks"
        )
        logger.error(reason)
        raise StorageUnavailable(reason)
    if status == httpx.codes.SERVICE_UNAVAILABLE and response.content.startswith(_HOOK_SAYS):
        reason = response.json()["message"]  # the hook's own words: a migration not run
        logger.error(reason)
        raise StorageUnavailable(reason)
    if status not in {httpx.codes.OK, httpx.codes.CONFLICT}:
        reason = f"PocketBase answered {status} to {op}"
        logger.warning("storage unavailable: %s", reason)
        raise StorageUnavailable(reason)
    try:
        body = response.json()
    except ValueError:
        raise StorageUnavailable(f"PocketBase's answer to {op} is not JSON") from None
    return status, body if isinstance(body, dict) else {}


def served_as(convert: Callable[[dict[str, Any]], T], record: dict[str, Any], collection: str) -> T:
    """`convert(record)`, for a record of `collection` in an answer of BAI's hook. One edited
    inside PocketBase into something BAI cannot use (`convert` raises ValueError, saying
    which field) is logged, by id, and is `StorageUnavailable`."""
    try:
        return convert(record)
    except ValueError as exc:
        reason = str(exc)
    logger.error("%s record %s cannot be served: %s", collection, record.get("id"), reason)
    raise StorageUnavailable


def served_all(
    convert: Callable[[dict[str, Any]], T], answer: dict[str, Any], key: str, collection: str
) -> list[T]:
    """The records listed under `key` in an answer of BAI's hook, each `served_as` `convert`
    gives it (none when the answer lists none)."""
    records = answer.get(key)
    if not isinstance(records, list):
        return []
    return [
        served_as(convert, record, collection) for record in records if isinstance(record, dict)
    ]


def _token(response: httpx.Response) -> str:
    if response.status_code != httpx.codes.OK:
        reason = f"PocketBase refused BAI_DATABASE_URL's superuser ({response.status_code})"
        logger.error(reason)
        raise StorageUnavailable(reason)
    token: str = response.json().get("token", "")
    return token


def _unreachable(exc: httpx.HTTPError) -> StorageUnavailable:
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    logger.warning("storage unavailable: %s", reason)
    return StorageUnavailable(reason)


class PocketBaseClient:
    """One HTTP client per process, signed in as the superuser on first use and again when its
    token is refused (expired, or the superuser's sessions revoked). A sign-in that PocketBase's
    rate limit refuses (429) is tried again after a pause. At most CONNECTIONS calls are in
    flight, on connections kept open; the others wait their turn, up to QUEUE_SECONDS."""

    def __init__(self, url: str) -> None:
        self._target = target_of(url)
        self._http = httpx.AsyncClient(
            base_url=self._target.base_url, timeout=TIMEOUT, limits=LIMITS
        )
        self._token = ""
        self._signing_in = asyncio.Lock()

    async def call(self, op: str, **body: Any) -> Answer:
        for attempt in range(2):
            token = self._token or await self._sign_in()
            try:
                response = await self._http.post(
                    f"/api/bai/{op}", json=body, headers={"Authorization": token}
                )
            except httpx.HTTPError as exc:
                raise _unreachable(exc) from exc
            if response.status_code in {401, 403} and attempt == 0:
                self._token = ""
                continue
            return _answer(response, op)
        raise StorageUnavailable(f"PocketBase refused BAI's superuser token for {op}")

    async def collection_secret(self) -> tuple[str, str]:
        _, answer = await self.call("secret")
        return str(answer.get("collection_id", "")), str(answer.get("secret", ""))

    async def _sign_in(self) -> str:
        async with self._signing_in:
            body = {"identity": self._target.email, "password": self._target.password}
            for pause in SIGN_IN_PAUSES:
                if self._token:
                    break
                try:
                    response = await self._http.post(SIGN_IN, json=body)
                except httpx.HTTPError as exc:
                    raise _unreachable(exc) from exc
                if response.status_code == httpx.codes.TOO_MANY_REQUESTS and pause:
                    await asyncio.sleep(pause)
                    continue
                self._token = _token(response)
            return self._token

    async def aclose(self) -> None:
        await self._http.aclose()


def collection_secret(url: str) -> tuple[str, str]:
    """The id and token secret of the PocketBase's `tbl_auth_users`, read at start (the tokens
    BAI issues are PocketBase's own, so they come from there). Synchronous, for the composition
    root: the client's own call, on an event loop of its own in a thread (containers are made
    both before and inside running loops)."""

    async def read() -> tuple[str, str]:
        client = PocketBaseClient(url)
        try:
            return await client.collection_secret()
        finally:
            await client.aclose()

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, read()).result()
