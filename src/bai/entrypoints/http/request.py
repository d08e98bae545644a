"""Reading JSON bodies the way SPEC wants: 415 for anything that is not JSON."""

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE


class NotJsonBody(ClientException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class JsonBodyRequest(Request[Any, Any, Any]):
    """A request whose body, when there is one, must be a JSON object sent as JSON.

    Litestar asks for `json()` only when a handler takes a body and the body is not empty.
    """

    async def body(self) -> bytes:
        """A request that declares no body (no `Content-Length` but 0, no `Transfer-Encoding`:
        RFC 9112 6.3) has none, so the server is not asked for it."""
        if not _declares_body(self.scope["headers"]):
            return b""
        return await super().body()

    async def json(self) -> Any:
        body = await self.body()
        if not is_json_media_type(self.headers.get("content-type")):
            raise NotJsonBody
        try:
            decoded = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise NotJsonBody from exc
        if not isinstance(decoded, dict):
            kind = "null" if decoded is None else type(decoded).__name__
            raise ValidationException(
                extra=[{"message": f"Expected `object`, got `{kind}`", "key": "data"}]
            )
        return decoded


def _declares_body(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <t>` or of the bare `Authorization: <t>`."""
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    token = credentials.strip() if scheme.lower() == "bearer" else authorization.strip()
    return token or None
