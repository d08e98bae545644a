"""Reading request bodies the way SPEC wants: 415 for anything that is not UTF-8 JSON, a clear
4xx for a body that never arrives whole, and never a 500 for anything a client can send."""

import asyncio
from collections.abc import Iterable
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.exceptions import ClientException
from litestar.status_codes import (
    HTTP_408_REQUEST_TIMEOUT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

MAX_BODY_BYTES: Final = 64 * 1024
BODY_TIMEOUT: Final = "body_timeout"  # the app state's key: seconds a body may take to arrive
UTF8_CHARSETS: Final = frozenset({"utf-8", "utf8"})


class NotJsonBody(ClientException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE


class BodyTooLarge(ClientException):
    status_code = HTTP_413_REQUEST_ENTITY_TOO_LARGE


class BodyIncomplete(ClientException):
    """The client went away, or the HTTP layer gave up on the body (a malformed chunk)."""


class BodyTooSlow(ClientException):
    status_code = HTTP_408_REQUEST_TIMEOUT


class BodyNotObject(ClientException):
    """JSON, but not an object (an array, a string, null, ...): 400."""


JSON_OBJECT: Final = "bai.json_object"  # the scope state's key: the body, once decoded


def json_object(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    """The request's body as decoded by `JsonBodyRequest.json`, when it got that far."""
    decoded = request.state.get(JSON_OBJECT)
    return decoded if isinstance(decoded, dict) else None


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json` or `application/*+json`, in UTF-8 (RFC 8259 8.1): a body declared in
    another charset is not JSON to us."""
    media_type, _, parameters = (content_type or "").partition(";")
    media_type = media_type.strip().lower()
    if not (
        media_type == "application/json"
        or (media_type.startswith("application/") and media_type.endswith("+json"))
    ):
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            UTF8_CHARSETS
        ):
            return False
    return True


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose body, when there is one, must be a JSON object sent as UTF-8 JSON.

    Litestar asks for `json()` only when a handler takes a body and the body is not empty. The
    body is read from the ASGI `receive` channel here, so that every way it can fail to arrive
    is a client error: too large (413), not all there in time (408, `BAI_HTTP_BODY_TIMEOUT`), cut
    off (400).
    """

    _received: bytes | None = None

    async def body(self) -> bytes:
        """A request that declares no body (no `Content-Length` but 0, no `Transfer-Encoding`:
        RFC 9112 6.3) has none, so the server is not asked for it."""
        if self._received is None:
            headers = self.scope["headers"]
            self._received = await self._read() if _declares_body(headers) else b""
        return self._received

    async def _read(self) -> bytes:
        if _declared_length(self.scope["headers"]) > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.app.state[BODY_TIMEOUT]):
                while True:
                    message = await self.receive()
                    if message["type"] != "http.request":
                        raise BodyIncomplete
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > MAX_BODY_BYTES:
                        raise BodyTooLarge
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError as exc:
            raise BodyTooSlow from exc

    async def json(self) -> Any:
        body = await self.body()
        if not is_json_media_type(self.headers.get("content-type")):
            raise NotJsonBody
        try:
            decoded = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
            # Not JSON, not UTF-8, or nested deeper than the decoder goes: not parseable JSON.
            raise NotJsonBody from exc
        if not isinstance(decoded, dict):
            raise BodyNotObject
        self.scope.setdefault("state", {})[JSON_OBJECT] = decoded
        return decoded


def _declares_body(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def _declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else 0
    return 0


def header_text(value: str | None) -> str | None:
    """A header as its sender wrote it: ASGI hands headers over as Latin-1, and clients send
    UTF-8 (a `User-Agent` naming a phone in Chinese); what is not UTF-8 becomes U+FFFD."""
    if value is None or value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # not from the wire: already text
        return value
