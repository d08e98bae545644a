"""Users in the shapes tests need."""

from datetime import UTC, datetime

from bai.adapters.system.ids import SecretsIdGenerator
from bai.domain.entities import Company, IdType, User, UserStatus

_ids = SecretsIdGenerator()
EPOCH = datetime(2025, 6, 1, tzinfo=UTC)


def a_user(
    *,
    openid: str = "",
    status: UserStatus = UserStatus.ACTIVE,
    idtype: IdType = IdType.WECHAT,
    phone: str = "",
    company_id: str = "",
) -> User:
    keys = _ids.new_user_keys()
    return User(
        pb_id=keys.pb_id,
        token_key=keys.token_key,
        users_id=keys.users_id,
        users_promo_code=keys.users_promo_code,
        openid=openid or f"o-{keys.pb_id}",
        users_status=status,
        users_idtype=idtype,
        users_phone=phone,
        company_id=company_id,
        created=EPOCH,
        updated=EPOCH,
    )


def a_platform_user() -> User:
    """A ManagePlatform account: no openid."""
    user = a_user(idtype=IdType.MANAGE_PLATFORM)
    return User(
        pb_id=user.pb_id,
        token_key=user.token_key,
        users_idtype=IdType.MANAGE_PLATFORM,
        created=EPOCH,
        updated=EPOCH,
    )


ACME = Company(
    pb_id="c0mpany00000001",
    company_id="ACME",
    company_name="阿克米",
    company_status="active",
    created=datetime(2024, 1, 1, tzinfo=UTC),
    updated=datetime(2024, 2, 1, 12, 30, 15, 123000, tzinfo=UTC),
)
