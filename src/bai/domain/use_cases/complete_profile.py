from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.authentication import Authenticator
from bai.domain.entities import User
from bai.domain.errors import InvalidToken, OpenidMissing
from bai.domain.values import AvatarUrl, Nickname, PhoneCode
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.user_repository import UserRepository
from bai.ports.wechat_gateway import WeChatGateway


@dataclass(frozen=True, slots=True)
class ProfileCommand:
    token: str | None
    name: Nickname
    phone_code: PhoneCode
    picture: AvatarUrl
    app: str | None = None  # the app id the request names (its Referer); None: the primary


@dataclass(frozen=True, slots=True)
class SavedProfile:
    user: User
    openid: str  # the user's openid in the request's app (the user's own is the primary's)


class CompleteProfile:
    """Set the nickname, avatar and the phone number WeChat verified for the token's user.

    - The token must belong to an active user (`InvalidToken`, `AccountDisabled`).
    - The phone is asked of WeChat with the app of the token's session (a token without one:
      the app the request names, else the primary; `UnknownApp` for one BAI does not serve),
      for the user's openid in that app: a user without one there cannot prove a phone
      through it (`OpenidMissing`).
    - WeChat checks the phone code against that openid and app; a refused code (another
      person's, or minted by another app) is `PhoneCodeRejected` and changes nothing.
    - A phone number belongs to one user at most: another user's is `PhoneAlreadyBound`;
      re-binding the user's own number is fine.
    - The write takes effect only if the user is still allowed it when it lands: disabled,
      revoked or deleted while WeChat was being asked, the update changes nothing and is
      refused as if that had happened first.
    """

    def __init__(
        self,
        *,
        apps: Apps,
        authenticator: Authenticator,
        wechat: WeChatGateway,
        users: UserRepository,
        identities: IdentityStore,
        clock: Clock,
    ) -> None:
        self._apps = apps
        self._identities = identities
        self._authenticator = authenticator
        self._wechat = wechat
        self._users = users
        self._clock = clock

    async def execute(self, command: ProfileCommand) -> SavedProfile:
        bearer = await self._authenticator.active(command.token)
        user = bearer.user
        app = self._apps.resolve(bearer.session.app if bearer.session else command.app)
        openid = await self._openid(user, app)
        phone = await self._wechat.phone_number(command.phone_code, openid=openid, app=app)
        updated = await self._users.save_profile(
            user,
            users_name=command.name.value,
            users_phone=phone.value,
            users_picture=command.picture.value,
            updated=self._clock.now(),
        )
        if updated is None:
            await self._authenticator.active_user(command.token)  # says why, when it can
            raise InvalidToken
        return SavedProfile(updated, openid)

    async def _openid(self, user: User, app: str) -> str:
        """The user's openid in `app`: the primary's is the user's own (no read)."""
        if self._apps.is_primary(app):
            openid = user.openid
        else:
            identities = await self._identities.identities_of(user.pb_id)
            openid = next((each.openid for each in identities if each.appid == app), "")
        if not openid:
            raise OpenidMissing
        return openid
