import hashlib

from bai.domain.errors import (
    LoginCodeRejected,
    PhoneCodeRejected,
    WeChatQuotaExceeded,
    WeChatUnreachable,
)
from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity
from bai.ports.wechat_gateway import WeChatGateway


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sandbox_phone(code: str) -> str:
    """The number the sandbox gives for phone code `code`."""
    return f"138{int(_digest(code), 16) % 10**8:08d}"


class SandboxWeChatGateway(WeChatGateway):
    """A stand-in for WeChat on a developer's machine, for every configured app. Deterministic
    and reusable codes (the code stands for the person):

    - login code `C` in the primary app -> openid `sbx_` + the first 24 hex digits of
      sha256(`C`); in another app `A` -> `sbx_` + those of sha256(`A:C`), so each app has its
      own openid for one person;
    - with several apps, every app gives the unionid `sbu_` + the first 24 hex digits of
      sha256(`C`): one person across the apps (with one app, no unionid, as before);
    - phone code `P` -> `138` + 8 digits: int(sha256(`P`), 16) mod 10^8, zero-padded;
    - a code starting with `invalid` is refused (as WeChat's 40029), `quota` hits the quota
      (45011), `unavailable` is an outage (WeChat unreachable).
    """

    def __init__(self, primary: str = "", *, several: bool = False) -> None:
        self._primary = primary
        self._several = several

    async def code_to_session(self, code: LoginCode, *, app: str) -> WeChatIdentity:
        self._fail_on(code.value, rejected=LoginCodeRejected)
        seed = code.value if app == self._primary or not self._primary else f"{app}:{code.value}"
        unionid = f"sbu_{_digest(code.value)[:24]}" if self._several else ""
        return WeChatIdentity(openid=f"sbx_{_digest(seed)[:24]}", unionid=unionid)

    async def phone_number(self, code: PhoneCode, *, openid: str, app: str) -> PhoneNumber:
        self._fail_on(code.value, rejected=PhoneCodeRejected)
        return PhoneNumber.verified("86", sandbox_phone(code.value))

    @staticmethod
    def _fail_on(code: str, *, rejected: type[Exception]) -> None:
        if code.startswith("invalid"):
            raise rejected
        if code.startswith("quota"):
            raise WeChatQuotaExceeded
        if code.startswith("unavailable"):
            raise WeChatUnreachable
