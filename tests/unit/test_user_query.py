"""The values an operator lists users by: `--since`, `--limit` and `--after` as the domain reads
and bounds them."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.domain.errors import InvalidField
from bai.domain.user_query import MAX_PAGE_SIZE, PageSize, UserQuery, cursor_id, moment_since

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
