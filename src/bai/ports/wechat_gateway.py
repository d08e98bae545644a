from typing import Protocol

from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity


class WeChatGateway(Protocol):
    """WeChat's server APIs, as the core needs them.

    Raises `LoginCodeRejected`, `PhoneCodeRejected`, `WeChatQuotaExceeded`, `WeChatUnavailable`
    or `WeChatMisconfigured`; never anything of the transport.
    """

    async def code_to_session(self, code: LoginCode) -> WeChatIdentity:
        """Who holds this login code (`jscode2session`)."""
        ...

    async def phone_number(self, code: PhoneCode, *, openid: str) -> PhoneNumber:
        """The phone number this user verified (`getuserphonenumber`)."""
        ...
