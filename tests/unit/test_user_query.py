"""The values an operator lists users by: `--since`, `--limit` and `--after` as the domain reads
and bounds them."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.like import containing
from bai.domain.errors import InvalidField
from bai.domain.user_query import (
    MAX_NAME_SEARCH,
    MAX_PAGE_SIZE,
    PageSize,
    UserQuery,
    cursor_id,
    moment_since,
    recorded_before,
)
from tests.support.builders import a_user

zones = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


@given(day=st.dates())
def test_a_date_is_its_midnight_in_utc(day: date) -> None:
    assert moment_since(day.isoformat()) == datetime(day.year, day.month, day.day, tzinfo=UTC)


@given(moment=st.datetimes())
def test_a_date_and_time_without_a_zone_is_utc(moment: datetime) -> None:
    assert moment_since(moment.isoformat()) == moment.replace(tzinfo=UTC)


@given(moment=st.datetimes(timezones=zones))
def test_a_date_and_time_with_an_offset_is_that_moment_in_utc(moment: datetime) -> None:
    try:
        expected = moment.astimezone(UTC)
    except OverflowError:
        return  # a moment that leaves datetime's range in UTC
    since = moment_since(moment.isoformat())

    assert since == expected
    assert since.tzinfo is UTC


def test_a_trailing_z_means_utc() -> None:
    assert moment_since("2026-03-04T05:06:07Z") == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


@given(text=st.text().filter(lambda text: not any(char.isdigit() for char in text)))
def test_text_that_is_no_date_is_refused_naming_since(text: str) -> None:
    with pytest.raises(InvalidField) as refused:
        moment_since(text)

    assert refused.value.field == "since"


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "04/03/2026", "yesterday", ""])
def test_impossible_or_foreign_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidField):
        moment_since(text)


@given(size=st.integers(1, MAX_PAGE_SIZE))
def test_page_sizes_from_one_to_a_thousand_are_kept(size: int) -> None:
    assert PageSize(size).value == size


@given(size=st.integers(max_value=0) | st.integers(min_value=MAX_PAGE_SIZE + 1))
def test_other_page_sizes_are_refused_naming_limit(size: int) -> None:
    with pytest.raises(InvalidField) as refused:
        PageSize(size)

    assert refused.value.field == "limit"


@given(text=st.from_regex(r"[a-z0-9]{15}", fullmatch=True))
def test_a_record_id_is_a_cursor(text: str) -> None:
    assert cursor_id(text) == text


@given(text=st.text().filter(lambda text: len(text) != 15))
def test_anything_else_is_no_cursor(text: str) -> None:
    with pytest.raises(InvalidField):
        cursor_id(text)


def test_a_since_without_a_zone_is_refused() -> None:
    with pytest.raises(InvalidField):
        UserQuery(since=datetime(2026, 1, 1))


REFUSED = {
    "pb_id, too short": ("pb_id", "abc"),
    "pb_id, upper case": ("pb_id", "ABCDEFGHIJKLMNO"),
    "phone, empty": ("phone", ""),
    "phone, a plus": ("phone", "+8613800138000"),
    "phone, 21 digits": ("phone", "1" * 21),
    "phone, other digits": ("phone", "١٣٨"),
    "phone, a newline": ("phone", "138\n"),
    "name, empty": ("name", ""),
    "name, 33 characters": ("name", "x" * (MAX_NAME_SEARCH + 1)),
    "name, a NUL": ("name", "a\x00b"),
    "name, a lone surrogate": ("name", "a\ud800"),
    "app, a space": ("app", "wx 1"),
    "app, empty": ("app", ""),
}


@pytest.mark.parametrize(("field", "value"), REFUSED.values(), ids=REFUSED.keys())
def test_a_search_value_no_store_could_take_is_refused_naming_its_field(
    field: str, value: str
) -> None:
    with pytest.raises(InvalidField) as refused:
        UserQuery(**{field: value})  # type: ignore[arg-type]

    assert refused.value.field == field


@given(
    name=st.text(
        st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=MAX_NAME_SEARCH
    )
)
def test_any_name_of_printable_text_up_to_32_characters_is_searchable(name: str) -> None:
    assert UserQuery(name=name).name == name


def test_a_name_search_ignores_the_case_of_a_to_z_only() -> None:
    user = replace(a_user(), users_name="Zhang Émile")

    assert UserQuery(name="zHANG").matches(user)
    assert UserQuery(name="émile").matches(user) is False
    assert UserQuery(name="Émile").matches(user)


def test_an_app_search_matches_users_holding_an_identity_there() -> None:
    query = UserQuery(app="wxshop")

    assert query.matches(a_user(), apps={"wxmain", "wxshop"})
    assert not query.matches(a_user(), apps={"wxmain"})
    assert not query.matches(a_user())


@pytest.mark.parametrize(
    ("text", "pattern"),
    [("Ab", "%ab%"), ("100%", "%100\\%%"), ("a_b", "%a\\_b%"), ("\\", "%\\\\%")],
)
def test_a_name_is_searched_as_a_like_pattern_that_takes_it_literally(
    text: str, pattern: str
) -> None:
    assert containing(text) == pattern


@given(at=st.text(max_size=40), key=st.text(max_size=70))
def test_any_position_of_a_record_page_is_a_utc_time_and_an_id_or_refused(
    at: str, key: str
) -> None:
    try:
        moment, kept = recorded_before(at, key)
    except InvalidField as refused:
        field = refused.field
    else:
        assert moment.tzinfo is UTC
        assert kept == key
        return
    assert field == "before"


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "yesterday", ""]
)
def test_a_time_that_leaves_the_calendar_in_utc_is_refused(at: str) -> None:
    with pytest.raises(InvalidField):
        recorded_before(at, "abc")


def test_a_time_without_an_offset_is_utc() -> None:
    assert recorded_before("2026-12-07T08:00:00", "a1") == (
        datetime(2026, 12, 7, 8, tzinfo=UTC),
        "a1",
    )
