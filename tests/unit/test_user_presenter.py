from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.pocketbase.records import pocketbase_time
from bai.entrypoints.http.presenters import UserPresenter
from tests.support.builders import ACME, a_user
from tests.support.contract import user_info_fields

present = UserPresenter()


def test_company_is_shown_as_an_object() -> None:
    shown = present(replace(a_user(company_id="ACME"), company=ACME))

    assert shown.company == {
        "pb_id": "c0mpany00000001",
        "company_id": "ACME",
        "company_name": "阿克米",
        "company_status": "active",
        "created": "2024-01-01 00:00:00.000Z",
        "updated": "2024-02-01 12:30:15.123Z",
    }


def test_no_company_is_null_and_hidden_fields_stay_hidden() -> None:
    user = replace(a_user(phone="13800138000"), unionid="secret-union")

    shown = present(user)

    assert shown.company is None
    assert shown.users_phone_masked == "138****8000"
    assert set(shown.__struct_fields__) == user_info_fields()


@given(
    moment=st.datetimes(
        min_value=datetime(1000, 1, 2),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))]
        ),
    )
)
def test_times_read_like_pocketbases_in_utc(moment: datetime) -> None:
    utc = moment.astimezone(UTC)
    expected = utc.strftime("%Y-%m-%d %H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"

    assert pocketbase_time(moment) == expected
