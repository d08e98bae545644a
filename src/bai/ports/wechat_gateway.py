from typing import Protocol

from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity


class WeChatGateway(Protocol):
    """WeChat's server APIs, as the core needs them, for each configured mini-program (`app`,
    its app id: the adapter holds its secret and access token).

    Raises `LoginCodeRejected`, `PhoneCodeRejected`, `WeChatQuotaExceeded`, `WeChatUnavailable`
    or `WeChatMisconfigured`; never anything of the transport.
    """

    async def code_to_session(self, code: LoginCode, *, app: str) -> WeChatIdentity:
        """Who holds this login code of `app` (`jscode2session`)."""
        ...

    async def phone_number(self, code: PhoneCode, *, openid: str, app: str) -> PhoneNumber:
        """The phone number the user `openid` of `app` verified (`getuserphonenumber`); a
        code minted by another app is `PhoneCodeRejected`."""
        ...
