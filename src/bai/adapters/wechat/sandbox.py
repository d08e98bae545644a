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


class SandboxWeChatGateway(WeChatGateway):
    """A stand-in for WeChat on a developer's machine. Deterministic and reusable codes:

    - login code `C` -> openid `sbx_` + the first 24 hex digits of sha256(`C`), no unionid;
    - phone code `P` -> `138` + 8 digits: int(sha256(`P`), 16) mod 10^8, zero-padded;
    - a code starting with `invalid` is refused (as WeChat's 40029), `quota` hits the quota
      (45011), `unavailable` is an outage (WeChat unreachable).
    """

    async def code_to_session(self, code: LoginCode) -> WeChatIdentity:
        self._fail_on(code.value, rejected=LoginCodeRejected)
        return WeChatIdentity(openid=f"sbx_{_digest(code.value)[:24]}")

    async def phone_number(self, code: PhoneCode, *, openid: str) -> PhoneNumber:
        self._fail_on(code.value, rejected=PhoneCodeRejected)
        return PhoneNumber.verified("86", f"138{int(_digest(code.value), 16) % 10**8:08d}")

    @staticmethod
    def _fail_on(code: str, *, rejected: type[Exception]) -> None:
        if code.startswith("invalid"):
            raise rejected
        if code.startswith("quota"):
            raise WeChatQuotaExceeded
        if code.startswith("unavailable"):
            raise WeChatUnreachable
