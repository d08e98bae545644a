"""BAI's calls to a live PocketBase: `POST /api/bai/{op}` (the route of
`contrib/pocketbase/pb_hooks/bai.pb.js`) as the superuser named in `BAI_DATABASE_URL`."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from bai.domain.errors import StorageUnavailable

logger = logging.getLogger("bai.storage")
SCHEMES = {"pocketbase": "http", "pocketbase+https": "https"}
SIGN_IN = "/api/collections/_superusers/auth-with-password"
TIMEOUT = httpx.Timeout(5.0, connect=2.0)
Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Target:
    base_url: str
    email: str
    password: str


def target_of(url: str) -> Target:
    """`pocketbase://EMAIL:PASSWORD@HOST:PORT` (the email URL-encoded), or `pocketbase+https://`."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError("expected pocketbase://SUPERUSER_EMAIL:PASSWORD@HOST:PORT")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = f":{parts.port}" if parts.port else ""
    return Target(
        f"{SCHEMES[parts.scheme]}://{host}{port}",
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def _answer(response: httpx.Response, op: str) -> Answer:
    """The status and JSON of a call; `StorageUnavailable` for what is not BAI's route answering."""
    route_missing = not response.content.startswith(b'{"message":"unknown')
    if response.status_code == httpx.codes.NOT_FOUND and route_missing:
        logger.error("PocketBase has no /api/bai route: install contrib/pocketbase/pb_hooks")
        raise StorageUnavailable
    if response.status_code >= 500:  # noqa: PLR2004
        logger.warning(
            "storage unavailable: PocketBase answered %s to %s", response.status_code, op
        )
        raise StorageUnavailable
    try:
        body = response.json()
    except ValueError:
        raise StorageUnavailable from None
    return response.status_code, body if isinstance(body, dict) else {}


def _token(response: httpx.Response) -> str:
    if response.status_code != 200:  # noqa: PLR2004
        logger.error(
            "PocketBase refused the superuser of BAI_DATABASE_URL (%s)", response.status_code
        )
        raise StorageUnavailable
    token: str = response.json().get("token", "")
    return token


class PocketBaseClient:
    """One HTTP client per process, signed in as the superuser on first use and again when its
    token is refused (expired, or the superuser's sessions revoked)."""

    def __init__(self, url: str) -> None:
        self._target = target_of(url)
        self._http = httpx.AsyncClient(base_url=self._target.base_url, timeout=TIMEOUT)
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
                logger.warning("storage unavailable: %s", type(exc).__name__)
                raise StorageUnavailable from exc
            if response.status_code in {401, 403} and attempt == 0:
                self._token = ""
                continue
            return _answer(response, op)
        raise StorageUnavailable

    async def _sign_in(self) -> str:
        async with self._signing_in:
            if not self._token:
                body = {"identity": self._target.email, "password": self._target.password}
                try:
                    self._token = _token(await self._http.post(SIGN_IN, json=body))
                except httpx.HTTPError as exc:
                    logger.warning("storage unavailable: %s", type(exc).__name__)
                    raise StorageUnavailable from exc
            return self._token

    async def aclose(self) -> None:
        await self._http.aclose()


def collection_secret(url: str) -> tuple[str, str]:
    """The id and token secret of the PocketBase's `tbl_auth_users`, read once at start (the
    tokens BAI issues are PocketBase's own, so they come from there)."""
    target = target_of(url)
    body = {"identity": target.email, "password": target.password}
    try:
        with httpx.Client(base_url=target.base_url, timeout=TIMEOUT) as http:
            token = _token(http.post(SIGN_IN, json=body))
            _, answer = _answer(
                http.post("/api/bai/secret", headers={"Authorization": token}), "secret"
            )
    except httpx.HTTPError as exc:
        logger.warning("storage unavailable: %s", type(exc).__name__)
        raise StorageUnavailable from exc
    return str(answer.get("collection_id", "")), str(answer.get("secret", ""))
