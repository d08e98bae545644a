import time
from collections.abc import Callable

from bai.domain.errors import WeChatMisconfigured, WeChatUnavailable

from .api import WeChatApi, check_errcode
from .single_flight import SingleFlight

PATH = "/cgi-bin/stable_token"
RENEWAL_MARGIN_SECONDS = 300


class StableAccessToken:
    """The app's access token from `/cgi-bin/stable_token`, in normal mode.

    Normal mode hands every instance the same token and no one else's `/cgi-bin/token` call can
    invalidate it, so instances share it without a lock. It is kept until 5 minutes before it
    expires (half its life for short ones), fetched once however many requests need it at the
    same moment, and `force_refresh` is never sent (WeChat allows that 20 times a day).
    """

    def __init__(
        self,
        *,
        api: WeChatApi,
        appid: str,
        secret: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._credentials = {"grant_type": "client_credential", "appid": appid, "secret": secret}
        self._monotonic = monotonic
        self._token: str | None = None
        self._renew_at = 0.0
        self._fetches: SingleFlight[str, str] = SingleFlight()

    async def current(self) -> str:
        if self._token is not None and self._monotonic() < self._renew_at:
            return self._token
        return await self._fetches.run(PATH, self._fetch)

    def drop(self, token: str) -> None:
        """Forget `token` if it is still the cached one: another request may have renewed it."""
        if self._token == token:
            self._token = None

    async def _fetch(self) -> str:
        reply = await self._api.call("POST", PATH, body=self._credentials)
        check_errcode(reply, path=PATH, rejected=WeChatMisconfigured)
        token, expires_in = reply.get("access_token"), reply.get("expires_in")
        if (
            not isinstance(token, str)
            or not token
            or not isinstance(expires_in, int)
            or expires_in <= 0
        ):
            raise WeChatUnavailable
        self._token = token
        self._renew_at = (
            self._monotonic() + expires_in - min(RENEWAL_MARGIN_SECONDS, expires_in / 2)
        )
        return token
