"""Everything that can go wrong, as one tree rooted at `BaiError`.

    BaiError
    ├── InvalidInput                the request breaks a rule of the contract (400)
    │   ├── InvalidField            one field is missing, of the wrong type or out of bounds
    │   ├── PhoneCodeRejected       WeChat refused the phone-number code
    │   ├── PhoneAlreadyBound       the phone number belongs to another user
    │   ├── RefreshCodeRejected     WeChat refused the login code offered to renew a token
    │   ├── UnknownApp              the request names a mini-program BAI does not serve
    │   ├── IdentityRefused         an operator's link or unlink would break an identity rule
    │   ├── ConflictNotFound        no open identity conflict has that id
    │   └── SessionNotFound         no open session has that id (an operator's end-session)
    ├── NotAuthenticated            the caller could not be identified (401)
    │   ├── InvalidToken            token missing, malformed, forged, expired, or its user gone
    │   ├── AccountDisabled         the user's status is `disabled`
    │   ├── OpenidMissing           the user has no WeChat openid
    │   └── LoginCodeRejected       WeChat refused the login code
    ├── UserNotFound                the login code is valid but no user has its openid (404)
    ├── TooManyRequests             slow down (429)
    │   └── WeChatQuotaExceeded     WeChat's own quota (errcode 45011)
    └── ServiceFailure              our side or an upstream failed (500)
        ├── WeChatUnavailable       WeChat failed: 5xx, not JSON, errcode -1, an undocumented answer
        │   └── WeChatUnreachable   no answer came back: connect failed, timed out, hung up
        ├── WeChatMisconfigured     WeChat refused our app id, secret or setup
        ├── StorageUnavailable      the database could not be reached
        │   └── StorageNotMigrated  the database has none of BAI's tables (`bai migrate`)
        ├── IdentifierTaken         a freshly drawn identifier of a new user is taken already
        ├── IdentityTaken           another user holds the app's identity (a race; re-read)
        └── UnionidTaken            another user holds the unionid (a race; re-read)

Each class carries the short Chinese message a mini-program can show a person. Messages and
details never carry codes, tokens, secrets or phone numbers.
"""

from typing import ClassVar


class BaiError(Exception):
    default_message: ClassVar[str] = "请求失败"

    def __init__(self, message: str | None = None, **details: object) -> None:
        self.message = message or self.default_message
        self.details: dict[str, object] = details
        super().__init__(self.message)


class InvalidInput(BaiError):
    default_message = "请求参数错误"


class InvalidField(InvalidInput):
    def __init__(self, field: str, reason: str, message: str | None = None) -> None:
        super().__init__(message or f"参数 {field} 无效", field=field, reason=reason)
        self.field = field
        self.reason = reason


class PhoneCodeRejected(InvalidInput):
    default_message = "手机号授权已失效,请重新授权"


class PhoneAlreadyBound(InvalidInput):
    default_message = "该手机号已绑定其他账号"


class RefreshCodeRejected(InvalidInput):
    default_message = "微信登录凭证无效或已过期,请重新登录"


class UnknownApp(InvalidInput):
    default_message = "未知的小程序"

    def __init__(self) -> None:
        super().__init__(field="Referer", reason="names a mini-program this service does not serve")


class IdentityRefused(InvalidInput):
    """An operator's link or unlink is refused; `reason` says why in an operator's words (the
    user holding the identity, the identity the user has in that app already)."""

    default_message = "无法变更该微信身份"

    def __init__(self, reason: str = "") -> None:
        super().__init__()  # the reason is for the operator's own screen, never `details`
        self.reason = reason


class SessionNotFound(InvalidInput):
    default_message = "该会话不存在或已结束"


class ConflictNotFound(InvalidInput):
    default_message = "该身份冲突不存在或已处理"


class OperatorExists(InvalidInput):
    """An operator with that email exists already (`bai operators add`)."""

    default_message = "该邮箱已是运维账号"


class OperatorNotFound(InvalidInput):
    default_message = "运维账号不存在"


class NotAuthenticated(BaiError):
    default_message = "未登录或登录已失效"


class InvalidToken(NotAuthenticated):
    default_message = "登录已失效,请重新登录"


class AccountDisabled(NotAuthenticated):
    default_message = "账号已被停用"


class OpenidMissing(NotAuthenticated):
    default_message = "当前账号未绑定微信"


class OperatorSignInRefused(NotAuthenticated):
    """The email and password are not an operator's (which of the two is never said)."""

    default_message = "邮箱或密码不正确"


class LoginCodeRejected(NotAuthenticated):
    default_message = "微信登录凭证无效或已过期,请重新登录"


class UserNotFound(BaiError):
    default_message = "用户不存在,请先登录注册"


class TooManyRequests(BaiError):
    default_message = "请求过于频繁,请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OperatorLocked(TooManyRequests):
    """Too many wrong passwords for this email, or from this address: locked for a while."""

    default_message = "密码错误次数过多,请 15 分钟后再试"


class WeChatQuotaExceeded(TooManyRequests):
    default_message = "微信接口调用过于频繁,请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int | None = 60) -> None:
        super().__init__(message, retry_after=retry_after)


class ServiceFailure(BaiError):
    default_message = "服务暂时不可用,请稍后重试"


class WeChatUnavailable(ServiceFailure):
    default_message = "微信服务暂时不可用,请稍后重试"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, retryable=True)


class WeChatUnreachable(WeChatUnavailable):
    """No answer came back, so a login code sent may still be unspent."""


class WeChatMisconfigured(ServiceFailure):
    default_message = "服务配置错误,请联系管理员"


class StorageUnavailable(ServiceFailure):
    """`reason`: what went wrong in the driver's words, for operators' logs and lines; never
    sent to a client."""

    default_message = "服务暂时不可用,请稍后重试"

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason


class StorageNotMigrated(StorageUnavailable):
    pass


class IdentifierTaken(ServiceFailure):
    default_message = "服务繁忙,请重试"


class IdentityTaken(ServiceFailure):
    """The identity `(appid, openid)` belongs to a user already, or the user has one in that
    app: the store's unique keys decided a race, and the caller re-reads."""

    default_message = "服务繁忙,请重试"


class UnionidTaken(ServiceFailure):
    """Another user holds the unionid (unique where not empty)."""

    default_message = "服务繁忙,请重试"
