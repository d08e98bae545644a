"""WeChat's push route, `/pb/api/wechat/push/{appid}` (SPEC "WeChat's push events"): the
handshake and the events, checked before anything is read and applied before WeChat is answered,
in WeChat's plain text; every refusal a 4xx envelope that changes nothing."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from litestar import Request, Response
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.adapters.wechat.push_crypto import (
    BadSignature,
    MalformedPush,
    PushKey,
    PushRefusalReason,
    PushRefused,
    StalePush,
    decrypt,
    handshake_signature_matches,
    message_signature_matches,
)
from bai.adapters.wechat.push_messages import read_encrypt, read_fields
from bai.domain.push_events import PushEvent, PushEventType
from bai.domain.use_cases.push_events import ApplyPushEvent
from bai.domain.values import WECHAT_ID_MAX_LENGTH
from bai.entrypoints.config.wechat_apps import WeChatApps
from bai.ports.clock import Clock

from .errors import MESSAGE_BY_STATUS, envelope
from .openapi_parts import errors
from .route_table import PUSH, PUSH_CHECK, serves

PLAIN_TEXT: Final = "text/plain"  # Litestar adds the charset
NOT_SNIFFED: Final = {"X-Content-Type-Options": "nosniff"}  # the echo is text, never a page
STATUS_BY_REASON: Final[dict[str, int]] = {
    PushRefusalReason.BAD_SIGNATURE: 401,
    PushRefusalReason.STALE: 401,
    PushRefusalReason.PLAINTEXT: 403,
}
MAX_ECHOSTR: Final = 256  # WeChat's are about 20 digits
# A push is signed with the time WeChat sent it, and WeChat's retries come within seconds: one
# signed longer ago than this (or ahead of the clock by as much) is a replay. The record of
# events outlives it (`BAI_PUSH_EVENT_RETENTION` is a day at least), so a replay inside the
# window meets its record and changes nothing.
FRESH_SECONDS: Final = 3600
# What WeChat's fields hold; anything else is not WeChat's and is refused, never stored.
EVENT_TEXT: Final = re.compile(r"[\x21-\x7e]{0,64}")  # lower_snake names: printable ASCII
REVOKE_CODES: Final = re.compile(r"[0-9, ]{0,128}")
CREATE_TIME: Final = re.compile(r"[0-9]{1,12}")
OPENID_TEXT: Final = re.compile(rf"[\x21-\x7e]{{0,{WECHAT_ID_MAX_LENGTH}}}")
EVENT_LABELS: Final = frozenset(PushEventType)


@dataclass(frozen=True, slots=True)
class PushApp:
    """An app's push settings: its Token and its keys, the current one first."""

    token: str
    keys: tuple[PushKey, ...]

    def __repr__(self) -> str:
        return "PushApp(...)"


def push_apps(apps: WeChatApps) -> dict[str, PushApp]:
    """The apps with push settings, by app id (their keys were checked at start-up)."""
    return {
        app.appid: PushApp(
            app.push_token,
            tuple(
                PushKey.from_encoding_aes_key(key)
                for key in (app.push_aes_key, app.push_aes_key_previous)
                if key
            ),
        )
        for app in apps.apps
        if app.push_token
    }


def push_handlers(
    apply: ApplyPushEvent, apps: Mapping[str, PushApp], metrics: PrometheusMetrics, clock: Clock
) -> list[HTTPRouteHandler]:
    def refused(appid: str, reason: str) -> Response[Any]:
        metrics.push_refused(appid, reason)
        status = STATUS_BY_REASON.get(reason, 400)
        return envelope(status, MESSAGE_BY_STATUS[status], {"reason": reason})

    @serves(
        PUSH_CHECK,
        operation_id="getWechatPush",
        summary="微信消息推送:服务器地址验证(明文 echostr)",
        tags=["微信消息推送"],
        status_code=200,
        security=[],
        responses=errors(401, 404, 429),
    )
    async def push_check(appid: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        app = apps.get(appid)
        if app is None:
            return envelope(404, MESSAGE_BY_STATUS[404])
        query = request.query_params
        echostr = query.get("echostr", "")
        signed = handshake_signature_matches(
            query.get("signature", ""),
            token=app.token,
            timestamp=query.get("timestamp", ""),
            nonce=query.get("nonce", ""),
        )
        if not signed:
            return refused(appid, PushRefusalReason.BAD_SIGNATURE)
        if len(echostr) > MAX_ECHOSTR or not echostr.isprintable():
            return refused(appid, PushRefusalReason.MALFORMED)
        return Response(echostr, media_type=PLAIN_TEXT, headers=NOT_SNIFFED)

    @serves(
        PUSH,
        operation_id="postWechatPush",
        summary="微信消息推送:事件(安全模式)",
        tags=["微信消息推送"],
        status_code=200,
        security=[],
        responses=errors(400, 401, 403, 404, 413, 429, 500),
    )
    async def push(appid: FromPath[str], request: Request[Any, Any, Any]) -> Response[Any]:
        app = apps.get(appid)
        if app is None:
            return envelope(404, MESSAGE_BY_STATUS[404])
        query = request.query_params
        try:
            event = _event(appid, _opened(app, appid, query, await request.body(), clock))
        except PushRefused as refusal:
            return refused(appid, refusal.reason)
        record = await apply.execute(event)
        label = event.event if event.event in EVENT_LABELS else "other"
        metrics.push_event(appid, label, record.outcome)
        return Response("success", media_type=PLAIN_TEXT, headers=NOT_SNIFFED)

    return [push_check, push]


def _opened(app: PushApp, appid: str, query: Mapping[str, str], body: bytes, clock: Clock) -> bytes:
    """The message of a safe-mode (or compatible-mode) push, once it is fresh and its signature
    and its encryption hold; a plaintext-mode push is refused: its signature does not cover the
    body."""
    encrypted = read_encrypt(body)
    _fresh(query.get("timestamp", ""), clock)
    signed = message_signature_matches(
        query.get("msg_signature", ""),
        token=app.token,
        timestamp=query.get("timestamp", ""),
        nonce=query.get("nonce", ""),
        encrypt=encrypted,
    )
    if not signed:
        raise BadSignature
    return decrypt(encrypted, app.keys, expected_appid=appid)


def _fresh(timestamp: str, clock: Clock) -> None:
    if not CREATE_TIME.fullmatch(timestamp):
        raise StalePush
    if abs(clock.now().timestamp() - int(timestamp)) > FRESH_SECONDS:
        raise StalePush


def _event(appid: str, message: bytes) -> PushEvent:
    fields = read_fields(message)
    event, openid = fields.get("Event", ""), fields.get("OpenID", "")
    create_time, codes = fields.get("CreateTime", "0"), fields.get("RevokeInfo", "")
    wechats = (
        (EVENT_TEXT, event),
        (OPENID_TEXT, openid),
        (CREATE_TIME, create_time),
        (REVOKE_CODES, codes),
    )
    if not all(shape.fullmatch(value) for shape, value in wechats):
        raise MalformedPush
    return PushEvent(
        appid=appid, event=event, openid=openid, create_time=int(create_time), revoke_info=codes
    )
