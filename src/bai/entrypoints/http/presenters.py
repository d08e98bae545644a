"""Entities as the contract shows them."""

from typing import Any

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.entities import Company, User
from bai.domain.values import masked_phone

from .schemas import UserInfo


def _company(company: Company | None) -> dict[str, Any] | None:
    if company is None:
        return None
    return {
        "pb_id": company.pb_id,
        "company_id": company.company_id,
        "company_name": company.company_name,
        "company_status": company.company_status,
        "created": pocketbase_time(company.created),
        "updated": pocketbase_time(company.updated),
    }


class UserPresenter:
    """Builds `UserInfo`; hidden fields (`token_key`, `unionid`) never leave. `openid`: the
    user's openid in the app that asked (what that app's `wx.requestPayment` needs), when it
    is not the primary app's that the user keeps."""

    def __call__(self, user: User, *, openid: str | None = None) -> UserInfo:
        return UserInfo(
            pb_id=user.pb_id,
            users_convers_id=user.users_convers_id,
            users_id=user.users_id,
            users_idtype=user.users_idtype.value,
            users_id_number=user.users_id_number,
            users_type=user.users_type,
            users_name=user.users_name,
            users_status=user.users_status.value,
            users_rank_level=user.users_rank_level,
            users_auth_type=user.users_auth_type,
            users_phone=user.users_phone,
            users_phone_masked=masked_phone(user.users_phone),
            users_level=user.users_level,
            users_picture=user.users_picture,
            openid=user.openid if openid is None else openid,
            company_id=user.company_id,
            users_parent_id=user.users_parent_id,
            users_promo_code=user.users_promo_code,
            usergroups_id=user.usergroups_id,
            company=_company(user.company),
            created=pocketbase_time(user.created),
            updated=pocketbase_time(user.updated),
        )
