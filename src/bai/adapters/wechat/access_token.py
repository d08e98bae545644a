from typing import Protocol

from bai.domain.errors import WeChatMisconfigured, WeChatUnavailable
from bai.ports.clock import Clock

from .api import WeChatAnswer, WeChatApi, check_errcode
from .single_flight import SingleFlight


class SharedCache(Protocol):
    """Short-lived values shared by every process and host (the WeChat access token): what
    this adapter needs, met by `adapters.redis.shared_cache` (structurally).

    A cache: when it cannot be reached, reads miss and writes are dropped.
    """

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, *, ttl_seconds: int) -> None: ...

    async def discard(self, key: str, value: str) -> None:
        """Remove `key` only if it still holds `value`."""
        ...


PATH = "/cgi-bin/stable_token"
RENEWAL_MARGIN_SECONDS = 300


class TokenAnswer(WeChatAnswer):
    access_token: str | None = None
    expires_in: int | None = None


class StableAccessToken:
    """The app's access token from `/cgi-bin/stable_token`, in normal mode.

    Normal mode hands every instance the same token and no one else's `/cgi-bin/token` call can
    invalidate it, so instances share it without a lock. It is kept until 5 minutes before it
    expires (half its life for short ones), fetched once however many requests need it at the
    same moment, and `force_refresh` is never sent (WeChat allows that 20 times a day). With a
    shared cache (Redis) one fetch serves every process and host.
    """

    def __init__(
        self,
        *,
        api: WeChatApi,
        appid: str,
        secret: str,
        shared: SharedCache | None = None,
        clock: Clock,
    ) -> None:
        self._api = api
        self._endpoint = api.endpoint("POST", PATH)
        self._credentials = {"grant_type": "client_credential", "appid": appid, "secret": secret}
        self._shared = shared
        self._key = f"wechat-access-token:{appid}"
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._obtain: SingleFlight[str, str] = SingleFlight()

    async def current(self) -> str:
        if self._token is not None and self._clock.seconds() < self._renew_at:
            return self._token
        return await self._obtain.run(PATH, self._from_shared_or_wechat)

    async def drop(self, token: str) -> None:
        """Forget `token` if it is still the current one: another request may have renewed it."""
        if self._token == token:
            self._token = None
        if self._shared is not None:
            await self._shared.discard(self._key, f"{self._renew_at}|{token}")

    async def _from_shared_or_wechat(self) -> str:
        if self._shared is not None and (cached := await self._shared.get(self._key)):
            renew_at, _, token = cached.partition("|")
            if token and float(renew_at) > self._clock.seconds():
                self._token, self._renew_at = token, float(renew_at)
                return token
        token = await self._fetch()
        if self._shared is not None:
            ttl = int(self._renew_at - self._clock.seconds())
            await self._shared.put(self._key, f"{self._renew_at}|{token}", ttl_seconds=ttl)
        return token

    async def _fetch(self) -> str:
        reply = await self._api.call(self._endpoint, TokenAnswer, body=self._credentials)
        check_errcode(reply.errcode, path=PATH, rejected=WeChatMisconfigured)
        token, expires_in = reply.access_token, reply.expires_in
        if not token or expires_in is None or expires_in <= 0:
            raise WeChatUnavailable
        self._token = token
        self._renew_at = (
            self._clock.seconds() + expires_in - min(RENEWAL_MARGIN_SECONDS, expires_in / 2)
        )
        return token
