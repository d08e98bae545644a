"""The one place where errors become HTTP statuses and `{code, msg, data}` envelopes."""

import logging
import traceback
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from bai.domain.errors import (
    BaiError,
    InvalidInput,
    NotAuthenticated,
    ServiceFailure,
    StorageUnavailable,
    TooManyRequests,
    UserNotFound,
)

from .events import auth_refused
from .request import BodyNotObject, json_object
from .schemas import ErrorResponse

logger = logging.getLogger("bai.http")

STATUS_BY_ERROR: Final[dict[type[BaiError], int]] = {
    InvalidInput: 400,
    NotAuthenticated: 401,
    UserNotFound: 404,
    TooManyRequests: 429,
    ServiceFailure: 500,
}

MESSAGE_BY_STATUS: Final[dict[int, str]] = {
    400: "请求参数错误",
    401: "未登录或登录已失效",
    403: "没有权限",
    404: "请求的接口不存在",
    405: "请求方法不被允许",
    408: "请求超时,请重试",
    413: "请求体过大",
    415: "请求体必须是 JSON",
    429: "请求过于频繁,请稍后再试",
    500: "服务器内部错误,请稍后重试",
    503: "服务暂时不可用,请稍后重试",
}
DEFAULT_RETRY_AFTER_SECONDS: Final = 1


def status_for(error: BaiError) -> int:
    return next(STATUS_BY_ERROR[kind] for kind in type(error).__mro__ if kind in STATUS_BY_ERROR)


def envelope(
    status: int, msg: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Response[ErrorResponse]:
    return Response(
        ErrorResponse(code=status, msg=msg, data=data or {}), status_code=status, headers=headers
    )


def _domain_error(request: Request[Any, Any, Any], error: BaiError) -> Response[ErrorResponse]:
    status = status_for(error)
    if isinstance(error, ServiceFailure):
        why = f" ({error.reason})" if isinstance(error, StorageUnavailable) and error.reason else ""
        logger.warning("request failed: %s%s", type(error).__name__, why)
    else:
        auth_refused(request, _reason(error))
    headers = None
    if isinstance(error, TooManyRequests):
        headers = {"Retry-After": str(error.retry_after or DEFAULT_RETRY_AFTER_SECONDS)}
    return envelope(status, error.message, error.details, headers)


def _reason(error: BaiError) -> str:
    field = error.details.get("field")
    return f"{type(error).__name__}:{field}" if field else type(error).__name__


def _validation_error(
    request: Request[Any, Any, Any], error: ValidationException
) -> Response[ErrorResponse]:
    problems = error.extra if isinstance(error.extra, list) else []
    first: dict[str, Any] = problems[0] if problems and isinstance(problems[0], dict) else {}
    reason, key = str(first.get("message", "")), str(first.get("key", ""))
    if key not in {"", "data"}:
        return envelope(400, f"参数 {key} 格式不正确", {"field": key, "reason": reason})
    if (field := _missing_field(request)) is not None:
        return envelope(400, f"缺少必填参数 {field}", {"field": field, "reason": "required"})
    return envelope(400, "请求体不能为空", {"reason": "a JSON object body is required"})


def _missing_field(request: Request[Any, Any, Any]) -> str | None:
    """The first required field of the route's body that the body lacks, read from the body's
    struct (not from the validator's English)."""
    body, data = json_object(request), request.route_handler.parsed_data_field
    if body is None or data is None:
        return None
    for kind in (data.annotation, *(inner.annotation for inner in data.inner_types)):
        if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            required = (f.encode_name for f in msgspec.structs.fields(kind) if f.required)
            return next((name for name in required if name not in body), None)
    return None


def _not_an_object(_: Request[Any, Any, Any], __: BodyNotObject) -> Response[ErrorResponse]:
    return envelope(400, "请求体必须是 JSON 对象", {"reason": "the body must be a JSON object"})


def _http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[ErrorResponse]:
    status = error.status_code
    headers = {"Retry-After": str(DEFAULT_RETRY_AFTER_SECONDS)} if status == 429 else None  # noqa: PLR2004
    if status >= 500:  # noqa: PLR2004
        return _unexpected(_, error)
    return envelope(
        status,
        MESSAGE_BY_STATUS.get(status, "请求失败"),
        None,
        {**(error.headers or {}), **(headers or {})},
    )


def _unexpected(_: Request[Any, Any, Any], error: Exception) -> Response[ErrorResponse]:
    # Only the type and the frames: library messages can quote SQL parameters or URLs.
    logger.error(
        "unhandled %s\n%s", type(error).__name__, "".join(traceback.format_tb(error.__traceback__))
    )
    return envelope(500, MESSAGE_BY_STATUS[500])


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    BaiError: _domain_error,
    ValidationException: _validation_error,
    BodyNotObject: _not_an_object,
    HTTPException: _http_error,
    Exception: _unexpected,
}
