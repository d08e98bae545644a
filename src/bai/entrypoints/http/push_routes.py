"""WeChat's push route, `/pb/api/wechat/push/{appid}` (SPEC "WeChat's push events"): the
handshake and the events, checked before anything is read and applied before WeChat is answered,
in WeChat's plain text; every refusal a 4xx envelope that changes nothing."""

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
    decrypt,
    handshake_signature_matches,
    message_signature_matches,
    read_encrypt,
    read_fields,
)
from bai.domain.push_events import PushEvent, PushEventType
from bai.domain.use_cases.push_events import ApplyPushEvent
from bai.domain.values import WECHAT_ID_MAX_LENGTH
from bai.entrypoints.config.wechat_apps import WeChatApps

from .errors import MESSAGE_BY_STATUS, envelope
from .openapi_parts import errors
from .route_table import PUSH, PUSH_CHECK, serves

PLAIN_TEXT: Final = "text/plain; charset=utf-8"
STATUS_BY_REASON: Final[dict[str, int]] = {
    PushRefusalReason.BAD_SIGNATURE: 401,
    PushRefusalReason.PLAINTEXT: 403,
}
MAX_ECHOSTR: Final = 256  # WeChat's are about 20 digits
MAX_CREATE_TIME_DIGITS: Final = 12
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
    apply: ApplyPushEvent, apps: Mapping[str, PushApp], metrics: PrometheusMetrics
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
        return Response(echostr, media_type=PLAIN_TEXT)

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
        try:
            event = _event(appid, _opened(app, appid, request.query_params, await request.body()))
        except PushRefused as refusal:
            return refused(appid, refusal.reason)
        record = await apply.execute(event)
        label = event.event if event.event in EVENT_LABELS else "other"
        metrics.push_event(appid, label, record.outcome)
        return Response("success", media_type=PLAIN_TEXT)

    return [push_check, push]


def _opened(app: PushApp, appid: str, query: Mapping[str, str], body: bytes) -> bytes:
    """The message of a safe-mode (or compatible-mode) push, once its signature and its
    encryption hold; a plaintext-mode push is refused: its signature does not cover the body."""
    encrypted = read_encrypt(body)
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


def _event(appid: str, message: bytes) -> PushEvent:
    fields = read_fields(message)
    create_time, openid = fields.get("CreateTime", "0"), fields.get("OpenID", "")
    if not (create_time.isdigit() and len(create_time) <= MAX_CREATE_TIME_DIGITS):
        raise MalformedPush
    if len(openid) > WECHAT_ID_MAX_LENGTH or not openid.isprintable():
        raise MalformedPush
    return PushEvent(
        appid=appid,
        event=fields.get("Event", "")[:64],
        openid=openid,
        create_time=int(create_time),
        revoke_info=fields.get("RevokeInfo", "")[:128],
    )
