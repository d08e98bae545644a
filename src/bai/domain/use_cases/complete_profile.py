from dataclasses import dataclass

from bai.domain.authentication import Authenticator
from bai.domain.entities import User
from bai.domain.errors import InvalidToken, OpenidMissing
from bai.domain.values import AvatarUrl, Nickname, PhoneCode
from bai.ports.clock import Clock
from bai.ports.user_repository import UserRepository
from bai.ports.wechat_gateway import WeChatGateway


@dataclass(frozen=True, slots=True)
class ProfileCommand:
    token: str | None
    name: Nickname
    phone_code: PhoneCode
    picture: AvatarUrl


class CompleteProfile:
    """Set the nickname, avatar and the phone number WeChat verified for the token's user.

    - The token must belong to an active user (`InvalidToken`, `AccountDisabled`).
    - Only a user with an openid can prove a phone through WeChat (`OpenidMissing`).
    - WeChat checks the phone code against the user's openid; a refused code is
      `PhoneCodeRejected` and changes nothing.
    - A phone number belongs to one user at most: another user's is `PhoneAlreadyBound`;
      re-binding the user's own number is fine.
    - The write takes effect only if the user is still allowed it when it lands: disabled,
      revoked or deleted while WeChat was being asked, the update changes nothing and is
      refused as if that had happened first.
    """

    def __init__(
        self,
        *,
        authenticator: Authenticator,
        wechat: WeChatGateway,
        users: UserRepository,
        clock: Clock,
    ) -> None:
        self._authenticator = authenticator
        self._wechat = wechat
        self._users = users
        self._clock = clock

    async def execute(self, command: ProfileCommand) -> User:
        user = await self._authenticator.active_user(command.token)
        if not user.openid:
            raise OpenidMissing
        phone = await self._wechat.phone_number(command.phone_code, openid=user.openid)
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
        return updated
